#include "format.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <charconv>

namespace shmkit::cli {

namespace {

constexpr char k_hex_digits[] = "0123456789abcdef";

void append_strftime(std::string &out, const char *pattern, const std::tm &tm) {
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
  out.append(buf, n);
}

} // namespace

Result<std::size_t> parse_choice(std::string_view text, std::span<const std::string_view> words,
                                 std::string_view what) {
  std::string list;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (text == words[i])
      return i;
    list += fmt::format("{}{}", i == 0 ? "" : ", ", words[i]);
  }
  return make_error(Errc::invalid_argument,
                    fmt::format("unknown {} '{}' (use {})", what, escape_bytes(text), list));
}

Result<TimeFormat> parse_time_format(std::string_view text) {
  static constexpr std::string_view k_words[] = {"short", "full", "iso"};
  static constexpr TimeFormat k_formats[] = {TimeFormat::short_form, TimeFormat::full,
                                             TimeFormat::iso};
  return parse_choice(text, k_words, k_formats, "time format");
}

void append_decimal(std::string &out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  // (An append of two pointers would go through replace().)
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void append_human_size(std::string &out, std::uint64_t bytes) {
  // Integer arithmetic: this runs once per row.
  static constexpr char k_units[] = "BKMGTPE";
  int unit = 0;
  std::uint64_t scale = 1;
  while (unit < 6 && bytes / scale >= 1024) {
    scale *= 1024;
    ++unit;
  }
  std::uint64_t whole = bytes / scale;
  std::uint64_t rest = bytes % scale;
  std::uint64_t tenths = 0;
  if (unit != 0 && whole < 10) {
    // rest < scale <= 2^60, so rest * 10 cannot overflow.
    tenths = (rest * 10 + scale / 2) / scale;
    if (tenths == 10) {
      ++whole;
      tenths = 0;
    }
  } else if (unit != 0 && rest >= scale - rest) {
    ++whole;
  }
  char text[32];
  char *end = std::to_chars(text, text + 24, whole).ptr;
  if (tenths != 0 && whole < 10) {
    *end++ = '.';
    *end++ = static_cast<char>('0' + tenths);
  }
  *end++ = k_units[unit];
  out.append(text, static_cast<std::size_t>(end - text));
}

std::string human_size(std::uint64_t bytes) {
  std::string out;
  append_human_size(out, bytes);
  return out;
}

// These run once per row of a listing: each builds its text on the stack and appends it in
// one go (one capacity check, not one per character).

void append_key(std::string &out, std::uint64_t key) {
  char text[] = "0x00000000";
  for (int i = 0; i < 8; ++i)
    text[9 - i] = k_hex_digits[(key >> (4 * i)) & 0xf];
  out.append(text, sizeof text - 1);
}

void append_octal_perms(std::string &out, unsigned mode, bool leading_zero) {
  char text[4];
  std::size_t n = 0;
  for (int i = leading_zero ? 3 : 2; i >= 0; --i)
    text[n++] = static_cast<char>('0' + ((mode >> (3 * i)) & 7));
  out.append(text, n);
}

void append_symbolic_perms(std::string &out, unsigned mode) {
  static constexpr char k_bits[] = "rwxrwxrwx";
  char text[9];
  for (int i = 0; i < 9; ++i)
    text[i] = (mode & (0400u >> i)) != 0 ? k_bits[i] : '-';
  out.append(text, sizeof text);
}

void append_local_time(std::string &out, std::time_t t, TimeFormat format, std::time_t now) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  const char *pattern = "%Y-%m-%dT%H:%M:%S%z";
  if (format == TimeFormat::full) {
    pattern = "%a %b %e %H:%M:%S %Y";
  } else if (format == TimeFormat::short_form) {
    std::tm today{};
    ::localtime_r(&now, &today);
    if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
      pattern = "%H:%M";
    else if (tm.tm_year == today.tm_year)
      pattern = "%b%d";
    else
      pattern = "%Y-%m-%d";
  }
  append_strftime(out, pattern, tm);
}

void append_utc_time(std::string &out, std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  append_strftime(out, "%Y-%m-%dT%H:%M:%SZ", tm);
}

void append_export_value(std::string &out, std::string_view text) {
  for (char ch : text) {
    if (ch == '"' || ch == '$' || ch == '`') {
      auto u = static_cast<unsigned char>(ch);
      out += "\\x";
      out += k_hex_digits[u >> 4];
      out += k_hex_digits[u & 0xf];
    } else {
      out += ch;
    }
  }
}

} // namespace shmkit::cli
