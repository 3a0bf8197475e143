// Struct layouts written in C (`read --layout`, `write --layout --set`, `watch --layout`):
// the declarations a program's own header holds, laid out as g++ does on x86-64 Linux (the
// System V ABI), flattened into leaf fields with dotted paths (`ring.head`, `a[2].b`,
// `m[1][0]`), each with an offset, a size and a scalar kind.
//
// Accepted (shmkit-read(1) LAYOUTS): `struct [NAME] {...};`, `union`, `typedef struct [NAME]
// {...} ALIAS;`, a bare member list, `typedef T NAME;` (also arrays and pointers), `enum`
// definitions, nested and anonymous struct/union members, multi-dimensional arrays, pointers
// (function pointers too), `__attribute__((packed))`, `__attribute__((aligned(N)))`,
// `_Alignas(N|T)`/`alignas`, `#pragma pack(N|push,N|pop)`, and `#define NAME INTEGER` for array
// sizes; other preprocessor lines and comments are ignored. Refused with an error naming the
// line: bitfields, flexible and zero-length arrays, long double, unknown types, duplicate
// names. The parser is pure (no system call).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/typed.hpp"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shmkit {

/// How a leaf field's bytes are read.
enum class FieldKind {
  signed_int,   ///< char, short, int, long, intN_t, pid_t, ssize_t, enums with negatives...
  unsigned_int, ///< unsigned ..., uintN_t, size_t, uid_t, dev_t, ino_t, enums
  boolean,      ///< _Bool / bool (one byte)
  floating,     ///< float, double
  pointer,      ///< any pointer (8 bytes), shown as 0x hex
  text,         ///< a char[N] (innermost dimension of a plain `char` array): a string up to NUL
};

/// The name of a kind for messages and JSON ("signed", "unsigned", "bool", "float",
/// "pointer", "string").
const char *field_kind_name(FieldKind kind) noexcept;

/// One leaf of a layout: a scalar or a char[N] string.
struct LayoutField {
  std::string path;         ///< "magic", "ring.head", "a[2].b", "m[1][0]", "name" (char[N])
  std::uint64_t offset = 0; ///< from the start of the record
  std::uint64_t size = 0;   ///< in bytes: value_width(type), or N for text
  FieldKind kind = FieldKind::unsigned_int;
  /// The scalar as typed.hpp knows it: i8..u64/f32/f64; boolean: u8; pointer: u64; text: u8.
  ValueType type = ValueType::u8;
  std::string c_type; ///< the type as declared ("uint32_t", "Size", "char[16]", "void *")
  unsigned line = 0;  ///< line of the declaration in the layout text (1-based)
};

/// A node of the layout's tree: what --json nests (objects for records, arrays for arrays).
enum class NodeShape { leaf, record, array };

struct LayoutNode {
  NodeShape shape = NodeShape::record;
  /// The member name inside its parent record; "" for the root and for array elements.
  /// Members of anonymous structs/unions are lifted into the parent, as in C.
  std::string name;
  std::size_t field = 0;            ///< shape leaf: the index in Layout::fields
  std::vector<LayoutNode> children; ///< record members (declaration order) or array elements
};

/// A parsed layout: sizeof, alignof and every leaf.
struct Layout {
  std::string name;        ///< the struct tag or typedef alias ("" for a bare member list)
  std::uint64_t size = 0;  ///< sizeof, with tail padding: the stride of --count records
  std::uint64_t align = 1; ///< alignof
  unsigned depth = 0;      ///< nesting below the root: 1 = only scalars; +1 per record/array
  bool has_unions = false; ///< some fields overlap (union members)
  std::vector<LayoutField> fields; ///< every leaf in declaration order (union members too)
  LayoutNode root;                 ///< shape record; its leaves index `fields`

  /// The leaf with this exact path, or nullptr.
  const LayoutField *find(std::string_view path) const noexcept;
};

/// Most leaves a layout may flatten to (a `char big[1<<20]` is one leaf; `int a[1<<20]` is
/// 2^20 leaves): above it parse_layout fails, so a typo cannot exhaust memory.
inline constexpr std::size_t k_layout_max_fields = std::size_t{1} << 20;

/// Parses C declarations into the layout of one struct: `struct_name` (a tag or a typedef
/// alias) when given, else the bare member list if the text has one, else the last struct or
/// union defined at the top level. Pure. Fails with invalid_argument, the message starting
/// "line N: " and naming the field or type: "line 3: unknown type 'foo' (field 'x')",
/// "line 2: array 'a' has size 0", "line 4: duplicate field 'x'", "line 7: unterminated struct
/// 'inner'", "line 5: bitfields are not supported (field 'f')", "no struct named 'X' (have:
/// a, b)", "no struct or member declarations". out_of_range for sizes above 2^40 bytes or
/// more than k_layout_max_fields leaves.
Result<Layout> parse_layout(std::string_view text, std::string_view struct_name = {});

/// The bytes of `field` inside `record` (which must hold at least offset + size bytes).
inline std::span<const std::byte> field_bytes(const LayoutField &field,
                                              std::span<const std::byte> record) noexcept {
  return record.subspan(static_cast<std::size_t>(field.offset),
                        static_cast<std::size_t>(field.size));
}

/// A decoded leaf: signed and unsigned integers (enums, pointers' bits), bool, float or double
/// (as double), and the bytes of a char[N] up to its first NUL (raw, not escaped).
using FieldValue = std::variant<std::int64_t, std::uint64_t, bool, double, std::string>;

/// Decodes `field` from `record` in byte order `endian` (bool and text have none). A bool byte
/// other than 0 or 1 decodes as std::uint64_t (its value), so nothing is hidden.
FieldValue decode_field(const LayoutField &field, std::span<const std::byte> record, Endian endian);

/// The text `read --layout` prints for a leaf: integers in decimal, floats as format_value does,
/// bools "true"/"false" (other bytes as a number), pointers "0x7f..." (lowercase hex, "0x0" for
/// NULL), text escaped as names are (printable_text; no quotes).
std::string format_field(const LayoutField &field, std::span<const std::byte> record,
                         Endian endian);

/// Parses `text` as a value for `field` and encodes it into field.size bytes in byte order
/// `endian` (`write --layout --set`). Integers, floats and pointers: encode_value's grammar and
/// range check (pointers as u64, e.g. "0x7f00"); bool: true, false, 1, 0; text: the bytes,
/// at most field.size, padded with NULs. Fails with invalid_argument or out_of_range, the
/// message naming the field: "field 'hdr.magic': value '300' out of range for u8 (0..255)".
Result<std::vector<std::byte>> encode_field(const LayoutField &field, std::string_view text,
                                            Endian endian);

/// Parses `text` as a value of `field`'s type (the grammar of encode_field) for comparisons
/// (`watch --until FIELD>=VALUE`). Fails as encode_field.
Result<FieldValue> parse_field_value(const LayoutField &field, std::string_view text);

/// Orders two values of the same field: numbers numerically (signed against unsigned
/// correctly, NaN unordered), bools false < true, text bytewise. Values of different
/// alternatives that are not both numbers are unordered.
std::partial_ordering compare_field_values(const FieldValue &a, const FieldValue &b) noexcept;

} // namespace shmkit
