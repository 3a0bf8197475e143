#include "json.hpp"

#include "format.hpp"

#include "shmkit/text.hpp"


namespace shmkit::cli {

namespace {

constexpr char k_hex_digits[] = "0123456789abcdef";

// The escape of an ASCII byte inside a JSON string, or nullptr when it stands for itself.
const char *short_escape(unsigned char c) {
  switch (c) {
  case '"':
    return "\\\"";
  case '\\':
    return "\\\\";
  case '\n':
    return "\\n";
  case '\t':
    return "\\t";
  case '\r':
    return "\\r";
  default:
    return nullptr;
  }
}

} // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = utf8_sequence_length(s, i);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

void append_json_string(std::string &out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    // A run of printable ASCII other than '"' and '\\' (keys, numbers' text, most names) is
    // appended in one go.
    std::size_t run = i;
    while (run < s.size()) {
      auto r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x7f || r == '"' || r == '\\')
        break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t len = utf8_sequence_length(s, i);
      if (len == 0) {
        out += "\xef\xbf\xbd"; // U+FFFD for an invalid byte
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    if (const char *escape = short_escape(c)) {
      out += escape;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out.push_back(k_hex_digits[c >> 4]);
      out.push_back(k_hex_digits[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

void append_hex(std::string &out, std::string_view s) {
  for (unsigned char c : s) {
    out.push_back(k_hex_digits[c >> 4]);
    out.push_back(k_hex_digits[c & 0xf]);
  }
}

std::string to_hex(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  append_hex(out, s);
  return out;
}

void JsonWriter::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_depth == 0)
    return;
  Frame &frame = m_stack[m_depth - 1];
  if (frame.layout == Layout::lines)
    m_out += frame.empty ? "\n  " : ",\n  ";
  else if (!frame.empty)
    m_out += ", ";
  frame.empty = false;
}

JsonWriter &JsonWriter::open(char bracket, Layout layout) {
  before_value();
  m_out.push_back(bracket);
  if (m_depth < m_stack.size())
    m_stack[m_depth] = Frame{bracket == '{' ? '}' : ']', layout, true};
  ++m_depth;
  return *this;
}

JsonWriter &JsonWriter::end() {
  if (m_depth == 0)
    return *this;
  --m_depth;
  const Frame &frame = m_stack[m_depth];
  if (frame.layout == Layout::lines && !frame.empty)
    m_out.push_back('\n');
  m_out.push_back(frame.close);
  return *this;
}

JsonWriter &JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(m_out, name);
  m_out += ": ";
  m_after_key = true;
  return *this;
}

JsonWriter &JsonWriter::string(std::string_view s) {
  before_value();
  append_json_string(m_out, s);
  return *this;
}

JsonWriter &JsonWriter::integer(std::uint64_t magnitude, bool negative) {
  before_value();
  if (negative)
    m_out.push_back('-');
  append_decimal(m_out, magnitude);
  return *this;
}

JsonWriter &JsonWriter::number_text(std::string_view text) {
  std::size_t digit = !text.empty() && text[0] == '-' ? 1 : 0;
  if (digit < text.size() && text[digit] >= '0' && text[digit] <= '9')
    return raw(text);
  return string(text);
}

JsonWriter &JsonWriter::boolean(bool value) { return raw(value ? "true" : "false"); }

JsonWriter &JsonWriter::null() { return raw("null"); }

JsonWriter &JsonWriter::raw(std::string_view json) {
  before_value();
  m_out.append(json);
  return *this;
}

JsonWriter &JsonWriter::text_field(std::string_view name, std::string_view s) {
  key(name).string(s);
  if (is_valid_utf8(s))
    return *this;
  before_value();
  append_json_string(m_out, std::string(name) + "_hex");
  m_out += ": \"";
  append_hex(m_out, s);
  m_out.push_back('"');
  return *this;
}

} // namespace shmkit::cli
