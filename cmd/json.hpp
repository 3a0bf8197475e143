// The one JSON writer of the shmkit binary (ls, ls --limits, watch --json). It writes into a
// caller's std::string (usually Stdout::get().buffer()) with no allocation of its own, in the
// house layout: ", " between members and elements, ": " after a key, and optionally one element
// per line ("{\"segments\": [\n  {...},\n  {...}\n]}").
//
//   JsonWriter w(out);                       // one NDJSON event (watch --json):
//   w.object().field("event", "change").field("offset", 42).key("old").null().end().line();
//   // {"event": "change", "offset": 42, "old": null}\n
//
// Strings are escaped (", \, \n, \t, \r; other C0 controls and DEL as \u00XX); a byte that is
// not part of valid UTF-8 becomes U+FFFD, so the text is always valid JSON. text_field() then
// adds "NAME_hex" with the exact bytes, so nothing is lost.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace shmkit::cli {

/// Appends s as a JSON string (quoted; invalid UTF-8 bytes become U+FFFD).
void append_json_string(std::string &out, std::string_view s);
/// True when s is valid UTF-8 (then no *_hex field is needed in JSON).
bool is_valid_utf8(std::string_view s);
/// Lowercase hex of every byte of s.
std::string to_hex(std::string_view s);
/// Appends the lowercase hex of every byte of s to out.
void append_hex(std::string &out, std::string_view s);

/// How deep objects and arrays may nest in a JsonWriter (read --layout checks its layouts).
inline constexpr std::size_t k_max_depth = 64;

/// Writes one JSON value (objects and arrays nest up to k_max_depth deep) into `out`.
class JsonWriter {
public:
  /// How an array or object places its elements.
  enum class Layout {
    inline_layout, ///< [1, 2]
    lines,         ///< "[\n  1,\n  2\n]" (an empty one stays "[]")
  };

  explicit JsonWriter(std::string &out) : m_out(out) {}

  JsonWriter &object(Layout layout = Layout::inline_layout) { return open('{', layout); }
  JsonWriter &array(Layout layout = Layout::inline_layout) { return open('[', layout); }
  /// Closes the innermost object or array.
  JsonWriter &end();
  /// The key of the next member of the current object.
  JsonWriter &key(std::string_view name);

  JsonWriter &string(std::string_view s);
  /// Any integer type.
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  JsonWriter &number(T value) {
    if constexpr (std::is_signed_v<T>)
      return integer(value < 0 ? 0 - static_cast<std::uint64_t>(value)
                               : static_cast<std::uint64_t>(value),
                     value < 0);
    else
      return integer(static_cast<std::uint64_t>(value), false);
  }
  /// A number already formatted ("12.50", "-3", "1e+300"); text that is not a number
  /// ("inf", "nan", "") is written as a string instead.
  JsonWriter &number_text(std::string_view text);
  JsonWriter &boolean(bool value);
  JsonWriter &null();
  /// An element that is already JSON (a row rendered earlier, in another buffer).
  JsonWriter &raw(std::string_view json);

  /// key(name).string(s), plus "NAME_hex": hex of s when s is not valid UTF-8.
  JsonWriter &text_field(std::string_view name, std::string_view s);
  JsonWriter &field(std::string_view name, std::string_view s) { return key(name).string(s); }
  JsonWriter &field(std::string_view name, const char *s) { return key(name).string(s); }
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  JsonWriter &field(std::string_view name, T v) {
    return key(name).number(v);
  }

  /// Ends an NDJSON line (after the top-level value).
  void line() { m_out.push_back('\n'); }
  std::string &out() { return m_out; }

private:
  struct Frame {
    char close = 0;
    Layout layout = Layout::inline_layout;
    bool empty = true;
  };
  JsonWriter &open(char bracket, Layout layout);
  JsonWriter &integer(std::uint64_t magnitude, bool negative);
  /// Separator before a value (array element; nothing after a key).
  void before_value();

  std::string &m_out;
  std::array<Frame, k_max_depth> m_stack{};
  std::size_t m_depth = 0;
  bool m_after_key = false;
};

} // namespace shmkit::cli
