#include "shmkit/typed.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <string>
#include <string_view>
#include <vector>

using shmkit::Endian;
using shmkit::Errc;
using shmkit::ValueType;

namespace {

// Bytes as "de ad be ef", so that failures print readably.
std::string hex(std::span<const std::byte> bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string s;
  for (auto b : bytes) {
    auto u = std::to_integer<unsigned>(b);
    if (!s.empty())
      s += ' ';
    s += k_digits[u >> 4];
    s += k_digits[u & 15];
  }
  return s;
}

std::string encoded(std::string_view text, ValueType type, Endian endian = Endian::little) {
  auto r = shmkit::encode_value(text, type, endian);
  REQUIRE(r.has_value());
  return hex(r->bytes());
}

// Checks that encoding fails with exactly `code` and `message`.
void check_encode_error(std::string_view text, ValueType type, Errc code,
                        std::string_view message) {
  auto r = shmkit::encode_value(text, type, Endian::little);
  CAPTURE(text);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
  std::vector<std::byte> v;
  for (auto x : values)
    v.push_back(static_cast<std::byte>(x));
  return v;
}

constexpr ValueType k_all_types[] = {ValueType::u8,  ValueType::i8,  ValueType::u16, ValueType::i16,
                                     ValueType::u32, ValueType::i32, ValueType::u64, ValueType::i64,
                                     ValueType::f32, ValueType::f64};

} // namespace

TEST_CASE("shmkit::parse_value_type") {
  SUBCASE("every name round-trips, with its width") {
    const unsigned widths[] = {1, 1, 2, 2, 4, 4, 8, 8, 4, 8};
    std::size_t i = 0;
    for (auto type : k_all_types) {
      auto r = shmkit::parse_value_type(shmkit::value_type_name(type));
      REQUIRE(r.has_value());
      CHECK(*r == type);
      CHECK(shmkit::value_width(type) == widths[i++]);
    }
    CHECK(std::string_view(shmkit::value_type_name(ValueType::i16)) == "i16");
  }
  SUBCASE("unknown names list the valid ones") {
    for (std::string_view bad : {"U8", "", "u128", "uint8", "u8 ", "f16"}) {
      auto r = shmkit::parse_value_type(bad);
      CAPTURE(bad);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == Errc::invalid_argument);
      CHECK(r.error().message == "unknown value type '" + std::string(bad) +
                                     "' (valid: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64)");
    }
  }
}

TEST_CASE("shmkit::parse_endian") {
  CHECK(*shmkit::parse_endian("little") == Endian::little);
  CHECK(*shmkit::parse_endian("big") == Endian::big);
  CHECK(*shmkit::parse_endian("native") == Endian::native);
  auto r = shmkit::parse_endian("le");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_argument);
  CHECK(r.error().message == "unknown byte order 'le' (valid: little, big, native)");
}

TEST_CASE("typed-value messages quote user text as one printable line") {
  // issue 13 (fuzzing): tests/fuzz/corpus/typed/crash-b4cb7f0895eec7c5e31982af72d3ff7b72dc769d,
  // --type "\x01", reached the message raw.
  auto type = shmkit::parse_value_type("\x01");
  REQUIRE_FALSE(type.has_value());
  CHECK(type.error().message ==
        "unknown value type '\\x01' (valid: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64)");
  auto order = shmkit::parse_endian("big\n");
  REQUIRE_FALSE(order.has_value());
  CHECK(order.error().message == "unknown byte order 'big\\x0a' (valid: little, big, native)");
  check_encode_error("1\x1b[31m", ValueType::u32, Errc::invalid_argument,
                     "invalid u32 value '1\\x1b[31m': expected a decimal or 0x hex integer");
  check_encode_error("300\t", ValueType::u8, Errc::invalid_argument,
                     "invalid u8 value '300\\x09': expected a decimal or 0x hex integer");
  check_encode_error("99999999999999999999\xff", ValueType::u64, Errc::invalid_argument,
                     "invalid u64 value '99999999999999999999\\xff': expected a decimal or 0x hex "
                     "integer");
  check_encode_error("1.5\r", ValueType::f64, Errc::invalid_argument,
                     "invalid f64 value '1.5\\x0d': expected a decimal number, inf or nan");
}

TEST_CASE("shmkit::encode_value") {
  SUBCASE("unsigned integers: decimal and 0x hex") {
    CHECK(encoded("0", ValueType::u8) == "00");
    CHECK(encoded("255", ValueType::u8) == "ff");
    CHECK(encoded("0xff", ValueType::u8) == "ff");
    CHECK(encoded("0XfF", ValueType::u8) == "ff");
    CHECK(encoded("010", ValueType::u8) == "0a"); // decimal, never octal
    CHECK(encoded("0x1234", ValueType::u16) == "34 12");
    CHECK(encoded("4294967295", ValueType::u32) == "ff ff ff ff");
    CHECK(encoded("18446744073709551615", ValueType::u64) == "ff ff ff ff ff ff ff ff");
    CHECK(encoded("0x0102030405060708", ValueType::u64) == "08 07 06 05 04 03 02 01");
  }
  SUBCASE("signed integers: two's complement") {
    CHECK(encoded("-1", ValueType::i8) == "ff");
    CHECK(encoded("-128", ValueType::i8) == "80");
    CHECK(encoded("-0x80", ValueType::i8) == "80");
    CHECK(encoded("127", ValueType::i8) == "7f");
    CHECK(encoded("-0", ValueType::i16) == "00 00");
    CHECK(encoded("-2", ValueType::i32) == "fe ff ff ff");
    CHECK(encoded("-9223372036854775808", ValueType::i64) == "00 00 00 00 00 00 00 80");
    CHECK(encoded("9223372036854775807", ValueType::i64) == "ff ff ff ff ff ff ff 7f");
  }
  SUBCASE("byte order") {
    CHECK(encoded("0x12345678", ValueType::u32, Endian::little) == "78 56 34 12");
    CHECK(encoded("0x12345678", ValueType::u32, Endian::big) == "12 34 56 78");
    CHECK(encoded("0x12345678", ValueType::u32, Endian::native) ==
          (std::endian::native == std::endian::little ? "78 56 34 12" : "12 34 56 78"));
    CHECK(encoded("-2", ValueType::i16, Endian::big) == "ff fe");
    CHECK(encoded("1.5", ValueType::f64, Endian::big) == "3f f8 00 00 00 00 00 00");
  }
  SUBCASE("integers out of range name the range") {
    check_encode_error("300", ValueType::u8, Errc::out_of_range,
                       "value '300' out of range for u8 (0..255)");
    check_encode_error("0x100", ValueType::u8, Errc::out_of_range,
                       "value '0x100' out of range for u8 (0..255)");
    check_encode_error("-1", ValueType::u32, Errc::out_of_range,
                       "value '-1' out of range for u32 (0..4294967295)");
    check_encode_error("-0", ValueType::u8, Errc::out_of_range,
                       "value '-0' out of range for u8 (0..255)");
    check_encode_error("0xff", ValueType::i8, Errc::out_of_range,
                       "value '0xff' out of range for i8 (-128..127)");
    check_encode_error("-129", ValueType::i8, Errc::out_of_range,
                       "value '-129' out of range for i8 (-128..127)");
    check_encode_error("32768", ValueType::i16, Errc::out_of_range,
                       "value '32768' out of range for i16 (-32768..32767)");
    check_encode_error("18446744073709551616", ValueType::u64, Errc::out_of_range,
                       "value '18446744073709551616' out of range for u64 "
                       "(0..18446744073709551615)");
    check_encode_error("0x10000000000000000", ValueType::u64, Errc::out_of_range,
                       "value '0x10000000000000000' out of range for u64 "
                       "(0..18446744073709551615)");
    check_encode_error("-9223372036854775809", ValueType::i64, Errc::out_of_range,
                       "value '-9223372036854775809' out of range for i64 "
                       "(-9223372036854775808..9223372036854775807)");
  }
  SUBCASE("integers: anything else is not a number") {
    for (std::string_view bad :
         {"abc", "", " 1", "1 ", "+1", "--1", "-", "0x", "-0x", "0x-1", "1.5", "1e3", "12abc",
          "0x1g", "99999999999999999999999x", "1_000", "0b101"}) {
      check_encode_error(bad, ValueType::u32, Errc::invalid_argument,
                         "invalid u32 value '" + std::string(bad) +
                             "': expected a decimal or 0x hex integer");
    }
    check_encode_error("abc", ValueType::i8, Errc::invalid_argument,
                       "invalid i8 value 'abc': expected a decimal or 0x hex integer");
  }
  SUBCASE("floats") {
    CHECK(encoded("1.5", ValueType::f32) == "00 00 c0 3f");
    CHECK(encoded(".5", ValueType::f32) == "00 00 00 3f");
    CHECK(encoded("-2E+1", ValueType::f32) == "00 00 a0 c1");
    CHECK(encoded("0.1", ValueType::f64) == "9a 99 99 99 99 99 b9 3f");
    CHECK(encoded("-0", ValueType::f64) == "00 00 00 00 00 00 00 80");
    CHECK(encoded("inf", ValueType::f32) == "00 00 80 7f");
    CHECK(encoded("-Infinity", ValueType::f32) == "00 00 80 ff");
    CHECK(encoded("nan", ValueType::f64) == "00 00 00 00 00 00 f8 7f");
    CHECK(encoded("4.9e-324", ValueType::f64) == "01 00 00 00 00 00 00 00"); // denormal
  }
  SUBCASE("floats out of range: overflow and underflow") {
    check_encode_error("1e400", ValueType::f64, Errc::out_of_range,
                       "value '1e400' out of range for f64 "
                       "(magnitude above 1.7976931348623157e+308 or below 5e-324)");
    check_encode_error("-1e-400", ValueType::f64, Errc::out_of_range,
                       "value '-1e-400' out of range for f64 "
                       "(magnitude above 1.7976931348623157e+308 or below 5e-324)");
    check_encode_error("1e39", ValueType::f32, Errc::out_of_range,
                       "value '1e39' out of range for f32 "
                       "(magnitude above 3.4028235e+38 or below 1e-45)");
  }
  SUBCASE("floats: anything else is not a number") {
    for (std::string_view bad :
         {"abc", "", " 1", "1 ", "+1", "1e", "0x1p3", "nan(1)", "1,5", "--1", "infx"}) {
      check_encode_error(bad, ValueType::f64, Errc::invalid_argument,
                         "invalid f64 value '" + std::string(bad) +
                             "': expected a decimal number, inf or nan");
    }
  }
}

TEST_CASE("shmkit::format_value") {
  SUBCASE("integers in decimal") {
    CHECK(shmkit::format_value(bytes_of({0xff}), ValueType::u8, Endian::little) == "255");
    CHECK(shmkit::format_value(bytes_of({0xff}), ValueType::i8, Endian::little) == "-1");
    CHECK(shmkit::format_value(bytes_of({0x80, 0x00}), ValueType::i16, Endian::big) == "-32768");
    CHECK(shmkit::format_value(bytes_of({0x80, 0x00}), ValueType::i16, Endian::little) == "128");
    CHECK(shmkit::format_value(bytes_of({1, 0, 0, 0}), ValueType::u32, Endian::little) == "1");
    CHECK(shmkit::format_value(bytes_of({1, 0, 0, 0}), ValueType::u32, Endian::big) == "16777216");
    CHECK(shmkit::format_value(bytes_of({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
                               ValueType::u64, Endian::little) == "18446744073709551615");
    CHECK(shmkit::format_value(bytes_of({0, 0, 0, 0, 0, 0, 0, 0x80}), ValueType::i64,
                               Endian::little) == "-9223372036854775808");
  }
  SUBCASE("extra bytes are ignored, too few give an empty string") {
    CHECK(shmkit::format_value(bytes_of({2, 0, 9, 9}), ValueType::u16, Endian::little) == "2");
    CHECK(shmkit::format_value(bytes_of({2, 0, 0}), ValueType::u32, Endian::little) == "");
    CHECK(shmkit::format_value({}, ValueType::u8, Endian::little) == "");
  }
  SUBCASE("floats: shortest round-trip text") {
    CHECK(shmkit::format_value(bytes_of({0xcd, 0xcc, 0xcc, 0x3d}), ValueType::f32,
                               Endian::little) == "0.1");
    CHECK(shmkit::format_value(bytes_of({0x3f, 0xf8, 0, 0, 0, 0, 0, 0}), ValueType::f64,
                               Endian::big) == "1.5");
    CHECK(shmkit::format_value(bytes_of({0, 0, 0x80, 0xff}), ValueType::f32, Endian::little) ==
          "-inf");
    CHECK(shmkit::format_value(bytes_of({0, 0, 0xc0, 0x7f}), ValueType::f32, Endian::little) ==
          "nan");
    CHECK(shmkit::format_value(bytes_of({0, 0, 0, 0x80}), ValueType::f32, Endian::little) == "-0");
  }
  SUBCASE("format_value output encodes back to the same bytes") {
    struct Case {
      std::string_view text;
      ValueType type;
    };
    const Case cases[] = {
        {"0", ValueType::u8},
        {"200", ValueType::u8},
        {"-128", ValueType::i8},
        {"65535", ValueType::u16},
        {"-1234", ValueType::i16},
        {"123456789", ValueType::u32},
        {"-2147483648", ValueType::i32},
        {"18446744073709551615", ValueType::u64},
        {"-42", ValueType::i64},
        {"0.1", ValueType::f32},
        {"3.4028235e+38", ValueType::f32},
        {"1e-45", ValueType::f32},
        {"0.1", ValueType::f64},
        {"1e+300", ValueType::f64},
        {"5e-324", ValueType::f64},
        {"-0", ValueType::f64},
        {"inf", ValueType::f64},
        {"-inf", ValueType::f32},
        {"nan", ValueType::f64},
        {"-nan", ValueType::f64},
        {"123.456", ValueType::f64},
    };
    for (const auto &c : cases) {
      for (auto endian : {Endian::little, Endian::big}) {
        CAPTURE(c.text);
        auto enc = shmkit::encode_value(c.text, c.type, endian);
        REQUIRE(enc.has_value());
        const std::string text = shmkit::format_value(enc->bytes(), c.type, endian);
        CHECK(text == c.text);
        auto again = shmkit::encode_value(text, c.type, endian);
        REQUIRE(again.has_value());
        CHECK(hex(again->bytes()) == hex(enc->bytes()));
      }
    }
  }
}

TEST_CASE("shmkit::values_equal") {
  auto target = shmkit::encode_value("0x0102", ValueType::u16, Endian::little);
  REQUIRE(target.has_value());
  CHECK(shmkit::values_equal(bytes_of({2, 1}), *target));
  CHECK(shmkit::values_equal(bytes_of({2, 1, 7}), *target)); // compares the value's width
  CHECK_FALSE(shmkit::values_equal(bytes_of({2, 2}), *target));
  CHECK_FALSE(shmkit::values_equal(bytes_of({2}), *target));
  SUBCASE("bitwise: 0.0 and -0.0 differ") {
    auto zero = shmkit::encode_value("0", ValueType::f64, Endian::little);
    auto minus_zero = shmkit::encode_value("-0", ValueType::f64, Endian::little);
    REQUIRE(zero.has_value());
    REQUIRE(minus_zero.has_value());
    CHECK_FALSE(shmkit::values_equal(minus_zero->bytes(), *zero));
    CHECK(shmkit::values_equal(zero->bytes(), *zero));
  }
}

TEST_CASE("shmkit::parse_hex_bytes") {
  auto parsed = [](std::string_view text) {
    auto r = shmkit::parse_hex_bytes(text);
    REQUIRE(r.has_value());
    return hex(*r);
  };
  auto check_error = [](std::string_view text, std::string_view message) {
    auto r = shmkit::parse_hex_bytes(text);
    CAPTURE(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().message == message);
  };
  SUBCASE("pairs, any case, whitespace between bytes") {
    CHECK(parsed("") == "");
    CHECK(parsed(" \n") == "");
    CHECK(parsed("deadBEEF") == "de ad be ef");
    CHECK(parsed(" de ad\tbe\nef\r\n") == "de ad be ef");
    CHECK(parsed("00ff") == "00 ff");
  }
  SUBCASE("xxd -p output parses back") {
    CHECK(parsed("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d\n1e1f\n") ==
          "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b "
          "1c 1d 1e 1f");
  }
  SUBCASE("errors name the problem and the 1-based position") {
    check_error("abc", "odd number of hex digits");
    check_error("a", "odd number of hex digits");
    check_error("a bc", "whitespace inside a byte at position 2");
    check_error("ab c\nd", "whitespace inside a byte at position 5");
    check_error("zz", "invalid hex digit 'z' at position 1");
    check_error("ab cd-", "invalid hex digit '-' at position 6");
    check_error("0xff",
                "invalid hex digit 'x' at position 2 (write hex pairs without a 0x prefix)");
    check_error("ab\x01", "invalid hex digit '\\x01' at position 3");
    check_error("ab\xc3\xa9", "invalid hex digit '\\xc3' at position 3");
    check_error("ab,cd", "invalid hex digit ',' at position 3");
  }
}
