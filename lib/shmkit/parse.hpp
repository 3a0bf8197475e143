// Strict parsers for every number a user types (shmkit(1) CONVENTIONS). CLI11 takes them as
// strings because its own conversions accept "-1", " 12" and read "010" as octal.
#pragma once

#include "shmkit/error.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

namespace shmkit {

/// Parses an unsigned integer: decimal, or hex with a 0x/0X prefix. No sign, no spaces, no
/// leading zeros trick (decimal "010" is ten). Fails with invalid_argument or out_of_range
/// (value above max). `what` names the thing in messages ("size", "offset").
Result<std::uint64_t> parse_uint(std::string_view text, std::string_view what,
                                 std::uint64_t max = UINT64_MAX);

/// Parses a byte count: DIGITS or 0xHEX, then an optional suffix K/M/G/T/P/E or KiB..EiB
/// (powers of 1024), KB..EB (powers of 1000) or B. Overflow is checked. Zero is allowed
/// here; callers that need a positive size use parse_size.
Result<std::uint64_t> parse_byte_count(std::string_view text, std::string_view what);

/// Like parse_byte_count, but zero is an error (invalid_argument "size must be positive").
Result<std::uint64_t> parse_size(std::string_view text);

/// Parses a SysV key: decimal or 0x hex, 0..0xffffffff. Never truncates.
Result<std::uint32_t> parse_key(std::string_view text);

/// Parses a SysV shmid: decimal 0..INT32_MAX.
Result<int> parse_shmid(std::string_view text);

/// Parses a permission mode: octal "600", "0600" or "0o600"; at most 0777 (setuid, setgid and
/// sticky bits are refused with invalid_argument).
Result<unsigned> parse_mode(std::string_view text);

/// Parses a duration: DIGITS followed by ms, s, m, h or d (a bare number means seconds).
/// Zero is allowed; callers that need a positive duration check it.
Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view what);

} // namespace shmkit
