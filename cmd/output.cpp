#include "output.hpp"

#include "shmkit/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace shmkit::cli {

Stdout &Stdout::get() {
  static Stdout out;
  return out;
}

void Stdout::write(std::string_view data) {
  m_buffer.append(data);
  if (m_buffer.size() >= k_flush_at)
    flush();
}

void Stdout::flush() {
  if (m_errno != 0) {
    m_buffer.clear();
    return;
  }
  std::size_t done = 0;
  while (done < m_buffer.size()) {
    ssize_t n = ::write(STDOUT_FILENO, m_buffer.data() + done, m_buffer.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      m_errno = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  m_buffer.clear();
}

int Stdout::finish(int status) {
  flush();
  if (m_errno == 0 || m_errno == EPIPE)
    return status;
  std::string text = std::strerror(m_errno);
  if (!text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  print_error("write error: " + text);
  return k_exit_failure;
}

void print_error(std::string_view message) {
  std::string line = fmt::format("shmkit: error: {}\n", message);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

void print_warning(std::string_view message) {
  std::string line = fmt::format("shmkit: warning: {}\n", message);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
}

int usage_error(std::string_view sub, std::string_view message) {
  std::string line = fmt::format("shmkit: error: {}\nTry 'shmkit{}{} --help' for more information.\n",
                                 message, sub.empty() ? "" : " ", sub);
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
  return k_exit_usage;
}

int report(const Error &error) {
  print_error(error.message);
  return error.code == Errc::invalid_argument ? k_exit_usage : k_exit_failure;
}

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
  static constexpr char k_hex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
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
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out.push_back(k_hex[c >> 4]);
        out.push_back(k_hex[c & 0xf]);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    ++i;
  }
  out.push_back('"');
}

std::string to_hex(std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(k_hex[c >> 4]);
    out.push_back(k_hex[c & 0xf]);
  }
  return out;
}

bool use_color(ColorMode mode) {
  if (mode != ColorMode::auto_detect)
    return mode == ColorMode::always;
  const char *no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0')
    return false;
  const char *term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0)
    return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

void set_footer(CLI::App &sub, std::string_view name) {
  sub.footer(fmt::format("See shmkit-{}(1).", name));
}

} // namespace shmkit::cli
