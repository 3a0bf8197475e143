#include "shmkit/parse.hpp"

#include <doctest/doctest.h>

using namespace shmkit;

namespace {

template <typename T> void check_error(const Result<T> &r, Errc code, const std::string &message) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

} // namespace

TEST_CASE("shmkit::parse_size") {
  SUBCASE("plain, hex and suffixes") {
    CHECK(*parse_size("1") == 1);
    CHECK(*parse_size("4096") == 4096);
    CHECK(*parse_size("010") == 10); // never octal
    CHECK(*parse_size("0x10") == 16);
    CHECK(*parse_size("0X1f") == 31);
    CHECK(*parse_size("1K") == 1024);
    CHECK(*parse_size("1k") == 1024);
    CHECK(*parse_size("1KiB") == 1024);
    CHECK(*parse_size("1KB") == 1000);
    CHECK(*parse_size("2M") == 2u << 20);
    CHECK(*parse_size("1MB") == 1000000);
    CHECK(*parse_size("1G") == 1u << 30);
    CHECK(*parse_size("3GiB") == 3ull << 30);
    CHECK(*parse_size("1T") == 1ull << 40);
    CHECK(*parse_size("1P") == 1ull << 50);
    CHECK(*parse_size("15E") == 15ull << 60);
    CHECK(*parse_size("100B") == 100);
    CHECK(*parse_size("18446744073709551615") == UINT64_MAX);
  }
  SUBCASE("bad input") {
    check_error(parse_size("1Q"), Errc::invalid_argument,
                "invalid size '1Q': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
    check_error(parse_size("-1"), Errc::invalid_argument, "invalid size '-1': a sign is not allowed");
    check_error(parse_size("+1"), Errc::invalid_argument, "invalid size '+1': a sign is not allowed");
    check_error(parse_size("0"), Errc::invalid_argument, "invalid size '0': must be positive");
    check_error(parse_size("0K"), Errc::invalid_argument, "invalid size '0': must be positive");
    check_error(parse_size(""), Errc::invalid_argument, "invalid size '': empty");
    check_error(parse_size("0x"), Errc::invalid_argument, "invalid size '0x': not a number");
    check_error(parse_size("1.5K"), Errc::invalid_argument,
                "invalid size '1.5K': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
    check_error(parse_size("1e3"), Errc::invalid_argument,
                "invalid size '1e3': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
    check_error(parse_size("18446744073709551616"), Errc::out_of_range,
                "invalid size '18446744073709551616': too large");
    check_error(parse_size("17E"), Errc::out_of_range, "invalid size '17E': too large");
    check_error(parse_size("16E"), Errc::out_of_range, "invalid size '16E': too large");
    check_error(parse_size("4K1"), Errc::invalid_argument,
                "invalid size '4K1': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
    check_error(parse_size(" 12"), Errc::invalid_argument, "invalid size ' 12': not a number");
    check_error(parse_size("12 "), Errc::invalid_argument,
                "invalid size '12 ': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
  }
  SUBCASE("byte counts allow zero") {
    CHECK(*parse_byte_count("0", "offset") == 0);
    check_error(parse_byte_count("-1", "offset"), Errc::invalid_argument,
                "invalid offset '-1': a sign is not allowed");
  }
}

TEST_CASE("shmkit::parse_key") {
  CHECK(*parse_key("2") == 2);
  CHECK(*parse_key("0x0052e2c1") == 0x0052e2c1);
  CHECK(*parse_key("0xffffffff") == 0xffffffffu);
  CHECK(*parse_key("4294967295") == 0xffffffffu);
  check_error(parse_key("0x100000000"), Errc::out_of_range,
              "invalid key '0x100000000': larger than 4294967295");
  check_error(parse_key("-1"), Errc::invalid_argument, "invalid key '-1': a sign is not allowed");
  check_error(parse_key("abc"), Errc::invalid_argument, "invalid key 'abc': not a number");
}

TEST_CASE("shmkit::parse_shmid") {
  CHECK(*parse_shmid("0") == 0);
  CHECK(*parse_shmid("32769") == 32769);
  CHECK(*parse_shmid("2147483647") == 2147483647);
  check_error(parse_shmid("-1"), Errc::invalid_argument, "invalid id '-1': a sign is not allowed");
  check_error(parse_shmid("2147483648"), Errc::out_of_range,
              "invalid id '2147483648': larger than 2147483647");
}

TEST_CASE("shmkit::parse_mode") {
  CHECK(*parse_mode("600") == 0600);
  CHECK(*parse_mode("0600") == 0600);
  CHECK(*parse_mode("0o640") == 0640);
  CHECK(*parse_mode("0") == 0);
  CHECK(*parse_mode("777") == 0777);
  check_error(parse_mode("4755"), Errc::invalid_argument,
              "invalid mode '4755': setuid, setgid and sticky bits are not allowed");
  check_error(parse_mode("1777"), Errc::invalid_argument,
              "invalid mode '1777': setuid, setgid and sticky bits are not allowed");
  check_error(parse_mode("8"), Errc::invalid_argument,
              "invalid mode '8': not an octal mode like 600 or 0640");
  check_error(parse_mode("u=rw"), Errc::invalid_argument,
              "invalid mode 'u=rw': not an octal mode like 600 or 0640");
  check_error(parse_mode(""), Errc::invalid_argument, "invalid mode '': empty");
  check_error(parse_mode("77777"), Errc::invalid_argument,
              "invalid mode '77777': not an octal mode like 600 or 0640");
}

TEST_CASE("shmkit::parse_duration") {
  using std::chrono::milliseconds;
  CHECK(*parse_duration("100ms", "interval") == milliseconds(100));
  CHECK(*parse_duration("2s", "interval") == milliseconds(2000));
  CHECK(*parse_duration("2", "interval") == milliseconds(2000));
  CHECK(*parse_duration("1m", "interval") == milliseconds(60000));
  CHECK(*parse_duration("1h", "interval") == milliseconds(3600000));
  CHECK(*parse_duration("7d", "older-than") == milliseconds(604800000));
  CHECK(*parse_duration("0", "interval") == milliseconds(0));
  check_error(parse_duration("-1s", "interval"), Errc::invalid_argument,
              "invalid interval '-1s': a sign is not allowed");
  check_error(parse_duration("1x", "interval"), Errc::invalid_argument,
              "invalid interval '1x': unknown unit (use ms, s, m, h or d)");
  check_error(parse_duration("", "timeout"), Errc::invalid_argument, "invalid timeout '': empty");
  check_error(parse_duration("1.5s", "timeout"), Errc::invalid_argument,
              "invalid timeout '1.5s': unknown unit (use ms, s, m, h or d)");
  check_error(parse_duration("99999999999999999999s", "timeout"), Errc::out_of_range,
              "invalid timeout '99999999999999999999s': too large");
}

TEST_CASE("shmkit parsers quote user text as one printable line") {
  // issue 13 (fuzzing): a control byte or newline typed in a number reached the message raw
  // (tests/fuzz/corpus/numbers/crash-3f29546453678b855931c174a97d6c0894b8f546 is "\x01").
  check_error(parse_byte_count("\x01", "offset"), Errc::invalid_argument,
              "invalid offset '\\x01': not a number");
  check_error(parse_size("1\n2"), Errc::invalid_argument,
              "invalid size '1\\x0a2': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
  check_error(parse_shmid("-\x97" "1"), Errc::invalid_argument,
              "invalid id '-\\x971': a sign is not allowed");
  check_error(parse_key("99999999999999999999\x1b"), Errc::out_of_range,
              "invalid key '99999999999999999999\\x1b': too large");
  check_error(parse_uint("300\x7f", "count", 255), Errc::invalid_argument,
              "invalid count '300\\x7f': not a number");
  check_error(parse_uint("300", "count", 255), Errc::out_of_range,
              "invalid count '300': larger than 255");
  check_error(parse_mode("6\xc2\x85"), Errc::invalid_argument,
              "invalid mode '6\\xc2\\x85': not an octal mode like 600 or 0640");
  check_error(parse_duration("1s\r", "interval"), Errc::invalid_argument,
              "invalid interval '1s\\x0d': unknown unit (use ms, s, m, h or d)");
  // Spaces, backslashes and printable UTF-8 stay as typed.
  check_error(parse_size("1 \\x caf\xc3\xa9"), Errc::invalid_argument,
              "invalid size '1 \\x caf\xc3\xa9': unknown suffix (use K, M, G, T, P, E, KiB.. or "
              "KB..)");
}
