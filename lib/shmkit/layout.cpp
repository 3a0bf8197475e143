// C declarations to a struct layout (layout.hpp). A small C front end: a lexer that drops
// comments and hands preprocessor lines over whole (#define NAME INTEGER and #pragma pack are
// honoured, the rest ignored), a recursive-descent parser for declarations and integer
// constant expressions, the x86-64 System V layout rules as gcc applies them
// (gcc/stor-layout.cc: a member goes at the next multiple of its alignment; packed makes that
// 1 unless the member has its own aligned/_Alignas; #pragma pack(N) caps it at N; a struct's
// alignment is its largest member's, its size a multiple of that), and the flattening into
// leaf fields.
#include "shmkit/layout.hpp"

#include "shmkit/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

namespace shmkit {

namespace {

// ---------------------------------------------------------------------------------------
// Lexer

enum class Tok { ident, number, punct, chr, str, directive, end };

struct Token {
  Tok kind = Tok::end;
  std::string_view text;
  unsigned line = 0;
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

Error error_at(unsigned line, std::string message) {
  return make_error(Errc::invalid_argument, fmt::format("line {}: {}", line, message));
}

// Splits `text` into tokens. Preprocessor lines (a '#' first on a line) become one directive
// token each, continuation lines included.
Result<std::vector<Token>> tokenize(std::string_view text, unsigned first_line = 1) {
  std::vector<Token> out;
  unsigned line = first_line;
  bool line_start = true;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if (c == '\\' && i + 1 < n && text[i + 1] == '\n') { // a continuation outside a directive
      i += 2;
      ++line;
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      while (i < n && text[i] != '\n')
        ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const unsigned start = line;
      std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos)
        return error_at(start, "unterminated comment");
      for (std::size_t k = i; k < end; ++k)
        line += text[k] == '\n' ? 1 : 0;
      i = end + 2;
      continue;
    }
    if (c == '#' && line_start) {
      std::size_t start = i;
      const unsigned at = line;
      while (i < n && text[i] != '\n') {
        if (text[i] == '\\' && i + 1 < n && text[i + 1] == '\n') {
          ++line;
          ++i;
        }
        ++i;
      }
      out.push_back({Tok::directive, text.substr(start, i - start), at});
      continue;
    }
    line_start = false;
    std::size_t start = i;
    if (is_ident_start(c)) {
      while (i < n && is_ident_char(text[i]))
        ++i;
      out.push_back({Tok::ident, text.substr(start, i - start), line});
    } else if (c >= '0' && c <= '9') {
      while (i < n && (is_ident_char(text[i]) || text[i] == '.'))
        ++i;
      out.push_back({Tok::number, text.substr(start, i - start), line});
    } else if (c == '\'') {
      ++i;
      while (i < n && text[i] != '\'' && text[i] != '\n')
        i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
      if (i >= n || text[i] != '\'')
        return error_at(line, "unterminated character constant");
      ++i;
      out.push_back({Tok::chr, text.substr(start, i - start), line});
    } else if ((c == '<' || c == '>') && i + 1 < n && text[i + 1] == c) {
      i += 2;
      out.push_back({Tok::punct, text.substr(start, 2), line});
    } else if (std::string_view("{}[]();,*:=+-/%&|^~!?.<>").find(c) != std::string_view::npos) {
      ++i;
      out.push_back({Tok::punct, text.substr(start, 1), line});
    } else if (c == '"') { // only _Static_assert's message: skipped with it
      ++i;
      while (i < n && text[i] != '"' && text[i] != '\n')
        i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
      if (i >= n || text[i] != '"')
        return error_at(line, "unterminated string literal");
      ++i;
      out.push_back({Tok::str, text.substr(start, i - start), line});
    } else {
      return error_at(line,
                      fmt::format("unexpected character '{}'", printable_text(text.substr(i, 1))));
    }
  }
  out.push_back({Tok::end, {}, line});
  return out;
}

// ---------------------------------------------------------------------------------------
// Types

// Attributes that change a layout: packed and aligned(N); others are ignored.
struct Attrs {
  bool packed = false;
  std::uint64_t aligned = 0;       // 0: none
  std::uint64_t alignas_value = 0; // _Alignas: may not reduce the alignment (C11 6.7.5)
  void merge(const Attrs &o) {
    packed = packed || o.packed;
    aligned = std::max(aligned, o.aligned);
    alignas_value = std::max(alignas_value, o.alignas_value);
  }
};

struct Record;

struct Type {
  enum class Shape { scalar, pointer, array, record, function, void_type, incomplete };
  Shape shape = Shape::scalar;
  std::string name; // as spelled: "uint32_t", "unsigned int", "struct ring", "char[16]"
  std::uint64_t size = 0;
  std::uint64_t align = 1;
  FieldKind kind = FieldKind::signed_int; // scalar
  ValueType vt = ValueType::i32;          // scalar
  bool plain_char = false;                // `char`: arrays of it are text
  std::shared_ptr<const Type> element;    // array
  std::uint64_t count = 0;                // array
  const Record *record = nullptr;         // record
  std::uint64_t leaves = 1;               // leaf fields it flattens to (saturating)
};
using TypeRef = std::shared_ptr<const Type>;

struct Member {
  std::string name; // "" for an anonymous struct/union member
  TypeRef type;
  std::uint64_t offset = 0;
  unsigned line = 0;
  Attrs attrs; // packed, aligned(N), _Alignas of this member
};

struct Record {
  std::string tag;
  std::string alias; // the first typedef name of it
  bool is_union = false;
  bool complete = false;
  bool top_level = false;
  unsigned line = 0;
  std::vector<Member> members;
  std::set<std::string, std::less<>> names; // members' names, anonymous members' lifted
  std::uint64_t size = 0;
  std::uint64_t align = 1;
};

constexpr std::uint64_t k_max_size = std::uint64_t{1} << 40;

TypeRef scalar(std::string name, FieldKind kind, ValueType vt, bool plain_char = false) {
  auto t = std::make_shared<Type>();
  t->name = std::move(name);
  t->kind = kind;
  t->vt = vt;
  t->size = t->align = value_width(vt);
  t->plain_char = plain_char;
  return t;
}

TypeRef pointer_to(const TypeRef &target) {
  auto t = std::make_shared<Type>();
  t->shape = Type::Shape::pointer;
  t->name = target->shape == Type::Shape::function ? "function pointer" : target->name + " *";
  t->kind = FieldKind::pointer;
  t->vt = ValueType::u64;
  t->size = t->align = 8;
  return t;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

std::uint64_t round_up(std::uint64_t value, std::uint64_t align) {
  return (value + align - 1) / align * align;
}

struct Typedef {
  TypeRef type;
  bool builtin = false;
};

// The x86-64 Linux types a pasted header uses without its #includes.
std::map<std::string, Typedef, std::less<>> builtin_typedefs() {
  using K = FieldKind;
  using V = ValueType;
  struct Row {
    const char *name;
    K kind;
    V vt;
  };
  static constexpr Row k_rows[] = {
      {"int8_t", K::signed_int, V::i8},       {"uint8_t", K::unsigned_int, V::u8},
      {"int16_t", K::signed_int, V::i16},     {"uint16_t", K::unsigned_int, V::u16},
      {"int32_t", K::signed_int, V::i32},     {"uint32_t", K::unsigned_int, V::u32},
      {"int64_t", K::signed_int, V::i64},     {"uint64_t", K::unsigned_int, V::u64},
      {"u_int8_t", K::unsigned_int, V::u8},   {"u_int16_t", K::unsigned_int, V::u16},
      {"u_int32_t", K::unsigned_int, V::u32}, {"u_int64_t", K::unsigned_int, V::u64},
      {"intmax_t", K::signed_int, V::i64},    {"uintmax_t", K::unsigned_int, V::u64},
      {"size_t", K::unsigned_int, V::u64},    {"ssize_t", K::signed_int, V::i64},
      {"ptrdiff_t", K::signed_int, V::i64},   {"intptr_t", K::signed_int, V::i64},
      {"uintptr_t", K::unsigned_int, V::u64}, {"pid_t", K::signed_int, V::i32},
      {"uid_t", K::unsigned_int, V::u32},     {"gid_t", K::unsigned_int, V::u32},
      {"off_t", K::signed_int, V::i64},       {"off64_t", K::signed_int, V::i64},
      {"dev_t", K::unsigned_int, V::u64},     {"ino_t", K::unsigned_int, V::u64},
      {"ino64_t", K::unsigned_int, V::u64},   {"time_t", K::signed_int, V::i64},
      {"mode_t", K::unsigned_int, V::u32},    {"key_t", K::signed_int, V::i32},
      {"nlink_t", K::unsigned_int, V::u64},   {"blksize_t", K::signed_int, V::i64},
      {"blkcnt_t", K::signed_int, V::i64},    {"clock_t", K::signed_int, V::i64},
      {"suseconds_t", K::signed_int, V::i64}, {"useconds_t", K::unsigned_int, V::u32},
      {"socklen_t", K::unsigned_int, V::u32}, {"sig_atomic_t", K::signed_int, V::i32},
      {"shmatt_t", K::unsigned_int, V::u64},  {"wchar_t", K::signed_int, V::i32},
      {"char16_t", K::unsigned_int, V::u16},  {"char32_t", K::unsigned_int, V::u32},
      {"u8", K::unsigned_int, V::u8},         {"i8", K::signed_int, V::i8},
      {"u16", K::unsigned_int, V::u16},       {"i16", K::signed_int, V::i16},
      {"u32", K::unsigned_int, V::u32},       {"i32", K::signed_int, V::i32},
      {"u64", K::unsigned_int, V::u64},       {"i64", K::signed_int, V::i64},
      {"f32", K::floating, V::f32},           {"f64", K::floating, V::f64},
  };
  std::map<std::string, Typedef, std::less<>> out;
  for (const Row &row : k_rows)
    out.emplace(row.name, Typedef{scalar(row.name, row.kind, row.vt), true});
  return out;
}

struct Specifiers {
  TypeRef type;
  bool is_typedef = false;
  bool is_extern_or_static = false;
  bool defined_record = false;   // a struct/union body was part of the specifiers
  bool anonymous_record = false; // ... and it had no tag
  Attrs attrs;                   // declaration attributes and _Alignas
  unsigned line = 0;
};

struct Declarator {
  std::string name; // "" for an abstract declarator
  TypeRef type;
  unsigned line = 0;
  Attrs attrs;
};

// ---------------------------------------------------------------------------------------
// Parser

class Parser {
public:
  explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {
    m_typedefs = builtin_typedefs();
  }

  Result<Layout> parse(std::string_view struct_name);

private:
  // Tokens
  const Token &peek(std::size_t ahead = 0) {
    skip_directives();
    std::size_t i = m_pos;
    for (std::size_t k = 0;; ++i) {
      if (m_tokens[i].kind == Tok::directive)
        continue;
      if (k++ == ahead || m_tokens[i].kind == Tok::end)
        return m_tokens[i];
    }
  }
  const Token &next() {
    const Token &t = peek();
    if (t.kind != Tok::end)
      ++m_pos;
    return t;
  }
  bool at(std::string_view punct_or_word) {
    return peek().text == punct_or_word && peek().kind != Tok::end;
  }
  bool accept(std::string_view text) {
    if (!at(text))
      return false;
    next();
    return true;
  }
  Result<void> expect(std::string_view text, std::string_view where) {
    if (accept(text))
      return {};
    return error_at(peek().line,
                    fmt::format("expected '{}' {}, found {}", text, where, describe(peek())));
  }
  static std::string describe(const Token &t) {
    if (t.kind == Tok::end)
      return "the end of the layout";
    return fmt::format("'{}'", printable_text(t.text));
  }
  void skip_directives();
  void directive(const Token &t);

  // Declarations
  Result<void> top_level_declaration();
  Result<Specifiers> specifiers();
  Result<TypeRef> basic_type(const std::vector<std::string_view> &words, unsigned line);
  Result<TypeRef> record_specifier(bool is_union, Specifiers &spec);
  Result<Attrs> record_body(Record &record);
  Result<TypeRef> enum_specifier();
  Result<Attrs> attributes();
  Result<std::uint64_t> alignas_specifier();
  Result<Declarator> declarator(const TypeRef &base, bool abstract_ok);
  Result<TypeRef> type_name();
  Result<void> member_declaration(Record &record);
  Result<void> add_member(Record &record, std::string name, TypeRef type, unsigned line,
                          Attrs attrs);
  Result<void> finish_record(Record &record, const Attrs &attrs);
  TypeRef record_type(const Record &record, std::string name) const;
  TypeRef completed(const TypeRef &type) const;
  Result<TypeRef> array_of(const TypeRef &element, std::int64_t count, std::string_view name,
                           unsigned line);
  Result<void> check_field_type(const TypeRef &type, std::string_view name, unsigned line);
  Result<void> skip_balanced(std::string_view open, std::string_view close);

  // Constant expressions
  Result<std::int64_t> constant(std::string_view what);
  Result<std::int64_t> expr_binary(int level);
  Result<std::int64_t> expr_unary();

  // Result
  Result<Layout> flatten(const Record &record, const std::string &name);

  std::vector<Token> m_tokens;
  std::size_t m_pos = 0;
  std::size_t m_directives_done = 0;
  std::map<std::string, Typedef, std::less<>> m_typedefs;
  std::map<std::string, Record *, std::less<>> m_tags;
  std::map<std::string, TypeRef, std::less<>> m_enums;
  std::map<std::string, std::int64_t, std::less<>> m_constants; // enumerators and #defines
  std::deque<Record> m_records;
  std::vector<const Record *> m_top_records;
  Record *m_bare = nullptr;
  std::vector<Attrs> m_bare_attrs;
  std::vector<std::uint64_t> m_pack_stack;
  std::uint64_t m_pack = 0; // #pragma pack(N): 0 = none
  int m_depth = 0;          // record nesting while parsing
  int m_nesting = 0;        // parentheses in expressions and declarators: bounded recursion
  std::optional<Error> m_directive_error;
};

void Parser::skip_directives() {
  while (m_tokens[m_pos].kind == Tok::directive) {
    if (m_pos >= m_directives_done) {
      directive(m_tokens[m_pos]);
      m_directives_done = m_pos + 1;
    }
    ++m_pos;
  }
}

// #define NAME INTEGER-EXPRESSION is remembered for array sizes; #undef forgets it; #pragma
// pack changes the alignment cap of the structs that follow; every other line is ignored.
void Parser::directive(const Token &t) {
  std::string_view body = t.text.substr(1);
  auto tokens = tokenize(body, t.line);
  if (!tokens || tokens->size() < 2 || (*tokens)[0].kind != Tok::ident)
    return;
  const auto &toks = *tokens;
  const std::string_view word = toks[0].text;
  if (word == "define" && toks[1].kind == Tok::ident && toks.size() > 3) {
    const char *after_name = toks[1].text.data() + toks[1].text.size();
    if (after_name < body.data() + body.size() && *after_name == '(')
      return; // a function-like macro
    Parser sub(std::vector<Token>(toks.begin() + 2, toks.end()));
    sub.m_constants = m_constants;
    auto value = sub.constant("macro");
    if (value && sub.peek().kind == Tok::end)
      m_constants[std::string(toks[1].text)] = *value;
  } else if (word == "undef" && toks[1].kind == Tok::ident) {
    m_constants.erase(std::string(toks[1].text));
  } else if (word == "pragma" && toks[1].text == "pack") {
    std::vector<std::string_view> args;
    for (std::size_t i = 2; i < toks.size(); ++i)
      if (toks[i].kind == Tok::ident || toks[i].kind == Tok::number)
        args.push_back(toks[i].text);
    std::uint64_t value = 0;
    bool has_value = false;
    for (auto arg : args)
      if (!arg.empty() && arg[0] >= '0' && arg[0] <= '9') {
        auto r = std::from_chars(arg.data(), arg.data() + arg.size(), value);
        has_value = r.ec == std::errc() && r.ptr == arg.data() + arg.size();
        if (!has_value || value == 0 || value > 16 || !std::has_single_bit(value)) {
          m_directive_error = error_at(t.line, fmt::format("#pragma pack value '{}' is not "
                                                           "1, 2, 4, 8 or 16",
                                                           printable_text(arg)));
          return;
        }
      }
    const bool push = !args.empty() && args[0] == "push";
    const bool pop = !args.empty() && args[0] == "pop";
    if (push)
      m_pack_stack.push_back(m_pack);
    if (pop) {
      m_pack = m_pack_stack.empty() ? 0 : m_pack_stack.back();
      if (!m_pack_stack.empty())
        m_pack_stack.pop_back();
    }
    if (has_value)
      m_pack = value;
    else if (!push && !pop)
      m_pack = 0; // #pragma pack()
  }
}

Result<void> Parser::skip_balanced(std::string_view open, std::string_view close) {
  const unsigned line = peek().line;
  int depth = 0;
  do {
    const Token &t = next();
    if (t.kind == Tok::end)
      return error_at(line, fmt::format("unbalanced '{}'", open));
    if (t.text == open)
      ++depth;
    else if (t.text == close)
      --depth;
  } while (depth > 0);
  return {};
}

// ---------------------------------------------------------------------------------------
// Constant expressions: integer literals, character constants, enumerators, #defines,
// sizeof(TYPE), _Alignof(TYPE), parentheses, unary - + ~ !, and * / % + - << >> & ^ |.

Result<std::int64_t> parse_integer_literal(const Token &t) {
  std::string_view s = t.text;
  while (!s.empty() && (s.back() == 'u' || s.back() == 'U' || s.back() == 'l' || s.back() == 'L'))
    s.remove_suffix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (s.empty() || ptr != s.data() + s.size() || ec == std::errc::invalid_argument)
    return error_at(t.line, fmt::format("'{}' is not an integer", printable_text(t.text)));
  if (ec == std::errc::result_out_of_range || value > INT64_MAX)
    return error_at(t.line, fmt::format("integer '{}' is too large", printable_text(t.text)));
  return static_cast<std::int64_t>(value);
}

Result<std::int64_t> parse_char_constant(const Token &t) {
  std::string_view s = t.text.substr(1, t.text.size() - 2);
  if (s.size() == 1)
    return static_cast<std::int64_t>(static_cast<signed char>(s[0]));
  if (s.size() == 2 && s[0] == '\\') {
    constexpr std::string_view k_from = "ntr0\\'\"", k_to = "\n\t\r\0\\'\"";
    auto i = k_from.find(s[1]);
    if (i != std::string_view::npos)
      return static_cast<std::int64_t>(k_to[i]);
  }
  return error_at(t.line, fmt::format("unsupported character constant {}", printable_text(t.text)));
}

Result<std::int64_t> Parser::constant(std::string_view what) {
  const unsigned line = peek().line;
  auto v = expr_binary(0);
  if (!v)
    return make_error(Errc::invalid_argument,
                      fmt::format("{} (in {})", std::move(v).error().message, what));
  (void)line;
  return v;
}

Result<std::int64_t> Parser::expr_unary() {
  const Token &t = peek();
  const unsigned line = t.line;
  if (m_nesting > 200)
    return error_at(line, "expression nested too deeply");
  struct Nest {
    int &n;
    explicit Nest(int &count) : n(count) { ++n; }
    ~Nest() { --n; }
  } nest(m_nesting);
  if (t.kind == Tok::number) {
    next();
    return parse_integer_literal(t);
  }
  if (t.kind == Tok::chr) {
    next();
    return parse_char_constant(t);
  }
  if (accept("(")) {
    auto v = expr_binary(0);
    if (!v)
      return v;
    if (auto ok = expect(")", "in an expression"); !ok)
      return std::move(ok).error();
    return v;
  }
  if (t.text == "sizeof" || t.text == "_Alignof" || t.text == "alignof" ||
      t.text == "__alignof__") {
    const bool size = t.text == "sizeof";
    next();
    if (auto ok = expect("(", "after sizeof"); !ok)
      return std::move(ok).error();
    auto type = type_name();
    if (!type)
      return std::move(type).error();
    if (auto ok = expect(")", "after the type"); !ok)
      return std::move(ok).error();
    if (auto ok = check_field_type(*type, "sizeof", line); !ok)
      return std::move(ok).error();
    return static_cast<std::int64_t>(size ? (*type)->size : (*type)->align);
  }
  if (t.kind == Tok::ident) {
    next();
    auto it = m_constants.find(t.text);
    if (it == m_constants.end())
      return error_at(line, fmt::format("unknown constant '{}'", printable_text(t.text)));
    return it->second;
  }
  if (t.text == "-" || t.text == "+" || t.text == "~" || t.text == "!") {
    const std::string_view op = next().text;
    auto v = expr_unary();
    if (!v)
      return v;
    if (op == "-")
      return *v == INT64_MIN ? Result<std::int64_t>(error_at(line, "integer overflow")) : -*v;
    if (op == "~")
      return ~*v;
    if (op == "!")
      return static_cast<std::int64_t>(*v == 0);
    return v;
  }
  return error_at(line, fmt::format("expected an integer constant, found {}", describe(t)));
}

Result<std::int64_t> Parser::expr_binary(int level) {
  static constexpr std::string_view k_levels[][3] = {{"|", "", ""},  {"^", "", ""},
                                                     {"&", "", ""},  {"<<", ">>", ""},
                                                     {"+", "-", ""}, {"*", "/", "%"}};
  constexpr int k_count = static_cast<int>(std::size(k_levels));
  if (level == k_count)
    return expr_unary();
  auto left = expr_binary(level + 1);
  if (!left)
    return left;
  for (;;) {
    const Token &t = peek();
    const auto &ops = k_levels[level];
    if (t.kind != Tok::punct || t.text.empty() ||
        std::find(std::begin(ops), std::end(ops), t.text) == std::end(ops))
      return left;
    const std::string_view op = next().text;
    auto right = expr_binary(level + 1);
    if (!right)
      return right;
    std::int64_t a = *left, b = *right, r = 0;
    bool bad = false;
    if (op == "|")
      r = a | b;
    else if (op == "^")
      r = a ^ b;
    else if (op == "&")
      r = a & b;
    else if (op == "<<")
      bad = b < 0 || b > 62 || a < 0 || (a > (INT64_MAX >> b)), r = bad ? 0 : a << b;
    else if (op == ">>")
      bad = b < 0 || b > 63, r = bad ? 0 : a >> b;
    else if (op == "+")
      bad = __builtin_add_overflow(a, b, &r);
    else if (op == "-")
      bad = __builtin_sub_overflow(a, b, &r);
    else if (op == "*")
      bad = __builtin_mul_overflow(a, b, &r);
    else if (b == 0)
      return error_at(t.line, "division by zero");
    else
      bad = (a == INT64_MIN && b == -1), r = bad ? 0 : (op == "/" ? a / b : a % b);
    if (bad)
      return error_at(t.line, "integer overflow");
    left = r;
  }
}

// ---------------------------------------------------------------------------------------
// Declarations

Result<std::uint64_t> parse_alignment(std::int64_t value, unsigned line) {
  if (value <= 0 || !std::has_single_bit(static_cast<std::uint64_t>(value)) || value > (1 << 28))
    return error_at(line, fmt::format("alignment {} is not a power of two", value));
  return static_cast<std::uint64_t>(value);
}

// __attribute__((a, b(args), ...)), any number of them in a row.
Result<Attrs> Parser::attributes() {
  Attrs attrs;
  while (at("__attribute__") || at("__attribute")) {
    next();
    if (auto ok = expect("(", "after __attribute__"); !ok)
      return std::move(ok).error();
    if (auto ok = expect("(", "after __attribute__("); !ok)
      return std::move(ok).error();
    while (!at(")")) {
      const Token &name = next();
      if (name.kind != Tok::ident)
        return error_at(name.line,
                        fmt::format("expected an attribute name, found {}", describe(name)));
      const bool aligned = name.text == "aligned" || name.text == "__aligned__";
      if (name.text == "packed" || name.text == "__packed__")
        attrs.packed = true;
      if (aligned && !at("("))
        attrs.aligned = std::max<std::uint64_t>(attrs.aligned, 16); // __BIGGEST_ALIGNMENT__
      if (at("(")) {
        if (aligned) {
          next();
          auto value = constant("aligned()");
          if (!value)
            return std::move(value).error();
          auto align = parse_alignment(*value, name.line);
          if (!align)
            return std::move(align).error();
          attrs.aligned = std::max(attrs.aligned, *align);
          if (auto ok = expect(")", "after the alignment"); !ok)
            return std::move(ok).error();
        } else if (auto ok = skip_balanced("(", ")"); !ok) {
          return std::move(ok).error();
        }
      }
      if (!accept(","))
        break;
    }
    if (auto ok = expect(")", "closing __attribute__"); !ok)
      return std::move(ok).error();
    if (auto ok = expect(")", "closing __attribute__"); !ok)
      return std::move(ok).error();
  }
  return attrs;
}

// _Alignas(N) or _Alignas(TYPE); the caller has consumed the keyword.
Result<std::uint64_t> Parser::alignas_specifier() {
  const unsigned line = peek().line;
  if (auto ok = expect("(", "after _Alignas"); !ok)
    return std::move(ok).error();
  std::uint64_t align = 0;
  const Token &t = peek();
  const bool is_type = t.kind == Tok::ident && m_constants.find(t.text) == m_constants.end() &&
                       t.text != "sizeof" && t.text != "_Alignof" && t.text != "alignof";
  if (is_type) {
    auto type = type_name();
    if (!type)
      return std::move(type).error();
    align = (*type)->align;
  } else {
    auto value = constant("_Alignas");
    if (!value)
      return std::move(value).error();
    auto checked = parse_alignment(*value, line);
    if (!checked)
      return std::move(checked).error();
    align = *checked;
  }
  if (auto ok = expect(")", "after the alignment"); !ok)
    return std::move(ok).error();
  return align;
}

bool is_qualifier(std::string_view w) {
  constexpr std::string_view k_words[] = {
      "const",      "volatile",     "restrict", "__restrict",    "__restrict__", "__const",
      "__volatile", "__volatile__", "register", "__extension__", "_Noreturn",    "mutable"};
  return std::find(std::begin(k_words), std::end(k_words), w) != std::end(k_words);
}

bool is_storage(std::string_view w) {
  constexpr std::string_view k_words[] = {"extern",       "static",     "inline",
                                          "__inline",     "__inline__", "_Thread_local",
                                          "thread_local", "__thread",   "constexpr"};
  return std::find(std::begin(k_words), std::end(k_words), w) != std::end(k_words);
}

bool is_basic_word(std::string_view w) {
  constexpr std::string_view k_words[] = {
      "void",     "char",     "short",      "int",         "long",      "signed",
      "unsigned", "float",    "double",     "_Bool",       "bool",      "__signed__",
      "__int128", "_Complex", "__int128_t", "__uint128_t", "_Float128", "__float128"};
  return std::find(std::begin(k_words), std::end(k_words), w) != std::end(k_words);
}

Result<TypeRef> Parser::basic_type(const std::vector<std::string_view> &words, unsigned line) {
  int n_signed = 0, n_unsigned = 0, n_short = 0, n_long = 0, n_int = 0, n_char = 0;
  int n_float = 0, n_double = 0, n_bool = 0, n_void = 0;
  std::string spelled;
  for (auto w : words) {
    spelled += spelled.empty() ? "" : " ";
    spelled += w;
    if (w == "signed" || w == "__signed__")
      ++n_signed;
    else if (w == "unsigned")
      ++n_unsigned;
    else if (w == "short")
      ++n_short;
    else if (w == "long")
      ++n_long;
    else if (w == "int")
      ++n_int;
    else if (w == "char")
      ++n_char;
    else if (w == "float")
      ++n_float;
    else if (w == "double")
      ++n_double;
    else if (w == "_Bool" || w == "bool")
      ++n_bool;
    else if (w == "void")
      ++n_void;
    else
      return error_at(line, fmt::format("type '{}' is not supported", spelled));
  }
  auto invalid = [&] { return error_at(line, fmt::format("invalid type '{}'", spelled)); };
  const int sign = n_signed + n_unsigned;
  if (sign > 1 || n_int > 1 || n_short > 1 || n_long > 2 || (n_short && n_long))
    return invalid();
  const bool u = n_unsigned > 0;
  using K = FieldKind;
  using V = ValueType;
  const K ik = u ? K::unsigned_int : K::signed_int;
  if (n_void) {
    if (words.size() != 1)
      return invalid();
    auto t = std::make_shared<Type>();
    t->shape = Type::Shape::void_type;
    t->name = "void";
    return TypeRef(t);
  }
  if (n_bool) {
    if (words.size() != 1)
      return invalid();
    return scalar(spelled, K::boolean, V::u8);
  }
  if (n_float || n_double) {
    if (n_long && n_double && words.size() == 2)
      return error_at(line, "type 'long double' is not supported");
    if (words.size() != 1)
      return invalid();
    return n_float ? scalar(spelled, K::floating, V::f32) : scalar(spelled, K::floating, V::f64);
  }
  if (n_char) {
    if (n_short || n_long || n_int)
      return invalid();
    return scalar(spelled, sign ? ik : K::signed_int, u ? V::u8 : V::i8, sign == 0);
  }
  if (n_short)
    return scalar(spelled, ik, u ? V::u16 : V::i16);
  if (n_long)
    return scalar(spelled, ik, u ? V::u64 : V::i64);
  return scalar(spelled, ik, u ? V::u32 : V::i32);
}

Result<Specifiers> Parser::specifiers() {
  Specifiers spec;
  spec.line = peek().line;
  std::vector<std::string_view> words;
  for (;;) {
    const Token &t = peek();
    if (t.kind != Tok::ident)
      break;
    const std::string_view w = t.text;
    if (w == "typedef") {
      next();
      spec.is_typedef = true;
    } else if (is_storage(w)) {
      next();
      spec.is_extern_or_static = true;
    } else if (is_qualifier(w)) {
      next();
    } else if (w == "__attribute__" || w == "__attribute") {
      auto attrs = attributes();
      if (!attrs)
        return std::move(attrs).error();
      spec.attrs.merge(*attrs);
    } else if (w == "_Alignas" || w == "alignas") {
      next();
      auto align = alignas_specifier();
      if (!align)
        return std::move(align).error();
      spec.attrs.aligned = std::max(spec.attrs.aligned, *align);
      spec.attrs.alignas_value = std::max(spec.attrs.alignas_value, *align);
    } else if (w == "_Atomic") {
      next();
      if (at("(")) {
        if (spec.type || !words.empty())
          return error_at(t.line, "invalid use of _Atomic(TYPE)");
        next();
        auto type = type_name();
        if (!type)
          return std::move(type).error();
        spec.type = *type;
        if (auto ok = expect(")", "after _Atomic(TYPE"); !ok)
          return std::move(ok).error();
      }
    } else if (is_basic_word(w)) {
      if (spec.type)
        return error_at(t.line, fmt::format("two types in one declaration ('{}' after '{}')", w,
                                            spec.type->name));
      next();
      words.push_back(w);
    } else if (w == "struct" || w == "union" || w == "class") {
      if (spec.type || !words.empty())
        return error_at(t.line, fmt::format("two types in one declaration ('{}')", w));
      next();
      auto type = record_specifier(w == "union", spec);
      if (!type)
        return std::move(type).error();
      spec.type = *type;
    } else if (w == "enum") {
      if (spec.type || !words.empty())
        return error_at(t.line, "two types in one declaration ('enum')");
      next();
      auto type = enum_specifier();
      if (!type)
        return std::move(type).error();
      spec.type = *type;
    } else if (!spec.type && words.empty()) {
      auto it = m_typedefs.find(w);
      if (it != m_typedefs.end()) {
        next();
        spec.type = it->second.type;
        continue;
      }
      auto tag = m_tags.find(w); // C++ style: a struct's tag used as a type name
      if (tag != m_tags.end()) {
        next();
        spec.type = record_type(*tag->second, std::string(w));
        continue;
      }
      const Token &after = peek(1);
      if (after.kind == Tok::ident || after.text == "*" || after.text == "(")
        return error_at(t.line, fmt::format("unknown type '{}'{}", printable_text(w),
                                            after.kind == Tok::ident
                                                ? fmt::format(" (field '{}')", after.text)
                                                : std::string()));
      return error_at(t.line, fmt::format("missing type before '{}'", printable_text(w)));
    } else {
      break;
    }
  }
  if (!words.empty()) {
    auto type = basic_type(words, spec.line);
    if (!type)
      return std::move(type).error();
    spec.type = *type;
  }
  if (!spec.type)
    return error_at(peek().line, fmt::format("expected a type, found {}", describe(peek())));
  spec.type = completed(spec.type);
  return spec;
}

Result<TypeRef> Parser::record_specifier(bool is_union, Specifiers &spec) {
  const unsigned line = peek().line;
  const char *keyword = is_union ? "union" : "struct";
  auto attrs = attributes();
  if (!attrs)
    return std::move(attrs).error();
  std::string tag;
  if (peek().kind == Tok::ident && !at("__attribute__")) {
    tag = std::string(next().text);
    auto more = attributes();
    if (!more)
      return std::move(more).error();
    attrs->merge(*more);
  }
  Record *record = nullptr;
  if (!tag.empty()) {
    auto it = m_tags.find(tag);
    if (it != m_tags.end()) {
      record = it->second;
      if (record->is_union != is_union)
        return error_at(line, fmt::format("'{}' was declared as a {}", tag,
                                          record->is_union ? "union" : "struct"));
    }
  }
  if (at("{")) {
    if (record != nullptr && record->complete)
      return error_at(line, fmt::format("{} '{}' is defined twice (first on line {})", keyword, tag,
                                        record->line));
    if (record == nullptr) {
      record = &m_records.emplace_back();
      if (!tag.empty())
        m_tags[tag] = record;
    }
    record->tag = tag;
    record->is_union = is_union;
    record->line = line;
    record->top_level = m_depth == 0;
    spec.defined_record = true;
    spec.anonymous_record = tag.empty();
    auto tail = record_body(*record);
    if (!tail)
      return std::move(tail).error();
    attrs->merge(*tail);
    if (auto ok = finish_record(*record, *attrs); !ok)
      return std::move(ok).error();
  } else if (tag.empty()) {
    return error_at(line, fmt::format("expected a {} name or '{{'", keyword));
  } else if (record == nullptr) {
    record = &m_records.emplace_back();
    record->tag = tag;
    record->is_union = is_union;
    record->line = line;
    m_tags[tag] = record;
  }
  return record_type(*record, fmt::format("{} {}", keyword, tag.empty() ? "<anonymous>" : tag));
}

// '{' members '}' attributes: lays the record out.
Result<Attrs> Parser::record_body(Record &record) {
  const unsigned line = peek().line;
  Attrs attrs;
  next(); // '{'
  ++m_depth;
  if (m_depth > 64)
    return error_at(line, "structs nested more than 64 deep");
  while (!at("}")) {
    if (peek().kind == Tok::end) {
      const std::string what =
          record.tag.empty()
              ? std::string(record.is_union ? "union" : "struct")
              : fmt::format("{} '{}'", record.is_union ? "union" : "struct", record.tag);
      return error_at(line, fmt::format("unterminated {} (no closing '}}')", what));
    }
    if (accept(";"))
      continue;
    if (auto ok = member_declaration(record); !ok)
      return std::move(ok).error();
  }
  next(); // '}'
  --m_depth;
  auto tail = attributes();
  if (!tail)
    return std::move(tail).error();
  attrs.merge(*tail);
  return attrs;
}

TypeRef Parser::record_type(const Record &record, std::string name) const {
  auto t = std::make_shared<Type>();
  t->shape = record.complete ? Type::Shape::record : Type::Shape::incomplete;
  t->record = &record;
  t->name = std::move(name);
  t->size = record.size;
  t->align = record.align;
  std::uint64_t leaves = 0;
  for (const Member &m : record.members)
    leaves = std::min<std::uint64_t>(UINT64_MAX - m.type->leaves, leaves) + m.type->leaves;
  t->leaves = leaves;
  return t;
}

// A typedef of a struct declared before the struct's body: the type as it is now.
TypeRef Parser::completed(const TypeRef &type) const {
  if (type->shape != Type::Shape::incomplete || !type->record->complete)
    return type;
  auto t = record_type(*type->record, type->name);
  auto copy = std::make_shared<Type>(*t);
  copy->align = std::max(copy->align, type->align);
  return copy;
}

Result<TypeRef> Parser::array_of(const TypeRef &element, std::int64_t count, std::string_view name,
                                 unsigned line) {
  if (count == 0)
    return error_at(line, fmt::format("array '{}' has size 0", name));
  if (count < 0)
    return error_at(line, fmt::format("array '{}' has negative size {}", name, count));
  if (auto ok = check_field_type(element, name, line); !ok)
    return std::move(ok).error();
  const auto n = static_cast<std::uint64_t>(count);
  if (n > k_max_size / element->size)
    return make_error(Errc::out_of_range,
                      fmt::format("line {}: array '{}' is larger than 2^40 bytes", line, name));
  auto t = std::make_shared<Type>();
  t->shape = Type::Shape::array;
  t->element = element;
  t->count = n;
  t->size = n * element->size;
  t->align = element->align;
  const bool text = element->shape == Type::Shape::scalar && element->plain_char;
  t->leaves = text ? 1 : saturating_mul(n, element->leaves);
  // "int[2][3]": the new dimension goes before the element's own dimensions.
  const std::string &en = element->name;
  const auto bracket = element->shape == Type::Shape::array ? en.find('[') : std::string::npos;
  t->name = bracket == std::string::npos
                ? fmt::format("{}[{}]", en, n)
                : fmt::format("{}[{}]{}", en.substr(0, bracket), n, en.substr(bracket));
  return TypeRef(t);
}

Result<void> Parser::check_field_type(const TypeRef &type, std::string_view name, unsigned line) {
  switch (type->shape) {
  case Type::Shape::void_type:
    return error_at(line, fmt::format("field '{}' has type void", name));
  case Type::Shape::function:
    return error_at(
        line, fmt::format("field '{}' is a function (a function pointer is '(*{})')", name, name));
  case Type::Shape::incomplete:
    return error_at(line, fmt::format("field '{}' has incomplete type '{}' (not defined above)",
                                      name, type->name));
  default:
    return {};
  }
}

// enum [NAME] [{ A [= EXPR], ... }]: the integer type gcc gives it (unsigned int when no
// value is negative, int otherwise, 64 bits when a value needs it; packed: the smallest).
Result<TypeRef> Parser::enum_specifier() {
  const unsigned line = peek().line;
  auto attrs = attributes();
  if (!attrs)
    return std::move(attrs).error();
  std::string tag;
  if (peek().kind == Tok::ident)
    tag = std::string(next().text);
  if (!at("{")) {
    auto it = m_enums.find(tag);
    if (tag.empty() || it == m_enums.end())
      return error_at(line,
                      fmt::format("unknown enum '{}' (not defined above)", printable_text(tag)));
    return it->second;
  }
  next();
  std::int64_t value = -1, lo = 0, hi = 0;
  bool first = true;
  while (!accept("}")) {
    const Token &name = next();
    if (name.kind != Tok::ident)
      return error_at(name.line,
                      fmt::format("expected an enumerator name, found {}", describe(name)));
    if (accept("=")) {
      auto v = constant(fmt::format("enumerator '{}'", name.text));
      if (!v)
        return std::move(v).error();
      value = *v;
    } else if (__builtin_add_overflow(value, 1, &value)) {
      return error_at(name.line, "enumerator value overflows");
    }
    m_constants[std::string(name.text)] = value;
    lo = first ? value : std::min(lo, value);
    hi = first ? value : std::max(hi, value);
    first = false;
    if (!accept(",") && !at("}"))
      return error_at(peek().line,
                      fmt::format("expected ',' or '}}' in enum, found {}", describe(peek())));
  }
  if (first)
    return error_at(line, "empty enum");
  auto more = attributes();
  if (!more)
    return std::move(more).error();
  attrs->merge(*more);
  const bool neg = lo < 0;
  using V = ValueType;
  V vt = neg ? V::i32 : V::u32;
  if (attrs->packed)
    vt = neg ? (lo >= -128 && hi <= 127       ? V::i8
                : lo >= -32768 && hi <= 32767 ? V::i16
                                              : V::i32)
             : (hi <= 255     ? V::u8
                : hi <= 65535 ? V::u16
                              : V::u32);
  if (neg ? (lo < INT32_MIN || hi > INT32_MAX) : hi > UINT32_MAX)
    vt = neg ? V::i64 : V::u64;
  auto t = scalar(tag.empty() ? "enum <anonymous>" : "enum " + tag,
                  neg ? FieldKind::signed_int : FieldKind::unsigned_int, vt);
  if (!tag.empty())
    m_enums[tag] = t;
  return t;
}

// The declarator of one name: pointers, a name, array dimensions and function parameters,
// nested with parentheses (`int (*fn)(void)`, `char (*rows)[16]`), in C's inside-out order.
Result<Declarator> Parser::declarator(const TypeRef &base, bool abstract_ok) {
  Declarator d;
  d.line = peek().line;
  if (m_nesting > 200)
    return error_at(d.line, "declarator nested too deeply");
  struct Nest {
    int &n;
    explicit Nest(int &count) : n(count) { ++n; }
    ~Nest() { --n; }
  } nest(m_nesting);
  TypeRef type = base;
  for (;;) {
    auto attrs = attributes();
    if (!attrs)
      return std::move(attrs).error();
    d.attrs.merge(*attrs);
    if (peek().kind == Tok::ident && is_qualifier(peek().text)) {
      next();
      continue;
    }
    if (!accept("*"))
      break;
    type = pointer_to(type);
  }
  std::optional<std::size_t> inner;
  if (at("(") && (peek(1).text == "*" || peek(1).text == "__attribute__")) {
    next();
    skip_directives();
    inner = m_pos;
    int depth = 1;
    while (depth > 0) {
      const Token &t = next();
      if (t.kind == Tok::end)
        return error_at(d.line, "unbalanced '(' in a declarator");
      depth += t.text == "(" ? 1 : t.text == ")" ? -1 : 0;
    }
  } else if (peek().kind == Tok::ident && !is_basic_word(peek().text)) {
    d.name = std::string(next().text);
    d.line = m_tokens[m_pos - 1].line;
  } else if (!abstract_ok) {
    return error_at(peek().line, fmt::format("expected a field name, found {}", describe(peek())));
  }
  const std::string shown = d.name.empty() ? "<unnamed>" : d.name;
  std::vector<std::int64_t> dims;
  bool function = false;
  for (;;) {
    if (accept("[")) {
      if (at("]"))
        return error_at(peek().line,
                        fmt::format("flexible array member '{}[]' is not supported", shown));
      auto n = constant(fmt::format("the size of array '{}'", shown));
      if (!n)
        return std::move(n).error();
      if (auto ok = expect("]", "after an array size"); !ok)
        return std::move(ok).error();
      dims.push_back(*n);
    } else if (at("(") && !function) {
      if (auto ok = skip_balanced("(", ")"); !ok)
        return std::move(ok).error();
      function = true;
    } else {
      break;
    }
  }
  if (function) {
    auto t = std::make_shared<Type>();
    t->shape = Type::Shape::function;
    t->name = "function";
    type = t;
  }
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
    auto arr = array_of(type, *it, shown, d.line);
    if (!arr)
      return std::move(arr).error();
    type = *arr;
  }
  if (inner) {
    const std::size_t resume = m_pos;
    m_pos = *inner;
    auto in = declarator(type, abstract_ok);
    if (!in)
      return in;
    if (!at(")"))
      return error_at(peek().line, fmt::format("unexpected {} in a declarator", describe(peek())));
    m_pos = resume;
    in->attrs.merge(d.attrs);
    d = std::move(*in);
  } else {
    d.type = type;
  }
  auto tail = attributes();
  if (!tail)
    return std::move(tail).error();
  d.attrs.merge(*tail);
  return d;
}

Result<TypeRef> Parser::type_name() {
  if (m_nesting > 200)
    return error_at(peek().line, "type nested too deeply");
  struct Nest {
    int &n;
    explicit Nest(int &count) : n(count) { ++n; }
    ~Nest() { --n; }
  } nest(m_nesting);
  auto spec = specifiers();
  if (!spec)
    return std::move(spec).error();
  auto d = declarator(spec->type, true);
  if (!d)
    return std::move(d).error();
  if (!d->name.empty())
    return error_at(d->line, fmt::format("unexpected name '{}' in a type", d->name));
  return d->type;
}

bool is_static_assert(std::string_view w) { return w == "_Static_assert" || w == "static_assert"; }

Result<void> Parser::member_declaration(Record &record) {
  if (is_static_assert(peek().text)) { // checked by the compiler, not here
    next();
    if (auto ok = skip_balanced("(", ")"); !ok)
      return ok;
    return expect(";", "after _Static_assert");
  }
  auto spec = specifiers();
  if (!spec)
    return std::move(spec).error();
  if (spec->is_typedef || spec->is_extern_or_static)
    return error_at(spec->line, "typedef, static and extern are not allowed inside a struct");
  if (accept(";")) {
    if (spec->defined_record && spec->anonymous_record) // an anonymous struct/union member
      return add_member(record, "", spec->type, spec->line, spec->attrs);
    return {}; // a nested struct or enum definition declaring no member
  }
  for (;;) {
    auto d = declarator(spec->type, false);
    if (!d)
      return std::move(d).error();
    if (at(":"))
      return error_at(d->line, fmt::format("bitfields are not supported (field '{}')", d->name));
    Attrs attrs = spec->attrs;
    attrs.merge(d->attrs);
    if (auto ok = add_member(record, d->name, d->type, d->line, attrs); !ok)
      return ok;
    if (accept(","))
      continue;
    if (at("}")) // gcc accepts a last member without ';'
      return {};
    return expect(";", fmt::format("after field '{}'", d->name));
  }
}

Result<void> Parser::add_member(Record &record, std::string name, TypeRef type, unsigned line,
                                Attrs attrs) {
  const std::string shown = name.empty() ? "<anonymous>" : name;
  if (auto ok = check_field_type(type, shown, line); !ok)
    return ok;
  if (attrs.alignas_value != 0 && attrs.alignas_value < type->align)
    return error_at(line, fmt::format("_Alignas({}) cannot reduce the alignment of '{}' ({})",
                                      attrs.alignas_value, shown, type->align));
  if (record.members.size() >= k_layout_max_fields)
    return make_error(Errc::out_of_range,
                      fmt::format("line {}: more than {} fields", line, k_layout_max_fields));
  if (name.empty()) {
    for (const auto &lifted : type->record->names)
      if (!record.names.insert(lifted).second)
        return error_at(line, fmt::format("duplicate field '{}'", lifted));
  } else if (!record.names.insert(name).second) {
    return error_at(line, fmt::format("duplicate field '{}'", name));
  }
  record.members.push_back({std::move(name), std::move(type), 0, line, attrs});
  return {};
}

// gcc's rules (stor-layout.cc layout_decl/place_field): packed gives a member alignment 1
// unless the member itself says aligned(N)/_Alignas (then N; aligned only raises alignment
// without packed); #pragma pack(N) caps every member's; the record's alignment is its
// largest member's (or its own aligned(N)); its size is rounded up to that.
Result<void> Parser::finish_record(Record &record, const Attrs &attrs) {
  const char *keyword = record.is_union ? "union" : "struct";
  if (record.members.empty())
    return error_at(record.line, fmt::format("{} '{}' has no fields", keyword,
                                             record.tag.empty() ? "<anonymous>" : record.tag));
  std::uint64_t end = 0, align = 1;
  for (Member &m : record.members) {
    std::uint64_t a = m.type->align;
    if (attrs.packed || m.attrs.packed)
      a = m.attrs.aligned != 0 ? m.attrs.aligned : 1;
    else
      a = std::max(a, m.attrs.aligned);
    if (m_pack != 0)
      a = std::min(a, m_pack);
    m.offset = record.is_union ? 0 : round_up(end, a);
    end = std::max(end, m.offset + m.type->size);
    align = std::max(align, a);
    if (end > k_max_size)
      return make_error(Errc::out_of_range, fmt::format("line {}: {} is larger than 2^40 bytes "
                                                        "(field '{}')",
                                                        m.line, keyword, m.name));
  }
  record.align = std::max(align, attrs.aligned);
  record.size = round_up(end, record.align);
  record.complete = true;
  if (record.top_level)
    m_top_records.push_back(&record);
  return {};
}

Result<void> Parser::top_level_declaration() {
  if (accept(";"))
    return {};
  if (is_static_assert(peek().text)) {
    next();
    if (auto ok = skip_balanced("(", ")"); !ok)
      return ok;
    return expect(";", "after _Static_assert");
  }
  auto spec = specifiers();
  if (!spec)
    return std::move(spec).error();
  if (accept(";"))
    return {}; // a struct, union or enum definition, or a forward declaration
  if (peek().kind == Tok::end)
    return error_at(peek().line, "expected ';' at the end of the layout");
  for (;;) {
    auto d = declarator(spec->type, false);
    if (!d)
      return std::move(d).error();
    Attrs attrs = spec->attrs;
    attrs.merge(d->attrs);
    if (d->type->shape == Type::Shape::function && !spec->is_typedef) {
      if (at("{")) // a function definition: skipped
        return skip_balanced("{", "}");
    } else if (spec->is_typedef) {
      TypeRef type = d->type;
      if (type->name != d->name || attrs.aligned != 0) {
        auto copy = std::make_shared<Type>(*type);
        if (type->shape != Type::Shape::record && type->shape != Type::Shape::incomplete)
          copy->name = d->name;
        else if (type->record->alias.empty())
          const_cast<Record *>(type->record)->alias = d->name;
        copy->align = std::max(copy->align, attrs.aligned);
        type = copy;
      }
      auto it = m_typedefs.find(d->name);
      if (it != m_typedefs.end() && !it->second.builtin) {
        const Type &old = *it->second.type;
        if (old.shape != type->shape || old.size != type->size || old.align != type->align ||
            old.record != type->record || old.vt != type->vt)
          return error_at(d->line, fmt::format("typedef '{}' redefined as another type", d->name));
      }
      m_typedefs[d->name] = Typedef{type, false};
    } else if (!spec->is_extern_or_static) {
      if (at(":"))
        return error_at(d->line, fmt::format("bitfields are not supported (field '{}')", d->name));
      if (m_bare == nullptr) {
        m_bare = &m_records.emplace_back();
        m_bare->line = d->line;
      }
      if (auto ok = add_member(*m_bare, d->name, d->type, d->line, attrs); !ok)
        return ok;
    }
    if (at("="))
      return error_at(peek().line,
                      fmt::format("initializers are not supported (field '{}')", d->name));
    if (accept(","))
      continue;
    return expect(";", fmt::format("after '{}'", d->name));
  }
}

// ---------------------------------------------------------------------------------------
// Flattening

struct Flattener {
  Layout &layout;

  void add_type(LayoutNode &node, const Type &t, std::string path, std::uint64_t offset,
                unsigned line, unsigned depth) {
    const bool text = t.shape == Type::Shape::array && t.element->shape == Type::Shape::scalar &&
                      t.element->plain_char;
    if (t.shape == Type::Shape::scalar || t.shape == Type::Shape::pointer || text) {
      node.shape = NodeShape::leaf;
      node.field = layout.fields.size();
      LayoutField f;
      f.path = std::move(path);
      f.offset = offset;
      f.size = t.size;
      f.kind = text ? FieldKind::text : t.kind;
      f.type = text ? ValueType::u8 : t.vt;
      f.c_type = t.name;
      f.line = line;
      layout.fields.push_back(std::move(f));
      layout.depth = std::max(layout.depth, depth);
      return;
    }
    if (t.shape == Type::Shape::array) {
      node.shape = NodeShape::array;
      node.children.resize(static_cast<std::size_t>(t.count));
      for (std::uint64_t i = 0; i < t.count; ++i)
        add_type(node.children[static_cast<std::size_t>(i)], *t.element,
                 fmt::format("{}[{}]", path, i), offset + i * t.element->size, line, depth + 1);
      return;
    }
    node.shape = NodeShape::record;
    add_members(node, *t.record, path, offset, depth + 1);
  }

  void add_members(LayoutNode &node, const Record &record, const std::string &prefix,
                   std::uint64_t base, unsigned depth) {
    if (record.is_union)
      layout.has_unions = true;
    for (const Member &m : record.members) {
      if (m.name.empty()) { // anonymous: its members are the parent's
        add_members(node, *m.type->record, prefix, base + m.offset, depth);
        continue;
      }
      LayoutNode &child = node.children.emplace_back();
      child.name = m.name;
      add_type(child, *m.type, prefix.empty() ? m.name : prefix + "." + m.name, base + m.offset,
               m.line, depth);
    }
  }
};

Result<Layout> Parser::flatten(const Record &record, const std::string &name) {
  auto type = record_type(record, name);
  if (type->leaves > k_layout_max_fields)
    return make_error(Errc::out_of_range, fmt::format("line {}: the layout has more than {} fields",
                                                      record.line, k_layout_max_fields));
  Layout layout;
  layout.name = name;
  layout.size = record.size;
  layout.align = record.align;
  layout.fields.reserve(static_cast<std::size_t>(type->leaves));
  Flattener f{layout};
  layout.root.shape = NodeShape::record;
  f.add_members(layout.root, record, "", 0, 1);
  return layout;
}

Result<Layout> Parser::parse(std::string_view struct_name) {
  while (peek().kind != Tok::end) {
    if (auto ok = top_level_declaration(); !ok)
      return std::move(ok).error();
    if (m_directive_error)
      return *m_directive_error;
  }
  if (m_directive_error)
    return *m_directive_error;
  if (!struct_name.empty()) {
    const Record *found = nullptr;
    if (auto it = m_tags.find(struct_name); it != m_tags.end())
      found = it->second;
    else if (auto td = m_typedefs.find(struct_name);
             td != m_typedefs.end() && td->second.type->record != nullptr)
      found = td->second.type->record;
    if (found == nullptr || !found->complete) {
      std::vector<std::string> have;
      for (const Record &r : m_records)
        if (r.complete && (!r.tag.empty() || !r.alias.empty()))
          have.push_back(r.tag.empty() ? r.alias : r.tag);
      return make_error(Errc::invalid_argument,
                        fmt::format("no struct named '{}' ({})", printable_text(struct_name),
                                    have.empty()
                                        ? "none has a name"
                                        : "have: " + fmt::format("{}", fmt::join(have, ", "))));
    }
    return flatten(*found, std::string(struct_name));
  }
  if (m_bare != nullptr) {
    if (auto ok = finish_record(*m_bare, {}); !ok)
      return std::move(ok).error();
    return flatten(*m_bare, "");
  }
  if (m_top_records.empty())
    return make_error(Errc::invalid_argument, "no struct or member declarations");
  const Record &last = *m_top_records.back();
  return flatten(last, last.tag.empty() ? last.alias : last.tag);
}

// ---------------------------------------------------------------------------------------
// Values

bool big_endian(Endian endian) {
  return endian == Endian::big ||
         (endian == Endian::native && std::endian::native == std::endian::big);
}

std::uint64_t load_bits(std::span<const std::byte> bytes, Endian endian) {
  const bool big = big_endian(endian);
  std::uint64_t bits = 0;
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n; ++i)
    bits |= std::to_integer<std::uint64_t>(bytes[i]) << (8 * (big ? n - 1 - i : i));
  return bits;
}

Error field_error(const LayoutField &field, Error error) {
  error.message = fmt::format("field '{}': {}", printable_text(field.path), error.message);
  return error;
}

} // namespace

const char *field_kind_name(FieldKind kind) noexcept {
  switch (kind) {
  case FieldKind::signed_int:
    return "signed";
  case FieldKind::unsigned_int:
    return "unsigned";
  case FieldKind::boolean:
    return "bool";
  case FieldKind::floating:
    return "float";
  case FieldKind::pointer:
    return "pointer";
  case FieldKind::text:
    return "string";
  }
  return "?";
}

const LayoutField *Layout::find(std::string_view path) const noexcept {
  for (const LayoutField &f : fields)
    if (f.path == path)
      return &f;
  return nullptr;
}

Result<Layout> parse_layout(std::string_view text, std::string_view struct_name) {
  auto tokens = tokenize(text);
  if (!tokens)
    return std::move(tokens).error();
  Parser parser(std::move(*tokens));
  return parser.parse(struct_name);
}

FieldValue decode_field(const LayoutField &field, std::span<const std::byte> record,
                        Endian endian) {
  auto bytes = field_bytes(field, record);
  switch (field.kind) {
  case FieldKind::text: {
    std::string_view s(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return std::string(s.substr(0, s.find('\0')));
  }
  case FieldKind::boolean: {
    const auto b = std::to_integer<std::uint64_t>(bytes[0]);
    if (b <= 1)
      return b == 1;
    return b;
  }
  case FieldKind::floating: {
    const std::uint64_t bits = load_bits(bytes, endian);
    if (field.size == 4)
      return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
    return std::bit_cast<double>(bits);
  }
  case FieldKind::signed_int: {
    const std::uint64_t bits = load_bits(bytes, endian);
    const unsigned shift = static_cast<unsigned>(64 - 8 * field.size);
    return static_cast<std::int64_t>(bits << shift) >> shift;
  }
  case FieldKind::unsigned_int:
  case FieldKind::pointer:
    return load_bits(bytes, endian);
  }
  return std::uint64_t{0};
}

std::string format_field(const LayoutField &field, std::span<const std::byte> record,
                         Endian endian) {
  auto bytes = field_bytes(field, record);
  switch (field.kind) {
  case FieldKind::text: {
    std::string_view s(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return printable_text(s.substr(0, s.find('\0')));
  }
  case FieldKind::boolean: {
    const auto b = std::to_integer<unsigned>(bytes[0]);
    return b == 0 ? "false" : b == 1 ? "true" : fmt::format("{}", b);
  }
  case FieldKind::pointer:
    return fmt::format("0x{:x}", load_bits(bytes, endian));
  default:
    return format_value(bytes, field.type, endian);
  }
}

Result<std::vector<std::byte>> encode_field(const LayoutField &field, std::string_view text,
                                            Endian endian) {
  if (field.kind == FieldKind::text) {
    if (text.size() > field.size)
      return field_error(
          field, make_error(Errc::out_of_range, fmt::format("string of {} bytes does not fit in {}",
                                                            text.size(), field.c_type)));
    std::vector<std::byte> out(static_cast<std::size_t>(field.size));
    std::memcpy(out.data(), text.data(), text.size());
    return out;
  }
  if (field.kind == FieldKind::boolean) {
    if (text == "true" || text == "1")
      return std::vector<std::byte>{std::byte{1}};
    if (text == "false" || text == "0")
      return std::vector<std::byte>{std::byte{0}};
    return field_error(field, make_error(Errc::invalid_argument,
                                         fmt::format("invalid bool value '{}' (valid: true, "
                                                     "false, 1, 0)",
                                                     printable_text(text))));
  }
  auto value = encode_value(text, field.type, endian);
  if (!value)
    return field_error(field, std::move(value).error());
  auto b = value->bytes();
  return std::vector<std::byte>(b.begin(), b.end());
}

Result<FieldValue> parse_field_value(const LayoutField &field, std::string_view text) {
  auto bytes = encode_field(field, text, Endian::little);
  if (!bytes)
    return std::move(bytes).error();
  LayoutField at_zero = field;
  at_zero.offset = 0;
  FieldValue value = decode_field(at_zero, *bytes, Endian::little);
  if (field.kind == FieldKind::text)
    return FieldValue(std::string(text.substr(0, text.find('\0'))));
  return value;
}

std::partial_ordering compare_field_values(const FieldValue &a, const FieldValue &b) noexcept {
  auto number = [](const FieldValue &v) -> int {
    return std::holds_alternative<std::int64_t>(v)    ? 1
           : std::holds_alternative<std::uint64_t>(v) ? 2
           : std::holds_alternative<double>(v)        ? 3
                                                      : 0;
  };
  const int na = number(a), nb = number(b);
  if (na != 0 && nb != 0) {
    if (na == 3 || nb == 3) {
      auto as_double = [](const FieldValue &v) {
        if (auto *d = std::get_if<double>(&v))
          return *d;
        if (auto *i = std::get_if<std::int64_t>(&v))
          return static_cast<double>(*i);
        return static_cast<double>(std::get<std::uint64_t>(v));
      };
      return as_double(a) <=> as_double(b);
    }
    auto cmp = [](auto x, auto y) -> std::partial_ordering {
      return std::cmp_less(x, y)    ? std::partial_ordering::less
             : std::cmp_equal(x, y) ? std::partial_ordering::equivalent
                                    : std::partial_ordering::greater;
    };
    const auto *ia = std::get_if<std::int64_t>(&a);
    const auto *ib = std::get_if<std::int64_t>(&b);
    const auto *ua = std::get_if<std::uint64_t>(&a);
    const auto *ub = std::get_if<std::uint64_t>(&b);
    if (ia != nullptr)
      return ib != nullptr ? cmp(*ia, *ib) : cmp(*ia, *ub);
    return ib != nullptr ? cmp(*ua, *ib) : cmp(*ua, *ub);
  }
  if (a.index() != b.index())
    return std::partial_ordering::unordered;
  if (auto *x = std::get_if<bool>(&a))
    return *x <=> std::get<bool>(b);
  if (auto *x = std::get_if<std::string>(&a))
    return *x <=> std::get<std::string>(b);
  return std::partial_ordering::unordered;
}

} // namespace shmkit
