// The text forms of ls values (shmkit-ls(1) OUTPUT): sizes, SysV keys, permissions, times and
// the quoting of --export. Each appends to a caller's buffer, so a listing formats its cells
// without allocating one string per cell.
#pragma once

#include "shmkit/error.hpp"

#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <utility>
#include <string_view>

namespace shmkit::cli {

/// --time-format values.
enum class TimeFormat {
  short_form, ///< "14:03" today, "Mar05" this year, else "2023-03-05" (like lsipc)
  full,       ///< "Sun Mar  5 14:03:07 2023" (asctime)
  iso,        ///< "2023-03-05T14:03:07+0100" (local time)
};

/// "short", "full" or "iso"; anything else fails with invalid_argument.
Result<TimeFormat> parse_time_format(std::string_view text);

/// The index of `text` among `words`; otherwise fails with invalid_argument:
/// "unknown WHAT 'TEXT' (use WORD, WORD, ...)".
Result<std::size_t> parse_choice(std::string_view text, std::span<const std::string_view> words,
                                 std::string_view what);
/// The value paired with `text` among `words`, as parse_choice().
template <typename E, std::size_t N>
Result<E> parse_choice(std::string_view text, const std::string_view (&words)[N],
                       const E (&values)[N], std::string_view what) {
  auto index = parse_choice(text, std::span<const std::string_view>(words), what);
  if (!index)
    return std::move(index).error();
  return values[*index];
}

/// The decimal digits of v.
void append_decimal(std::string &out, std::uint64_t v);

/// Human units like lsipc and ls -h: "512B", "1.5K", "10M", "2G"; one decimal below 10 units
/// (dropped when zero), else whole units, both rounded to nearest; units are powers of 1024.
void append_human_size(std::string &out, std::uint64_t bytes);
std::string human_size(std::uint64_t bytes);

/// A SysV key as 0x%08x ("0x0000002a").
void append_key(std::string &out, std::uint64_t key);

/// Octal permission bits: "640", or "0640" with `leading_zero` (JSON).
void append_octal_perms(std::string &out, unsigned mode, bool leading_zero);
/// Symbolic permission bits as ls -l: "rw-r-----".
void append_symbolic_perms(std::string &out, unsigned mode);

/// A local time in `format`; `now` decides what "today" and "this year" are (short form).
void append_local_time(std::string &out, std::time_t t, TimeFormat format, std::time_t now);
/// A UTC time as ISO 8601 with a Z: "2023-03-05T13:03:07Z" (JSON).
void append_utc_time(std::string &out, std::time_t t);

/// A value of --export (KEY="value"): `"`, `$` and backquote become \xHH, so that the shell's
/// eval never expands anything; `text` is already escaped (escape_bytes).
void append_export_value(std::string &out, std::string_view text);

} // namespace shmkit::cli
