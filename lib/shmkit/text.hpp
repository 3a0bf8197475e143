// Byte-level text helpers shared by the address grammar, the typed-value parsers and the
// JSON/escaping code in cmd.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shmkit {

/// The value of one hex digit (0-9, a-f, A-F), or -1.
int hex_digit_value(char c) noexcept;

/// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when the byte
/// starts none (stray continuation, overlong form, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

/// The code point of the valid sequence at s[i] of length `len` (from utf8_sequence_length).
char32_t utf8_code_point(std::string_view s, std::size_t i, std::size_t len) noexcept;

/// User text made fit to quote in an Error message (one printable line, lib/README.md): control
/// characters (C0 including newline, DEL, C1) and invalid UTF-8 become \xHH; spaces,
/// backslashes and printable UTF-8 stay. The same rule as cmd's escape_message(), so a message
/// shows the same either way.
std::string printable_text(std::string_view text);

} // namespace shmkit
