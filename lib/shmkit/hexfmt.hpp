// Hex views for `read --format`: byte-identical to `hexdump -C`, `xxd` and `xxd -p`
// (util-linux 2.38 hexdump, xxd 2022-01-14), but table-driven and streaming so that a large
// segment formats at memory speed instead of hexdump's ~9 MB/s (cmd/README.md, where the time goes).
//
// Behaviour of the real tools that this reproduces (verified on Debian 12):
// - Offsets are absolute: a view that starts at S prints S on its first line (like
//   `hexdump -C -s S` and `xxd -s S`), and lines start at S even when S is not a multiple
//   of 16. Offsets have at least 8 lowercase hex digits and grow past 0xffffffff; the rest of
//   the line shifts right with them (both tools do this).
// - hexdump: a 16-byte line equal to the previous printed line becomes one `*` line
//   (Squeeze::yes, hexdump's default; Squeeze::no is `-v`). The last partial line is never
//   squeezed. After the data comes a line with the end offset, except when the end offset
//   is 0 (empty input from offset 0 prints nothing at all). `hexdump -C -s S` over an empty
//   range prints just the end offset S (when S is within the file). Note `hexdump -n 0`
//   prints nothing, even with `-s S`: a caller with an explicit zero length should not run
//   the formatter at all.
// - The ASCII column shows bytes 0x20..0x7e and '.' for everything else. hexdump uses
//   isprint() in the user's locale, which agrees for C and every UTF-8 locale; only legacy
//   8-bit locales (ISO-8859-x) would make hexdump print bytes 0xa0..0xff raw.
// - xxd never squeezes by default and prints no end line; `xxd -p` prints 30 bytes (60 hex
//   digits) per line and nothing for empty input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace shmkit {

/// Which tool's output to reproduce.
enum class HexStyle {
  hexdump, ///< `hexdump -C`
  xxd,     ///< `xxd`
  plain,   ///< `xxd -p`
};

/// hexdump's `*` squeezing of repeated lines; Squeeze::no is `hexdump -v`. Ignored by the
/// xxd styles (xxd does not squeeze by default).
enum class Squeeze { yes, no };

/// Streams bytes into hex text. feed() may be called with chunks of any size; the output is
/// the same as feeding everything at once. Call finish() once at the end; the formatter is
/// then spent (feeding it again is a logic error with unspecified but safe output).
class HexFormatter {
public:
  /// A formatter for bytes that start at absolute offset `start_offset` of the segment.
  HexFormatter(HexStyle style, std::uint64_t start_offset, Squeeze squeeze);

  /// Appends the text of every complete line that `data` completes to `out`; a partial line
  /// is kept until more bytes or finish() arrive. Never fails.
  void feed(std::span<const std::byte> data, std::string &out);

  /// Appends the final partial line and, for hexdump, the end-offset line.
  void finish(std::string &out);

  /// Upper bound of the text that feed() appends for `n` bytes (for reserving buffers).
  static std::size_t max_output_size(std::size_t n) noexcept;

private:
  static constexpr std::size_t k_line_bytes = 16;

  void feed_lines(const std::byte *data, std::size_t lines, std::string &out);
  void feed_plain(std::span<const std::byte> data, std::string &out);

  HexStyle m_style;
  Squeeze m_squeeze;
  std::uint64_t m_offset; ///< absolute offset of the next line (or pending line)
  std::array<std::byte, k_line_bytes> m_pending{}; ///< bytes of an incomplete line
  std::size_t m_pending_len = 0;
  std::array<std::byte, k_line_bytes> m_prev{}; ///< last printed hexdump line
  bool m_have_prev = false;       ///< a hexdump line was printed (the first is never squeezed)
  bool m_in_squeeze = false;      ///< a `*` was printed for the current run of repeats
  std::size_t m_plain_column = 0; ///< bytes already on the current `xxd -p` line
};

} // namespace shmkit
