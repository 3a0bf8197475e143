#include "shmkit/text.hpp"

#include <fmt/format.h>

namespace shmkit {

int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char32_t utf8_code_point(std::string_view s, std::size_t i, std::size_t len) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  static constexpr unsigned char k_lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
  char32_t cp = byte(i) & k_lead_mask[len];
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (byte(i + k) & 0x3fu);
  return cp;
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80)
    return 1;
  std::size_t len = 0;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4;
  else
    return 0;
  if (i + len > s.size())
    return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0u) != 0x80u)
      return 0;
  char32_t cp = utf8_code_point(s, i, len);
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

std::string printable_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = utf8_sequence_length(text, i);
    char32_t cp = len != 0 ? utf8_code_point(text, i, len) : 0;
    if (len != 0 && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) {
      out.append(text.substr(i, len));
      i += len;
      continue;
    }
    std::size_t bytes = len != 0 ? len : 1;
    for (std::size_t k = 0; k < bytes; ++k)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i + k]));
    i += bytes;
  }
  return out;
}

} // namespace shmkit
