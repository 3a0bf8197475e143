// Shared by the fuzz targets (tests/fuzz/README.md): property checks that abort with a message,
// the "one printable line" rule for Error messages, and a reader that splits the fuzzer's bytes
// into choices and text.
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace shmkit::fuzz {

/// A property does not hold: print what and where, then abort (libFuzzer saves the input; the
/// corpus regression run fails).
[[noreturn]] inline void violated(const char *what, const char *file, int line,
                                  std::string_view detail = {}) {
  std::fprintf(stderr, "%s:%d: property violated: %s", file, line, what);
  if (!detail.empty())
    std::fprintf(stderr, " [%s]", printable_text(detail).c_str());
  std::fputc('\n', stderr);
  std::abort();
}

#define FUZZ_CHECK(cond)                                                                           \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      ::shmkit::fuzz::violated(#cond, __FILE__, __LINE__);                                         \
  } while (0)
#define FUZZ_CHECK_MSG(cond, detail)                                                               \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      ::shmkit::fuzz::violated(#cond, __FILE__, __LINE__, (detail));                               \
  } while (0)

/// True when `text` is one non-empty printable line: valid UTF-8 without C0 controls
/// (newline included), DEL or C1 controls.
inline bool is_printable_line(std::string_view text) {
  if (text.empty())
    return false;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = utf8_sequence_length(text, i);
    if (len == 0)
      return false;
    char32_t cp = utf8_code_point(text, i, len);
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
      return false;
    i += len;
  }
  return true;
}

/// The rule for every rejected input: an Error whose message is one printable line, without a
/// trailing period (lib/README.md, errors).
#define FUZZ_CHECK_ERROR(error)                                                                    \
  do {                                                                                             \
    const ::shmkit::Error &fuzz_error_ = (error);                                                  \
    FUZZ_CHECK_MSG(::shmkit::fuzz::is_printable_line(fuzz_error_.message), fuzz_error_.message);   \
    FUZZ_CHECK_MSG(fuzz_error_.message.back() != '.', fuzz_error_.message);                        \
  } while (0)

/// Takes choices from the front of the fuzzer's input; the rest is the text under test.
class Input {
public:
  Input(const std::uint8_t *data, std::size_t size)
      : m_rest(reinterpret_cast<const char *>(data), size) {}

  /// One byte (0 when the input is used up).
  std::uint8_t byte() {
    if (m_rest.empty())
      return 0;
    auto b = static_cast<std::uint8_t>(m_rest.front());
    m_rest.remove_prefix(1);
    return b;
  }
  /// Everything not taken yet.
  std::string_view rest() const { return m_rest; }

private:
  std::string_view m_rest;
};

} // namespace shmkit::fuzz
