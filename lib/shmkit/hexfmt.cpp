#include "shmkit/hexfmt.hpp"

#include <algorithm>
#include <cstring>

namespace shmkit {

namespace {

constexpr char k_digits[] = "0123456789abcdef";

// byte -> "hh", two characters per entry.
constexpr std::array<char, 512> make_hex_pairs() {
  std::array<char, 512> t{};
  for (std::size_t b = 0; b < 256; ++b) {
    t[2 * b] = k_digits[b >> 4];
    t[2 * b + 1] = k_digits[b & 15];
  }
  return t;
}

// byte -> "hh " plus one spare character, so that one 4-byte copy writes a hexdump field.
constexpr std::array<char, 1024> make_hex_triples() {
  std::array<char, 1024> t{};
  for (std::size_t b = 0; b < 256; ++b) {
    t[4 * b] = k_digits[b >> 4];
    t[4 * b + 1] = k_digits[b & 15];
    t[4 * b + 2] = ' ';
    t[4 * b + 3] = ' ';
  }
  return t;
}

// byte -> the character of the ASCII column: printable ASCII as itself, anything else '.'.
// (xxd tests 31 < c < 127; hexdump uses isprint(), the same in the C and UTF-8 locales.)
constexpr std::array<char, 256> make_ascii() {
  std::array<char, 256> t{};
  for (std::size_t b = 0; b < 256; ++b)
    t[b] = (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
  return t;
}

constexpr std::array<char, 512> k_hex_pairs = make_hex_pairs();
constexpr std::array<char, 1024> k_hex_triples = make_hex_triples();
constexpr std::array<char, 256> k_ascii = make_ascii();

// Lines formatted per buffer growth: the zero-fill of std::string::resize then stays in cache.
constexpr std::size_t k_block_lines = 2048;
// Upper bound of one formatted line of any style: a 16-digit offset, hexdump's 49-character
// hex area, separators, 16 ASCII characters, a newline, and slack for 4-byte table copies.
constexpr std::size_t k_max_line = 96;

constexpr std::size_t k_hexdump_hex_width = 49; // 16 * "hh " plus the middle space
constexpr std::size_t k_xxd_hex_width = 40;     // 8 * "hhhh "
constexpr std::size_t k_plain_bytes = 30;       // xxd -p: 60 hex digits per line

inline unsigned byte_at(const std::byte *p, std::size_t i) {
  return static_cast<unsigned>(std::to_integer<unsigned char>(p[i]));
}

inline char *put_pair(char *p, unsigned b) {
  std::memcpy(p, &k_hex_pairs[2 * b], 2);
  return p + 2;
}

// Writes `offset` as at least 8 lowercase hex digits, like printf("%08llx").
inline char *put_offset(char *p, std::uint64_t offset) {
  if (offset <= 0xffffffffu) {
    p = put_pair(p, static_cast<unsigned>(offset >> 24) & 0xff);
    p = put_pair(p, static_cast<unsigned>(offset >> 16) & 0xff);
    p = put_pair(p, static_cast<unsigned>(offset >> 8) & 0xff);
    return put_pair(p, static_cast<unsigned>(offset) & 0xff);
  }
  int digits = 8;
  while (digits < 16 && (offset >> (4 * digits)) != 0)
    ++digits;
  for (int i = digits - 1; i >= 0; --i)
    *p++ = k_digits[(offset >> (4 * i)) & 15];
  return p;
}

// One hexdump -C line of n (1..16) bytes; short lines are padded to full hex width.
char *put_hexdump_line(char *p, std::uint64_t offset, const std::byte *b, std::size_t n) {
  p = put_offset(p, offset);
  *p++ = ' ';
  *p++ = ' ';
  if (n == 16) {
    for (std::size_t i = 0; i < 8; ++i, p += 3)
      std::memcpy(p, &k_hex_triples[4 * byte_at(b, i)], 4);
    *p++ = ' ';
    for (std::size_t i = 8; i < 16; ++i, p += 3)
      std::memcpy(p, &k_hex_triples[4 * byte_at(b, i)], 4);
  } else {
    std::memset(p, ' ', k_hexdump_hex_width);
    for (std::size_t i = 0; i < n; ++i)
      put_pair(p + 3 * i + (i >= 8 ? 1 : 0), byte_at(b, i));
    p += k_hexdump_hex_width;
  }
  *p++ = ' ';
  *p++ = '|';
  for (std::size_t i = 0; i < n; ++i)
    *p++ = k_ascii[byte_at(b, i)];
  *p++ = '|';
  *p++ = '\n';
  return p;
}

// One xxd line of n (1..16) bytes: pairs grouped by two, ASCII column at a fixed position.
char *put_xxd_line(char *p, std::uint64_t offset, const std::byte *b, std::size_t n) {
  p = put_offset(p, offset);
  *p++ = ':';
  *p++ = ' ';
  if (n == 16) {
    for (std::size_t i = 0; i < 16; i += 2) {
      p = put_pair(p, byte_at(b, i));
      p = put_pair(p, byte_at(b, i + 1));
      *p++ = ' ';
    }
  } else {
    std::memset(p, ' ', k_xxd_hex_width);
    for (std::size_t i = 0; i < n; ++i)
      put_pair(p + 2 * i + i / 2, byte_at(b, i));
    p += k_xxd_hex_width;
  }
  *p++ = ' ';
  for (std::size_t i = 0; i < n; ++i)
    *p++ = k_ascii[byte_at(b, i)];
  *p++ = '\n';
  return p;
}

} // namespace

HexFormatter::HexFormatter(HexStyle style, std::uint64_t start_offset, Squeeze squeeze)
    : m_style(style), m_squeeze(squeeze), m_offset(start_offset) {}

std::size_t HexFormatter::max_output_size(std::size_t n) noexcept {
  return (n / k_line_bytes + 2) * k_max_line;
}

void HexFormatter::feed(std::span<const std::byte> data, std::string &out) {
  if (data.empty()) // an empty span may carry a null pointer, which memcpy must not see
    return;
  if (m_style == HexStyle::plain) {
    feed_plain(data, out);
    return;
  }
  const std::byte *p = data.data();
  std::size_t left = data.size();
  if (m_pending_len > 0) {
    std::size_t take = std::min(k_line_bytes - m_pending_len, left);
    std::memcpy(m_pending.data() + m_pending_len, p, take);
    m_pending_len += take;
    p += take;
    left -= take;
    if (m_pending_len < k_line_bytes)
      return;
    feed_lines(m_pending.data(), 1, out);
    m_pending_len = 0;
  }
  std::size_t lines = left / k_line_bytes;
  if (lines > 0)
    feed_lines(p, lines, out);
  p += lines * k_line_bytes;
  left -= lines * k_line_bytes;
  if (left > 0) {
    std::memcpy(m_pending.data(), p, left);
    m_pending_len = left;
  }
}

void HexFormatter::feed_lines(const std::byte *data, std::size_t lines, std::string &out) {
  const bool squeeze = m_style == HexStyle::hexdump && m_squeeze == Squeeze::yes;
  // The previous printed line: in m_prev until a line of this call is printed.
  const std::byte *prev = m_prev.data();
  while (lines > 0) {
    std::size_t block = std::min(lines, k_block_lines);
    std::size_t old = out.size();
    out.resize(old + block * k_max_line);
    char *start = out.data();
    char *p = start + old;
    for (std::size_t i = 0; i < block; ++i, data += k_line_bytes, m_offset += k_line_bytes) {
      if (m_style == HexStyle::xxd) {
        p = put_xxd_line(p, m_offset, data, k_line_bytes);
        continue;
      }
      if (squeeze && m_have_prev && std::memcmp(data, prev, k_line_bytes) == 0) {
        if (!m_in_squeeze) {
          *p++ = '*';
          *p++ = '\n';
          m_in_squeeze = true;
        }
        continue;
      }
      p = put_hexdump_line(p, m_offset, data, k_line_bytes);
      m_in_squeeze = false;
      m_have_prev = true;
      prev = data;
    }
    out.resize(static_cast<std::size_t>(p - start));
    lines -= block;
  }
  if (prev != m_prev.data())
    std::memcpy(m_prev.data(), prev, k_line_bytes);
}

void HexFormatter::feed_plain(std::span<const std::byte> data, std::string &out) {
  const std::byte *b = data.data();
  std::size_t left = data.size();
  std::size_t old = out.size();
  out.resize(old + 2 * left + left / k_plain_bytes + 1);
  char *start = out.data();
  char *p = start + old;
  while (left > 0) {
    std::size_t take = std::min(k_plain_bytes - m_plain_column, left);
    for (std::size_t i = 0; i < take; ++i)
      p = put_pair(p, byte_at(b, i));
    b += take;
    left -= take;
    m_plain_column += take;
    if (m_plain_column == k_plain_bytes) {
      *p++ = '\n';
      m_plain_column = 0;
    }
  }
  out.resize(static_cast<std::size_t>(p - start));
}

void HexFormatter::finish(std::string &out) {
  std::size_t old = out.size();
  out.resize(old + 2 * k_max_line);
  char *start = out.data();
  char *p = start + old;
  switch (m_style) {
  case HexStyle::plain:
    if (m_plain_column > 0)
      *p++ = '\n';
    m_plain_column = 0;
    break;
  case HexStyle::xxd:
    if (m_pending_len > 0)
      p = put_xxd_line(p, m_offset, m_pending.data(), m_pending_len);
    break;
  case HexStyle::hexdump: {
    // hexdump never squeezes the last partial line, and prints the end offset unless it is
    // 0 (util-linux display.c: "if (!eaddress) { if (!address) return; ...}").
    if (m_pending_len > 0)
      p = put_hexdump_line(p, m_offset, m_pending.data(), m_pending_len);
    std::uint64_t end = m_offset + m_pending_len;
    if (end != 0) {
      p = put_offset(p, end);
      *p++ = '\n';
    }
    break;
  }
  }
  m_offset += m_pending_len;
  m_pending_len = 0;
  out.resize(static_cast<std::size_t>(p - start));
}

} // namespace shmkit
