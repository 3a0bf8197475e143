// Fuzz target: the /proc/PID/maps parser behind the holder scan (lib/shmkit/users.hpp
// parse_maps; `ls -o +PIDS`, `rm` in-use checks).
//
// Properties: every entry is a shared mapping (perms[3] 's') of a path starting with '/', its
// views point into the text given, and a SysV name is "/SYSVkkkkkkkk" (maybe " (deleted)");
// lines are independent: parsing each line alone gives the same entries in the same order; an
// entry printed back as a canonical maps line parses to the same entry.
#include "fuzz_common.hpp"

#include "shmkit/users.hpp"

#include <sys/sysmacros.h>

#include <fmt/format.h>

#include <vector>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

bool same_entry(const MapsEntry &a, const MapsEntry &b) {
  return a.start == b.start && a.end == b.end && a.perms == b.perms && a.dev == b.dev &&
         a.ino == b.ino && a.path == b.path && a.sysv_name == b.sysv_name;
}

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const std::vector<MapsEntry> entries = parse_maps(text);

  std::vector<MapsEntry> by_line;
  for (std::string_view rest = text; !rest.empty();) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    for (const MapsEntry &e : parse_maps(line))
      by_line.push_back(e);
  }
  FUZZ_CHECK(by_line.size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    FUZZ_CHECK(same_entry(by_line[i], entries[i]));

  for (const MapsEntry &e : entries) {
    FUZZ_CHECK(e.perms.size() >= 4 && e.perms[3] == 's');
    FUZZ_CHECK(!e.path.empty() && e.path.front() == '/');
    FUZZ_CHECK(inside(e.perms, text) && inside(e.path, text));
    FUZZ_CHECK(e.path.find('\n') == std::string_view::npos);
    if (e.sysv_name)
      FUZZ_CHECK(e.path.substr(0, 5) == "/SYSV" && e.path.size() >= 13);
    const std::string line =
        fmt::format("{:x}-{:x} {} 00000000 {:x}:{:x} {}                      {}", e.start, e.end,
                    e.perms, major(static_cast<dev_t>(e.dev)), minor(static_cast<dev_t>(e.dev)),
                    e.ino, e.path);
    auto again = parse_maps(line);
    FUZZ_CHECK_MSG(again.size() == 1 && same_entry(again[0], e), line);
  }
  return 0;
}
