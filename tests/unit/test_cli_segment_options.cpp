// The one parser of the options read, write and watch share (issue 9): the segment, --offset,
// --length, --type, --count and --endian, with their exact messages.
#include "gate.hpp"
#include "options.hpp"
#include "segment_options.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <string>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

constexpr OptionSpec k_table[] = {
    {k_segment_arg, "", "SEGMENT", Arity::positional},
    {"-s,--offset", "", "OFF"},
    {"-n,--length", "", "LEN"},
    {"-t,--type", "", "T"},
    {"-c,--count", "", "N"},
    {"--endian", "", "E"},
};

Result<SegmentOptions> parse(const std::string &line) {
  CLI::App app{"test"};
  OptionGate gate;
  auto args = register_options(app, gate, k_table);
  app.parse(line, false);
  return parse_segment_options(*args);
}

void check_error(const std::string &line, Errc code, const std::string &message) {
  CAPTURE(line);
  auto parsed = parse(line);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == code);
  CHECK(parsed.error().message == message);
}

} // namespace

TEST_CASE("shmkit::cli::parse_segment_options") {
  SUBCASE("defaults") {
    auto o = parse("id:5");
    REQUIRE(o.has_value());
    CHECK(o->ref.kind == Kind::sysv);
    CHECK(o->ref.number == 5);
    CHECK(o->offset == 0);
    CHECK_FALSE(o->length.has_value());
    CHECK_FALSE(o->type.has_value());
    CHECK_FALSE(o->count.has_value());
    CHECK(o->endian == Endian::native);
    CHECK_FALSE(o->typed_length().has_value());
  }
  SUBCASE("every option") {
    auto o = parse("posix:/x -s 0x10 -n 1K -t u16 -c 3 --endian big");
    REQUIRE(o.has_value());
    CHECK(o->ref.kind == Kind::posix);
    CHECK(o->ref.text == "x");
    CHECK(o->offset == 16);
    CHECK(o->length == 1024u);
    CHECK(o->type == ValueType::u16);
    CHECK(o->count == 3u);
    CHECK(o->endian == Endian::big);
    CHECK(o->typed_length() == 6u);
  }
  SUBCASE("one value of --type without --count") {
    auto o = parse("posix:/x --type f64 --endian little");
    REQUIRE(o.has_value());
    CHECK(o->typed_length() == 8u);
    CHECK(o->endian == Endian::little);
  }
  SUBCASE("the largest count that fits") {
    auto o = parse("posix:/x --type u64 --count 0x1fffffffffffffff");
    REQUIRE(o.has_value());
    CHECK(o->typed_length() == 0xfffffffffffffff8u);
  }
  SUBCASE("bad address") {
    check_error("key:0x100000000", Errc::out_of_range,
                "invalid key '0x100000000': larger than 4294967295");
  }
  SUBCASE("bad --offset") {
    check_error("posix:/x --offset=-1", Errc::invalid_argument,
                "invalid offset '-1': a sign is not allowed");
    check_error("posix:/x --offset 0x", Errc::invalid_argument,
                "invalid offset '0x': not a number");
    check_error("posix:/x --offset 1.5", Errc::invalid_argument,
                "invalid offset '1.5': unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
  }
  SUBCASE("bad --length") {
    check_error("posix:/x --length 0", Errc::invalid_argument,
                "invalid length '0': must be positive");
    check_error("posix:/x --length 0x0", Errc::invalid_argument,
                "invalid length '0x0': must be positive");
    check_error("posix:/x --length 99999999999999999999", Errc::out_of_range,
                "invalid length '99999999999999999999': too large");
    check_error("posix:/x --length 16E", Errc::out_of_range, "invalid length '16E': too large");
  }
  SUBCASE("bad --type") {
    check_error("posix:/x --type u128", Errc::invalid_argument,
                "unknown value type 'u128' (valid: u8, i8, u16, i16, u32, i32, u64, i64, f32, "
                "f64)");
  }
  SUBCASE("bad --count") {
    check_error("posix:/x --type u8 --count 0", Errc::invalid_argument,
                "invalid count '0': must be positive");
    check_error("posix:/x --type u8 --count=-1", Errc::invalid_argument,
                "invalid count '-1': a sign is not allowed");
    check_error("posix:/x --type u8 --count 010x", Errc::invalid_argument,
                "invalid count '010x': not a number");
    check_error("posix:/x --type u64 --count 0x2000000000000000", Errc::out_of_range,
                "invalid count '0x2000000000000000': too large");
    check_error("posix:/x --type u8 --count 18446744073709551616", Errc::out_of_range,
                "invalid count '18446744073709551616': too large");
  }
  SUBCASE("bad --endian") {
    check_error("posix:/x --type u16 --endian middle", Errc::invalid_argument,
                "unknown byte order 'middle' (valid: little, big, native)");
  }
}
