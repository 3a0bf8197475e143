#include "shmkit/layout.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using shmkit::Endian;
using shmkit::Errc;
using shmkit::FieldKind;
using shmkit::Layout;
using shmkit::NodeShape;
using shmkit::ValueType;

namespace {

Layout parsed(std::string_view text, std::string_view name = {}) {
  auto r = shmkit::parse_layout(text, name);
  CAPTURE(text);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return std::move(*r);
}

// "path@offset:size" for every leaf, space-separated.
std::string leaves(const Layout &layout) {
  std::string out;
  for (const auto &f : layout.fields) {
    if (!out.empty())
      out += ' ';
    out += f.path + "@" + std::to_string(f.offset) + ":" + std::to_string(f.size);
  }
  return out;
}

void check_error(std::string_view text, Errc code, std::string_view message,
                 std::string_view name = {}) {
  auto r = shmkit::parse_layout(text, name);
  CAPTURE(text);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

constexpr std::string_view k_pg_header = R"(/* src/include/storage/pg_shmem.h */
typedef int int32;
typedef size_t Size;
typedef uint32_t dsm_handle;

typedef struct PGShmemHeader	/* standard header for all Postgres shmem */
{
	int32		magic;			/* magic # to identify Postgres segments */
#define PGShmemMagic  679834894
	pid_t		creatorPID;		/* PID of creating process (set but unread) */
	Size		totalsize;		/* total size of segment */
	Size		freeoffset;		/* offset to first free space */
	dsm_handle	dsm_control;	/* ID of dynamic shared memory control seg */
	void	   *index;			/* pointer to ShmemIndex table */
#ifndef WIN32					/* Windows doesn't have useful inode#s */
	dev_t		device;			/* device data directory is on */
	ino_t		inode;			/* inode number of data directory */
#endif
} PGShmemHeader;
)";

} // namespace

TEST_CASE("shmkit::parse_layout: forms") {
  SUBCASE("PostgreSQL's PGShmemHeader as declared") {
    auto l = parsed(k_pg_header);
    CHECK(l.name == "PGShmemHeader");
    CHECK(l.size == 56);
    CHECK(l.align == 8);
    CHECK(leaves(l) == "magic@0:4 creatorPID@4:4 totalsize@8:8 freeoffset@16:8 dsm_control@24:4 "
                       "index@32:8 device@40:8 inode@48:8");
    CHECK(l.fields[0].kind == FieldKind::signed_int);
    CHECK(l.fields[0].c_type == "int32");
    CHECK(l.fields[4].kind == FieldKind::unsigned_int);
    CHECK(l.fields[5].kind == FieldKind::pointer);
    CHECK(l.fields[6].line == 16);
  }
  SUBCASE("a bare member list") {
    auto l = parsed("uint8_t a; uint64_t b; char c;");
    CHECK(l.name.empty());
    CHECK(leaves(l) == "a@0:1 b@8:8 c@16:1");
    CHECK(l.size == 24);
  }
  SUBCASE("the last struct unless one is named, by tag or typedef alias") {
    constexpr std::string_view text =
        "struct a { int x; };\ntypedef struct { char y; short z; } b_t;\n";
    CHECK(parsed(text).name == "b_t");
    CHECK(leaves(parsed(text)) == "y@0:1 z@2:2");
    CHECK(leaves(parsed(text, "a")) == "x@0:4");
    CHECK(leaves(parsed(text, "b_t")) == "y@0:1 z@2:2");
    check_error(text, Errc::invalid_argument, "no struct named 'c' (have: a, b_t)", "c");
  }
  SUBCASE("a nested struct's definition is not 'the last struct'") {
    auto l = parsed("struct outer { struct inner { int a; } in; char c; };");
    CHECK(l.name == "outer");
    CHECK(leaves(l) == "in.a@0:4 c@4:1");
    CHECK(leaves(parsed("struct outer { struct inner { int a; } in; char c; };", "inner")) ==
          "a@0:4");
  }
  SUBCASE("comments, preprocessor lines and #define sizes") {
    auto l = parsed("#include <stdint.h>\n// a\n#define N (2 * 4)\n#if 0\n#endif\n"
                    "struct s { /* x */ char name[N];\n#define M 3\n int v[M]; };");
    CHECK(leaves(l) == "name@0:8 v[0]@8:4 v[1]@12:4 v[2]@16:4");
  }
  SUBCASE("typedefs, enums, pointers and function pointers") {
    auto l = parsed("typedef uint32_t dsm_handle; typedef char Name[8];\n"
                    "enum e { A, B = 5 }; enum neg { N = -1 };\n"
                    "struct s { dsm_handle h; Name n; enum e e1; enum neg e2; void *p;\n"
                    "  void (*cb)(int, char *); struct s *next; const char *str; bool ok; };");
    CHECK(leaves(l) == "h@0:4 n@4:8 e1@12:4 e2@16:4 p@24:8 cb@32:8 next@40:8 str@48:8 ok@56:1");
    CHECK(l.fields[1].kind == FieldKind::text);
    CHECK(l.fields[2].kind == FieldKind::unsigned_int);
    CHECK(l.fields[3].kind == FieldKind::signed_int);
    CHECK(l.fields[5].kind == FieldKind::pointer);
    CHECK(l.fields[8].kind == FieldKind::boolean);
    CHECK(l.size == 64);
  }
  SUBCASE("every C and POSIX type") {
    auto l = parsed("struct s { char a; signed char b; unsigned char c; short d; unsigned short e;"
                    " int f; unsigned g; long h; unsigned long i; long long j;"
                    " unsigned long long k; _Bool l; float m; double n; int8_t o; uint16_t p;"
                    " int32_t q; uint64_t r; size_t s2; ssize_t t; ptrdiff_t u; intptr_t v;"
                    " uintptr_t w; pid_t x; uid_t y; gid_t z; off_t A; dev_t B; ino_t C;"
                    " time_t D; long int E; short unsigned int F; };");
    std::string kinds;
    for (const auto &f : l.fields)
      kinds += std::string(shmkit::value_type_name(f.type)) + " ";
    CHECK(kinds == "i8 i8 u8 i16 u16 i32 u32 i64 u64 i64 u64 u8 f32 f64 i8 u16 i32 u64 u64 i64 "
                   "i64 i64 u64 i32 u32 u32 i64 u64 u64 i64 i64 u16 ");
  }
  SUBCASE("arrays: multi-dimensional, of structs, char[N] as one text field") {
    auto l = parsed("struct p { char c; int v; };\n"
                    "struct s { short m[2][3]; struct p a[2]; char names[2][4]; };");
    CHECK(leaves(l) == "m[0][0]@0:2 m[0][1]@2:2 m[0][2]@4:2 m[1][0]@6:2 m[1][1]@8:2 "
                       "m[1][2]@10:2 a[0].c@12:1 a[0].v@16:4 a[1].c@20:1 a[1].v@24:4 "
                       "names[0]@28:4 names[1]@32:4");
    CHECK(l.depth == 3);
    CHECK(l.root.children[0].shape == NodeShape::array);
    CHECK(l.root.children[0].children[1].shape == NodeShape::array);
    CHECK(l.root.children[1].children[0].shape == NodeShape::record);
    CHECK(l.root.children[2].children[0].shape == NodeShape::leaf);
    CHECK(l.find("a[1].v")->offset == 24);
    CHECK(l.find("a[1]") == nullptr);
    CHECK(l.fields[0].c_type == "short");
  }
  SUBCASE("anonymous and named unions and structs") {
    auto l = parsed("struct s { char tag; union { int i; double d; }; struct { char a; long b; } "
                    "n; union u { char c[3]; short s; } un; };");
    CHECK(leaves(l) == "tag@0:1 i@8:4 d@8:8 n.a@16:1 n.b@24:8 un.c@32:3 un.s@32:2");
    CHECK(l.size == 40);
    CHECK(l.has_unions);
    CHECK(parsed("union u { char c; double d; int i[3]; };").size == 16);
  }
  SUBCASE("packed, aligned, _Alignas, #pragma pack") {
    CHECK(leaves(parsed("struct __attribute__((packed)) p { char c; int i; short s; };")) ==
          "c@0:1 i@1:4 s@5:2");
    CHECK(parsed("struct p { char c; int i; } __attribute__((__packed__));").size == 5);
    CHECK(leaves(parsed("struct p { char c; int i __attribute__((packed)); };")) == "c@0:1 i@1:4");
    auto a = parsed("struct p { char c; _Alignas(16) int i; alignas(double) short s; } "
                    "__attribute__((aligned(32)));");
    CHECK(leaves(a) == "c@0:1 i@16:4 s@24:2");
    CHECK(a.size == 32);
    CHECK(a.align == 32);
    CHECK(leaves(parsed("struct __attribute__((packed)) p { char c; int i "
                        "__attribute__((aligned(2))); };")) == "c@0:1 i@2:4");
    auto pack = parsed("#pragma pack(push, 2)\nstruct p { char c; long l; };\n#pragma pack(pop)\n"
                       "struct q { char c; long l; struct p p; };");
    CHECK(leaves(pack) == "c@0:1 l@8:8 p.c@16:1 p.l@18:8");
    CHECK(pack.size == 32);
  }
  SUBCASE("a packed struct inside an aligned one, and tail padding") {
    auto l = parsed("struct __attribute__((packed)) p { char c; int i; };\n"
                    "struct s { char a; struct p p; long b; char z; };");
    CHECK(leaves(l) == "a@0:1 p.c@1:1 p.i@2:4 b@8:8 z@16:1");
    CHECK(l.size == 24);
  }
}

// issue 12 "Bad input": every layout error is one line naming the line and the field.
TEST_CASE("shmkit::parse_layout: errors") {
  const auto bad = Errc::invalid_argument;
  check_error("struct s {\n  foo x;\n};", bad, "line 2: unknown type 'foo' (field 'x')");
  check_error("struct s { char c[0]; };", bad, "line 1: array 'c' has size 0");
  check_error("struct s { u32 v[-1]; };", bad, "line 1: array 'v' has negative size -1");
  check_error("struct s {\n int x;\n char x;\n};", bad, "line 3: duplicate field 'x'");
  check_error("struct s { int y; union { int y; }; };", bad, "line 1: duplicate field 'y'");
  check_error("struct s {\n int a;\n struct inner {\n  int b;\n", bad,
              "line 3: unterminated struct 'inner' (no closing '}')");
  check_error("struct s { int a; ", bad, "line 1: unterminated struct 's' (no closing '}')");
  check_error("struct s {\n unsigned f : 3;\n};", bad,
              "line 2: bitfields are not supported (field 'f')");
  check_error("struct s { int n; char data[]; };", bad,
              "line 1: flexible array member 'data[]' is not supported");
  check_error("struct s { long double x; };", bad, "line 1: type 'long double' is not supported");
  check_error("struct s { struct other o; };", bad,
              "line 1: field 'o' has incomplete type 'struct other' (not defined above)");
  check_error("struct s { void v; };", bad, "line 1: field 'v' has type void");
  check_error("struct s { };", bad, "line 1: struct 's' has no fields");
  check_error("struct s { int a; };\nstruct s { int b; };", bad,
              "line 2: struct 's' is defined twice (first on line 1)");
  check_error("struct s { int a[N]; };", bad,
              "line 1: unknown constant 'N' (in the size of array 'a')");
  check_error("struct s { int a[2.5]; };", bad,
              "line 1: '2.5' is not an integer (in the size of array 'a')");
  check_error("struct s { int a[1/0]; };", bad,
              "line 1: division by zero (in the size of array 'a')");
  check_error("struct s { enum nope e; };", bad, "line 1: unknown enum 'nope' (not defined above)");
  check_error("struct s { int x }", bad, "line 1: expected ';' at the end of the layout");
  check_error("", bad, "no struct or member declarations");
  check_error("/* open", bad, "line 1: unterminated comment");
  check_error("struct s { int a; };\n\x01", bad, "line 2: unexpected character '\\x01'");
  check_error("struct s { char *p = \"x\"; };", bad,
              "line 1: expected ';' after field 'p', found '='");
  check_error("struct s { char c; };\n_Static_assert(1, \"open);", bad,
              "line 2: unterminated string literal");
  check_error("int a = 5;", bad, "line 1: initializers are not supported (field 'a')");
  check_error("struct s { int a; int b }; x", bad, "line 1: missing type before 'x'");
  check_error("struct s { short long x; };", bad, "line 1: invalid type 'short long'");
  check_error("struct s { int _Alignas(3) x; };", bad, "line 1: alignment 3 is not a power of two");
  check_error("#pragma pack(3)\nstruct s { int a; };", bad,
              "line 1: #pragma pack value '3' is not 1, 2, 4, 8 or 16");
  check_error("struct s { int x[1 << 21]; };", Errc::out_of_range,
              "line 1: the layout has more than 1048576 fields");
  check_error("struct s { char x[1L << 41]; };", Errc::out_of_range,
              "line 1: array 'x' is larger than 2^40 bytes");
  check_error("struct s { int a[" + std::string(100000, '(') + "1]; };", bad,
              "line 1: expression nested too deeply (in the size of array 'a')");
  check_error(
      "struct s { int " +
          [] {
            std::string t;
            for (int i = 0; i < 1000; ++i)
              t += "(*";
            return t + "x" + std::string(1000, ')');
          }() +
          "; };",
      bad, "line 1: declarator nested too deeply");
  check_error(
      "struct s { " +
          [] {
            std::string t;
            for (int i = 0; i < 300; ++i)
              t += "_Atomic(";
            return t;
          }() +
          "int x; };",
      bad, "line 1: type nested too deeply");
  check_error(
      "struct s { " +
          [] {
            std::string t;
            for (int i = 0; i < 100; ++i)
              t += "struct { ";
            return t;
          }(),
      bad, "line 1: structs nested more than 64 deep");
  check_error("typedef int T;\ntypedef long T;\nstruct s { T t; };", bad,
              "line 2: typedef 'T' redefined as another type");
}

TEST_CASE("shmkit::parse_layout: _Static_assert is skipped") {
  auto l = parsed("struct s { int a; _Static_assert(sizeof(int) == 4, \"int\"); char b; };\n"
                  "static_assert(sizeof(struct s) == 8, \"s is 8 bytes\");");
  CHECK(leaves(l) == "a@0:4 b@4:1");
}

TEST_CASE("shmkit::parse_layout: the members of a C++ struct tag, function prototypes") {
  auto l =
      parsed("struct a { int x; };\nint helper(int);\nstatic inline int f(void) { return 1; }\n"
             "extern int global;\nstruct b { a inner; char c; };");
  CHECK(leaves(l) == "inner.x@0:4 c@4:1");
}

TEST_CASE("shmkit::decode_field, format_field, encode_field") {
  auto l = parsed("struct s { int8_t a; uint16_t b; int32_t c; float f; double d; void *p;"
                  " bool ok; char name[6]; int64_t big; };");
  std::vector<std::byte> rec(static_cast<std::size_t>(l.size));
  auto put = [&](std::string_view path, std::string_view text, Endian e = Endian::little) {
    const auto *f = l.find(path);
    REQUIRE(f != nullptr);
    auto bytes = shmkit::encode_field(*f, text, e);
    REQUIRE_MESSAGE(bytes.has_value(), (bytes ? "" : bytes.error().message));
    std::memcpy(rec.data() + f->offset, bytes->data(), bytes->size());
  };
  auto show = [&](std::string_view path, Endian e = Endian::little) {
    return shmkit::format_field(*l.find(path), rec, e);
  };
  put("a", "-5");
  put("b", "0xfffe");
  put("c", "-2147483648");
  put("f", "1.5");
  put("d", "0.1");
  put("p", "0x7f00deadbeef");
  put("ok", "true");
  put("name", "ab\x01");
  put("big", "-9223372036854775808");
  CHECK(show("a") == "-5");
  CHECK(show("b") == "65534");
  CHECK(show("c") == "-2147483648");
  CHECK(show("f") == "1.5");
  CHECK(show("d") == "0.1");
  CHECK(show("p") == "0x7f00deadbeef");
  CHECK(show("ok") == "true");
  CHECK(show("name") == "ab\\x01");
  CHECK(show("big") == "-9223372036854775808");
  CHECK(show("b", Endian::big) == "65279");
  CHECK(std::get<std::int64_t>(shmkit::decode_field(*l.find("a"), rec, Endian::little)) == -5);
  CHECK(std::get<std::string>(shmkit::decode_field(*l.find("name"), rec, Endian::little)) ==
        "ab\x01");
  CHECK(std::get<bool>(shmkit::decode_field(*l.find("ok"), rec, Endian::little)));
  rec[static_cast<std::size_t>(l.find("ok")->offset)] = std::byte{7};
  CHECK(show("ok") == "7");
  put("name", "abcdef"); // exactly N bytes: no NUL, still shown up to the end
  CHECK(show("name") == "abcdef");
  put("p", "0");
  CHECK(show("p") == "0x0");

  auto err = [&](std::string_view path, std::string_view text) {
    auto r = shmkit::encode_field(*l.find(path), text, Endian::little);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
  };
  CHECK(err("a", "200") == "field 'a': value '200' out of range for i8 (-128..127)");
  CHECK(err("b", "-1") == "field 'b': value '-1' out of range for u16 (0..65535)");
  CHECK(err("ok", "yes") == "field 'ok': invalid bool value 'yes' (valid: true, false, 1, 0)");
  CHECK(err("name", "abcdefg") == "field 'name': string of 7 bytes does not fit in char[6]");
  CHECK(err("f", "x") == "field 'f': invalid f32 value 'x': expected a decimal number, inf or nan");
}

TEST_CASE("shmkit::parse_field_value and compare_field_values") {
  auto l = parsed("struct s { int32_t i; uint64_t u; double d; char n[4]; bool b; };");
  auto value = [&](std::string_view path, std::string_view text) {
    auto r = shmkit::parse_field_value(*l.find(path), text);
    REQUIRE(r.has_value());
    return *r;
  };
  using shmkit::compare_field_values;
  CHECK(compare_field_values(value("i", "-1"), value("u", "1")) < 0);
  CHECK(compare_field_values(value("u", "18446744073709551615"), value("i", "5")) > 0);
  CHECK(compare_field_values(value("d", "2.5"), value("i", "2")) > 0);
  CHECK(compare_field_values(value("d", "nan"), value("d", "1")) ==
        std::partial_ordering::unordered);
  CHECK(compare_field_values(value("n", "abc"), value("n", "abd")) < 0);
  CHECK(compare_field_values(value("b", "true"), value("b", "1")) == 0);
  CHECK(compare_field_values(value("b", "true"), value("i", "1")) ==
        std::partial_ordering::unordered);
  CHECK_FALSE(shmkit::parse_field_value(*l.find("i"), "abc").has_value());
}
