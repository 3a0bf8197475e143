// Fuzz target: every number a user types (lib/shmkit/parse.hpp): byte counts and sizes
// (--size, --offset, --length), plain unsigned integers, SysV keys and shmids, modes and
// durations. The first byte picks the parser, the rest is the text.
//
// Properties: an accepted value is in its parser's range and agrees with an independent
// reference reading of the documented grammar (128-bit arithmetic, no overflow); formatting it
// again (decimal, 0x hex, with the largest exact suffix) parses back to the same value; a
// rejected text has a one-line printable message, and out_of_range only when the reference
// value really is too large.
#include "fuzz_common.hpp"

#include "shmkit/parse.hpp"

#include <fmt/format.h>

#include <chrono>
#include <climits>
#include <optional>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

__extension__ typedef unsigned __int128 u128; // __extension__: -Wpedantic
constexpr u128 k_too_big = u128{1} << 100; // any value above UINT64_MAX, kept from overflowing

int digit_value(char c, int base) {
  int v = hex_digit_value(c);
  return v >= 0 && v < base ? v : -1;
}

// The reference number grammar of parse.hpp: DIGITS or 0x/0X HEXDIGITS, then `rest`.
// Returns nullopt when there is no number at the front.
std::optional<u128> reference_number(std::string_view text, std::string_view &rest) {
  int base = 10;
  std::string_view digits = text;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  std::size_t n = 0;
  u128 value = 0;
  while (n < digits.size() && digit_value(digits[n], base) >= 0) {
    value =
        value * static_cast<unsigned>(base) + static_cast<unsigned>(digit_value(digits[n], base));
    if (value > k_too_big)
      value = k_too_big;
    ++n;
  }
  if (n == 0)
    return std::nullopt;
  rest = digits.substr(n);
  return value;
}

// What parse.hpp's grammar says of a text: accepted with a value, or which Errc.
struct Expected {
  std::optional<std::uint64_t> value;
  Errc code = Errc::invalid_argument;
};

Expected accept(u128 value) { return {static_cast<std::uint64_t>(value), Errc::invalid_argument}; }
Expected reject(Errc code) { return {std::nullopt, code}; }

// The reference byte count: the number (too large: out_of_range), a suffix (unknown:
// invalid_argument), then the product (too large: out_of_range).
Expected reference_byte_count(std::string_view text) {
  std::string_view suffix;
  auto value = reference_number(text, suffix);
  if (!value)
    return reject(Errc::invalid_argument);
  if (*value > UINT64_MAX)
    return reject(Errc::out_of_range);
  if (suffix.empty() || suffix == "B")
    return accept(*value);
  static constexpr std::string_view k_units = "KMGTPE";
  char unit =
      suffix[0] >= 'a' && suffix[0] <= 'z' ? static_cast<char>(suffix[0] - 'a' + 'A') : suffix[0];
  auto pos = k_units.find(unit);
  if (pos == std::string_view::npos)
    return reject(Errc::invalid_argument);
  std::string_view tail = suffix.substr(1);
  unsigned base = tail.empty() || tail == "iB" ? 1024 : tail == "B" ? 1000 : 0;
  if (base == 0)
    return reject(Errc::invalid_argument);
  u128 result = *value;
  for (std::size_t i = 0; i <= pos; ++i) {
    result *= base;
    if (result > k_too_big)
      result = k_too_big;
  }
  if (result > UINT64_MAX)
    return reject(Errc::out_of_range);
  return accept(result);
}

// The reference parse_uint: a number, nothing after it, at most `max`.
Expected reference_uint(std::string_view text, std::uint64_t max) {
  std::string_view rest;
  auto value = reference_number(text, rest);
  if (!value)
    return reject(Errc::invalid_argument);
  if (*value > UINT64_MAX)
    return reject(Errc::out_of_range);
  if (!rest.empty())
    return reject(Errc::invalid_argument);
  if (*value > max)
    return reject(Errc::out_of_range);
  return accept(*value);
}

// The parser and the reference agree: same value, or the same Errc with a printable message.
void check_against(const Result<std::uint64_t> &got, const Expected &want, std::string_view text) {
  if (got) {
    FUZZ_CHECK_MSG(want.value && *want.value == *got, text);
  } else {
    FUZZ_CHECK_ERROR(got.error());
    FUZZ_CHECK_MSG(!want.value && want.code == got.error().code, text);
  }
}

// Formats `value` back in every spelling the grammar has and checks each gives `value`.
void check_byte_count_round_trip(std::uint64_t value) {
  auto same = [&](const std::string &text) {
    auto again = parse_byte_count(text, "size");
    FUZZ_CHECK_MSG(again && *again == value, text);
  };
  same(fmt::format("{}", value));
  same(fmt::format("0x{:x}", value));
  same(fmt::format("{}B", value));
  if (value == 0)
    return;
  static constexpr char k_units[] = "KMGTPE";
  std::uint64_t binary = value, decimal = value;
  for (int i = 0; i < 6 && binary % 1024 == 0; ++i) {
    binary /= 1024;
    same(fmt::format("{}{}", binary, k_units[i]));
    same(fmt::format("{}{}iB", binary, k_units[i]));
  }
  for (int i = 0; i < 6 && decimal % 1000 == 0; ++i) {
    decimal /= 1000;
    same(fmt::format("{}{}B", decimal, k_units[i]));
  }
}

void fuzz_byte_count(std::string_view text) {
  auto value = parse_byte_count(text, "offset");
  check_against(value, reference_byte_count(text), text);
  if (value)
    check_byte_count_round_trip(*value);
  // parse_size is parse_byte_count without zero.
  auto size = parse_size(text);
  FUZZ_CHECK_MSG(size.has_value() == (value.has_value() && *value != 0), text);
  if (size)
    FUZZ_CHECK(*size == *value);
  else
    FUZZ_CHECK_ERROR(size.error());
}

void fuzz_uint(std::string_view text, std::uint64_t max) {
  auto value = parse_uint(text, "count", max);
  check_against(value, reference_uint(text, max), text);
  if (value) {
    auto dec = parse_uint(fmt::format("{}", *value), "count", max);
    auto hex = parse_uint(fmt::format("0x{:X}", *value), "count", max);
    FUZZ_CHECK(dec && *dec == *value && hex && *hex == *value);
  }
}

void fuzz_key(std::string_view text) {
  auto key = parse_key(text);
  auto wide = parse_uint(text, "key", UINT32_MAX);
  FUZZ_CHECK(key.has_value() == wide.has_value());
  if (key) {
    FUZZ_CHECK(*key == *wide);
    auto again = parse_key(fmt::format("0x{:08x}", *key));
    FUZZ_CHECK(again && *again == *key);
  } else {
    FUZZ_CHECK_ERROR(key.error());
  }
}

void fuzz_shmid(std::string_view text) {
  auto id = parse_shmid(text);
  if (id) {
    FUZZ_CHECK(*id >= 0);
    auto again = parse_shmid(fmt::format("{}", *id));
    FUZZ_CHECK(again && *again == *id);
  } else {
    FUZZ_CHECK_ERROR(id.error());
  }
}

void fuzz_mode(std::string_view text) {
  auto mode = parse_mode(text);
  if (mode) {
    FUZZ_CHECK_MSG(*mode <= 0777, text);
    for (auto spelling :
         {fmt::format("{:o}", *mode), fmt::format("0{:o}", *mode), fmt::format("0o{:o}", *mode)}) {
      auto again = parse_mode(spelling);
      FUZZ_CHECK_MSG(again && *again == *mode, spelling);
    }
  } else {
    FUZZ_CHECK_ERROR(mode.error());
  }
}

void fuzz_duration(std::string_view text) {
  auto ms = parse_duration(text, "interval");
  if (ms) {
    FUZZ_CHECK_MSG(ms->count() >= 0 && ms->count() <= (std::int64_t{1} << 52), text);
    auto again = parse_duration(fmt::format("{}ms", ms->count()), "interval");
    FUZZ_CHECK(again && *again == *ms);
    if (ms->count() % 1000 == 0) {
      auto secs = parse_duration(fmt::format("{}s", ms->count() / 1000), "interval");
      FUZZ_CHECK(secs && *secs == *ms);
    }
  } else {
    FUZZ_CHECK_ERROR(ms.error());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  Input in(data, size);
  const std::uint8_t which = in.byte();
  const std::string_view text = in.rest();
  switch (which % 6) {
  case 0:
    fuzz_byte_count(text);
    break;
  case 1: {
    // The maximum comes from the text's own length, so small and large limits both occur.
    static constexpr std::uint64_t k_maxes[] = {0, 1, 255, 0777, INT_MAX, UINT32_MAX, UINT64_MAX};
    fuzz_uint(text, k_maxes[(which / 6) % 7]);
    break;
  }
  case 2:
    fuzz_key(text);
    break;
  case 3:
    fuzz_shmid(text);
    break;
  case 4:
    fuzz_mode(text);
    break;
  default:
    fuzz_duration(text);
    break;
  }
  return 0;
}
