// Typed values inside a segment: `write --type u32 --value 42`, `read --type f64`,
// `watch --until VALUE`, and raw bytes from `write --hex`.
//
// Parsing is strict (shmkit(1) CONVENTIONS), no spaces anywhere, no '+':
// - integers: decimal or 0x/0X hex digits, with one leading '-' only for signed types
//   ("-0x80" is i8's minimum). A value is a number, not a bit pattern: "0xff" is out of range
//   for i8. Decimal leading zeros are decimal ("010" is ten), as in parse_uint.
// - floats: the std::from_chars general grammar: "1.5", ".5", "1e-3", "-2E+10", and "inf",
//   "infinity", "nan" in any case, optionally after '-'. Refused: hex floats, "nan(...)"
//   payloads (libstdc++ would silently drop them), values that overflow or underflow the type
//   ("1e400" and "1e-400" for f64: out_of_range rather than a silent inf or 0).
#pragma once

#include "shmkit/error.hpp"

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit {

/// The type of a value stored in a segment.
enum class ValueType { u8, i8, u16, i16, u32, i32, u64, i64, f32, f64 };

/// Parses a type name ("u8" .. "f64", lowercase). Fails with invalid_argument
/// "unknown value type 'X' (valid: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64)".
Result<ValueType> parse_value_type(std::string_view text);

/// The size of a value of type `type` in bytes (1, 2, 4 or 8).
unsigned value_width(ValueType type) noexcept;

/// The name of `type` as parse_value_type accepts it ("u8", ..., "f64").
const char *value_type_name(ValueType type) noexcept;

/// Byte order of a value in a segment; native is the byte order of this machine.
enum class Endian { little, big, native };

/// Parses "little", "big" or "native". Fails with invalid_argument
/// "unknown byte order 'X' (valid: little, big, native)".
Result<Endian> parse_endian(std::string_view text);

/// The bytes of one encoded value: the first `size` bytes of `storage`.
struct EncodedValue {
  std::array<std::byte, 8> storage{};
  unsigned size = 0;

  /// The encoded bytes, in segment order.
  std::span<const std::byte> bytes() const noexcept { return {storage.data(), size}; }
};

/// Parses `text` as a value of `type` (grammar in the file comment) and encodes it in byte
/// order `endian`. Fails with invalid_argument ("invalid u8 value 'abc': ...") or
/// out_of_range ("value '300' out of range for u8 (0..255)").
Result<EncodedValue> encode_value(std::string_view text, ValueType type, Endian endian);

/// Formats the first value_width(type) bytes of `bytes` as a value of `type` in byte order
/// `endian`: integers in decimal, floats as the shortest text that encode_value reads back
/// to the same bits ("0.1", "1e+300", "inf", "-nan"). Returns "" when `bytes` is too short.
std::string format_value(std::span<const std::byte> bytes, ValueType type, Endian endian);

/// True when `current` starts with exactly the bytes of `target` (for `watch --until`).
/// The comparison is bitwise: 0.0 and -0.0 differ, and a NaN equals only the same NaN bits.
bool values_equal(std::span<const std::byte> current, const EncodedValue &target) noexcept;

/// Parses hex digit pairs ("deadBEEF", "de ad be ef", `xxd -p` output) into bytes. Spaces,
/// tabs, CR and LF may separate bytes but not split one; there is no 0x prefix; "" gives no
/// bytes. Fails with invalid_argument: "odd number of hex digits", "invalid hex digit 'g'
/// at position 3" (1-based), "whitespace inside a byte at position 2".
Result<std::vector<std::byte>> parse_hex_bytes(std::string_view text);

} // namespace shmkit
