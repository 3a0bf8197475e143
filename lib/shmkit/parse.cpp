#include "shmkit/parse.hpp"

#include "shmkit/text.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <climits>

namespace shmkit {

namespace {

// User text is quoted through printable_text(): a message is one printable line whatever was
// typed (issue 13: found by tests/fuzz/numbers.cpp, "invalid offset '\x01'" carried the raw byte).
Error bad(std::string_view what, std::string_view text, std::string_view why) {
  return make_error(Errc::invalid_argument,
                    fmt::format("invalid {} '{}': {}", what, printable_text(text), why));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits the leading number (decimal or 0x hex) off `text`; `rest` gets the remainder.
Result<std::uint64_t> leading_number(std::string_view text, std::string_view what,
                                     std::string_view &rest) {
  if (text.empty())
    return bad(what, text, "empty");
  int base = 10;
  std::string_view digits = text;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits = text.substr(2);
  }
  if (digits.empty() || !(is_digit(digits[0]) || (base == 16 && std::isxdigit(
                                                                   static_cast<unsigned char>(digits[0])))))
    return bad(what, text, text[0] == '-' || text[0] == '+' ? "a sign is not allowed"
                                                             : "not a number");
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec == std::errc::result_out_of_range)
    return make_error(Errc::out_of_range,
                      fmt::format("invalid {} '{}': too large", what, printable_text(text)));
  rest = std::string_view(ptr, static_cast<std::size_t>(digits.data() + digits.size() - ptr));
  return value;
}

} // namespace

Result<std::uint64_t> parse_uint(std::string_view text, std::string_view what,
                                 std::uint64_t max) {
  std::string_view rest;
  auto value = leading_number(text, what, rest);
  if (!value)
    return value;
  if (!rest.empty())
    return bad(what, text, "not a number");
  if (*value > max)
    return make_error(Errc::out_of_range, fmt::format("invalid {} '{}': larger than {}", what,
                                                      printable_text(text), max));
  return value;
}

Result<std::uint64_t> parse_byte_count(std::string_view text, std::string_view what) {
  std::string_view suffix;
  auto value = leading_number(text, what, suffix);
  if (!value)
    return value;
  if (suffix.empty() || suffix == "B")
    return value;
  static constexpr std::string_view k_units = "KMGTPE";
  auto pos = k_units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0]))));
  if (pos == std::string_view::npos)
    return bad(what, text, "unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
  std::string_view tail = suffix.substr(1);
  std::uint64_t base = 0;
  if (tail.empty() || tail == "iB")
    base = 1024;
  else if (tail == "B")
    base = 1000;
  else
    return bad(what, text, "unknown suffix (use K, M, G, T, P, E, KiB.. or KB..)");
  std::uint64_t result = *value;
  for (std::size_t i = 0; i <= pos; ++i) {
    if (result > UINT64_MAX / base)
      return make_error(Errc::out_of_range,
                        fmt::format("invalid {} '{}': too large", what, printable_text(text)));
    result *= base;
  }
  return result;
}

Result<std::uint64_t> parse_size(std::string_view text) {
  auto value = parse_byte_count(text, "size");
  if (value && *value == 0)
    return make_error(Errc::invalid_argument, "invalid size '0': must be positive");
  return value;
}

Result<std::uint32_t> parse_key(std::string_view text) {
  auto value = parse_uint(text, "key", UINT32_MAX);
  if (!value)
    return std::move(value).error();
  return static_cast<std::uint32_t>(*value);
}

Result<int> parse_shmid(std::string_view text) {
  auto value = parse_uint(text, "id", INT_MAX);
  if (!value)
    return std::move(value).error();
  return static_cast<int>(*value);
}

Result<unsigned> parse_mode(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O'))
    digits.remove_prefix(2);
  if (digits.empty())
    return bad("mode", text, "empty");
  unsigned value = 0;
  for (char c : digits) {
    if (c < '0' || c > '7')
      return bad("mode", text, "not an octal mode like 600 or 0640");
    value = value * 8 + static_cast<unsigned>(c - '0');
    if (value > 07777)
      return bad("mode", text, "not an octal mode like 600 or 0640");
  }
  if (value > 0777)
    return bad("mode", text, "setuid, setgid and sticky bits are not allowed");
  return value;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view what) {
  std::string_view unit;
  if (text.empty())
    return bad(what, text, "empty");
  if (!is_digit(text[0]))
    return bad(what, text, text[0] == '-' || text[0] == '+' ? "a sign is not allowed"
                                                             : "not a duration like 100ms, 2s or 1m");
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (ec == std::errc::result_out_of_range)
    return make_error(Errc::out_of_range,
                      fmt::format("invalid {} '{}': too large", what, printable_text(text)));
  unit = std::string_view(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  std::uint64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else if (unit == "d")
    factor = 86'400'000;
  else
    return bad(what, text, "unknown unit (use ms, s, m, h or d)");
  constexpr std::uint64_t k_max_ms = std::uint64_t{1} << 52;
  if (value > k_max_ms / factor)
    return make_error(Errc::out_of_range,
                      fmt::format("invalid {} '{}': too large", what, printable_text(text)));
  return std::chrono::milliseconds(static_cast<std::int64_t>(value * factor));
}

} // namespace shmkit
