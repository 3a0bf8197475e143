// Fuzz target: the hex input of `write --hex` (parse_hex_bytes, lib/shmkit/typed.hpp): hex digit
// pairs, any case, separated by spaces, tabs, CR or LF; `xxd -p` output.
//
// Properties: an accepted text has exactly twice as many hex digits as bytes came out, and no
// other characters than separators; the bytes printed back as pairs (packed, spaced, and as
// `xxd -p` lines of 60 digits) parse to the same bytes; a rejection is one printable line that
// names a 1-based position inside the text (when it names one).
#include "fuzz_common.hpp"

#include "shmkit/typed.hpp"

#include <cctype>
#include <string>
#include <vector>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

std::string pairs(const std::vector<std::byte> &bytes, std::string_view sep, std::size_t per_line) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0)
      out += per_line != 0 && i % per_line == 0 ? std::string_view("\n") : sep;
    auto u = std::to_integer<unsigned>(bytes[i]);
    out += k_digits[u >> 4];
    out += (i % 2 == 0) ? k_digits[u & 15] : static_cast<char>(std::toupper(k_digits[u & 15]));
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  auto bytes = parse_hex_bytes(text);
  if (!bytes) {
    FUZZ_CHECK_ERROR(bytes.error());
    FUZZ_CHECK(bytes.error().code == Errc::invalid_argument);
    // "... at position N": N is a 1-based index into the text.
    const std::string &m = bytes.error().message;
    if (auto at = m.find("at position "); at != std::string::npos) {
      std::size_t pos = std::stoul(m.substr(at + 12));
      FUZZ_CHECK_MSG(pos >= 1 && pos <= text.size(), m);
    }
    return 0;
  }
  std::size_t digits = 0;
  for (char c : text) {
    if (hex_digit_value(c) >= 0)
      ++digits;
    else
      FUZZ_CHECK(c == ' ' || c == '\t' || c == '\r' || c == '\n');
  }
  FUZZ_CHECK(digits == 2 * bytes->size());
  for (auto printed : {pairs(*bytes, "", 0), pairs(*bytes, " ", 0), pairs(*bytes, "", 30),
                       pairs(*bytes, "\t\r\n ", 0)}) {
    auto again = parse_hex_bytes(printed);
    FUZZ_CHECK_MSG(again && *again == *bytes, printed);
  }
  return 0;
}
