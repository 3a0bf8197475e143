#include "shmkit/typed.hpp"

#include "shmkit/text.hpp"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>

namespace shmkit {

namespace {

struct TypeInfo {
  ValueType type;
  const char *name;
  unsigned width;
  bool is_signed;
  bool is_float;
};

constexpr std::array<TypeInfo, 10> k_types = {{
    {ValueType::u8, "u8", 1, false, false},
    {ValueType::i8, "i8", 1, true, false},
    {ValueType::u16, "u16", 2, false, false},
    {ValueType::i16, "i16", 2, true, false},
    {ValueType::u32, "u32", 4, false, false},
    {ValueType::i32, "i32", 4, true, false},
    {ValueType::u64, "u64", 8, false, false},
    {ValueType::i64, "i64", 8, true, false},
    {ValueType::f32, "f32", 4, true, true},
    {ValueType::f64, "f64", 8, true, true},
}};

const TypeInfo &info(ValueType type) noexcept { return k_types[static_cast<std::size_t>(type)]; }

bool is_big(Endian endian) noexcept {
  return endian == Endian::big ||
         (endian == Endian::native && std::endian::native == std::endian::big);
}

// The low `width` bytes of `bits`, in the requested byte order.
EncodedValue store(std::uint64_t bits, unsigned width, Endian endian) {
  EncodedValue v;
  v.size = width;
  const bool big = is_big(endian);
  for (unsigned i = 0; i < width; ++i) {
    unsigned shift = 8 * (big ? width - 1 - i : i);
    v.storage[i] = static_cast<std::byte>((bits >> shift) & 0xff);
  }
  return v;
}

std::uint64_t load(std::span<const std::byte> bytes, unsigned width, Endian endian) {
  const bool big = is_big(endian);
  std::uint64_t bits = 0;
  for (unsigned i = 0; i < width; ++i) {
    unsigned shift = 8 * (big ? width - 1 - i : i);
    bits |= static_cast<std::uint64_t>(std::to_integer<unsigned char>(bytes[i])) << shift;
  }
  return bits;
}

// Largest magnitude of a width-byte type: the maximum, or for negatives |minimum|.
std::uint64_t max_magnitude(const TypeInfo &t, bool negative) {
  unsigned bits = 8 * t.width - (t.is_signed ? 1 : 0);
  std::uint64_t max = bits == 64 ? UINT64_MAX : (std::uint64_t{1} << bits) - 1;
  return negative ? max + 1 : max;
}

Error integer_out_of_range(std::string_view text, const TypeInfo &t) {
  std::string range = t.is_signed
                          ? fmt::format("-{}..{}", max_magnitude(t, true), max_magnitude(t, false))
                          : fmt::format("0..{}", max_magnitude(t, false));
  return make_error(Errc::out_of_range, fmt::format("value '{}' out of range for {} ({})",
                                                    printable_text(text), t.name, range));
}

Result<EncodedValue> encode_integer(std::string_view text, const TypeInfo &t, Endian endian) {
  auto invalid = [&] {
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid {} value '{}': expected a decimal or 0x hex integer",
                                  t.name, printable_text(text)));
  };
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative)
    digits.remove_prefix(1);
  int base = 10;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  // from_chars into an unsigned type takes no sign, so "--1" and "-+1" fail here too.
  if (digits.empty())
    return invalid();
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  // On overflow from_chars still consumes every digit and reports result_out_of_range.
  if (ptr != digits.data() + digits.size() || ec == std::errc::invalid_argument)
    return invalid();
  if (ec == std::errc::result_out_of_range || (negative && !t.is_signed) ||
      magnitude > max_magnitude(t, negative))
    return integer_out_of_range(text, t);
  std::uint64_t bits = negative ? ~magnitude + 1 : magnitude; // two's complement
  return store(bits, t.width, endian);
}

template <typename F>
Result<EncodedValue> encode_float(std::string_view text, const TypeInfo &t, Endian endian) {
  auto invalid = [&] {
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid {} value '{}': expected a decimal number, inf or nan",
                                  t.name, printable_text(text)));
  };
  // "nan(payload)": libstdc++ parses and then drops the payload, so refuse it.
  if (text.find('(') != std::string_view::npos)
    return invalid();
  F value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::invalid_argument || ptr != text.data() + text.size())
    return invalid();
  if (ec == std::errc::result_out_of_range)
    return make_error(Errc::out_of_range,
                      fmt::format("value '{}' out of range for {} (magnitude above {} or below {})",
                                  printable_text(text), t.name, std::numeric_limits<F>::max(),
                                  std::numeric_limits<F>::denorm_min()));
  using Bits = std::conditional_t<sizeof(F) == 4, std::uint32_t, std::uint64_t>;
  return store(std::bit_cast<Bits>(value), t.width, endian);
}

bool is_hex_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A character for a message: itself when printable ASCII, else \xHH (shmkit(1) CONVENTIONS).
std::string printable(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u > 0x20 && u < 0x7f)
    return std::string(1, c);
  return fmt::format("\\x{:02x}", u);
}

} // namespace

Result<ValueType> parse_value_type(std::string_view text) {
  for (const auto &t : k_types)
    if (text == t.name)
      return t.type;
  return make_error(Errc::invalid_argument,
                    fmt::format("unknown value type '{}' (valid: u8, i8, u16, i16, u32, i32, "
                                "u64, i64, f32, f64)",
                                printable_text(text)));
}

unsigned value_width(ValueType type) noexcept { return info(type).width; }

const char *value_type_name(ValueType type) noexcept { return info(type).name; }

Result<Endian> parse_endian(std::string_view text) {
  if (text == "little")
    return Endian::little;
  if (text == "big")
    return Endian::big;
  if (text == "native")
    return Endian::native;
  return make_error(
      Errc::invalid_argument,
      fmt::format("unknown byte order '{}' (valid: little, big, native)", printable_text(text)));
}

Result<EncodedValue> encode_value(std::string_view text, ValueType type, Endian endian) {
  const TypeInfo &t = info(type);
  if (type == ValueType::f32)
    return encode_float<float>(text, t, endian);
  if (type == ValueType::f64)
    return encode_float<double>(text, t, endian);
  return encode_integer(text, t, endian);
}

std::string format_value(std::span<const std::byte> bytes, ValueType type, Endian endian) {
  const unsigned width = value_width(type);
  if (bytes.size() < width)
    return {};
  const std::uint64_t bits = load(bytes, width, endian);
  switch (type) {
  case ValueType::u8:
  case ValueType::u16:
  case ValueType::u32:
  case ValueType::u64:
    return fmt::format("{}", bits);
  case ValueType::i8:
    return fmt::format("{}", static_cast<int>(static_cast<std::int8_t>(bits)));
  case ValueType::i16:
    return fmt::format("{}", static_cast<int>(static_cast<std::int16_t>(bits)));
  case ValueType::i32:
    return fmt::format("{}", static_cast<std::int32_t>(bits));
  case ValueType::i64:
    return fmt::format("{}", static_cast<std::int64_t>(bits));
  case ValueType::f32:
    return fmt::format("{}", std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
  case ValueType::f64:
    return fmt::format("{}", std::bit_cast<double>(bits));
  }
  return {};
}

bool values_equal(std::span<const std::byte> current, const EncodedValue &target) noexcept {
  return current.size() >= target.size &&
         std::memcmp(current.data(), target.storage.data(), target.size) == 0;
}

Result<std::vector<std::byte>> parse_hex_bytes(std::string_view text) {
  std::vector<std::byte> out;
  out.reserve(text.size() / 2);
  int high = -1; // the first digit of a byte in progress
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_hex_space(c)) {
      if (high >= 0)
        return make_error(Errc::invalid_argument,
                          fmt::format("whitespace inside a byte at position {}", i + 1));
      continue;
    }
    const int digit = hex_digit_value(c);
    if (digit < 0) {
      const bool prefix = high == 0 && (c == 'x' || c == 'X');
      return make_error(Errc::invalid_argument,
                        fmt::format("invalid hex digit '{}' at position {}{}", printable(c), i + 1,
                                    prefix ? " (write hex pairs without a 0x prefix)" : ""));
    }
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<std::byte>(high * 16 + digit));
      high = -1;
    }
  }
  if (high >= 0)
    return make_error(Errc::invalid_argument, "odd number of hex digits");
  return out;
}

} // namespace shmkit
