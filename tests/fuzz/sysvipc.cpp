// Fuzz target: the /proc/sysvipc/shm parser (lib/shmkit/sysvipc.hpp), whole-text
// (parse_sysvipc_shm) and streaming (SysvipcParser) fed in chunks whose sizes the fuzzer picks,
// as read(2) hands /proc files over a page (or any amount) at a time.
//
// Properties: the streaming parser gives the same rows, the same skipped count and the same
// error whatever the chunk sizes (one byte at a time, fuzzer-chosen sizes, everything at once),
// and the same as the whole-text parser; every row is within the kernel's ranges and becomes a
// SegmentInfo whose address parses back to its shmid; a rejected table is one printable line.
#include "fuzz_common.hpp"

#include "shmkit/address.hpp"
#include "shmkit/sysvipc.hpp"

#include <climits>
#include <vector>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

bool same_row(const SysvRow &a, const SysvRow &b) {
  return a.key == b.key && a.shmid == b.shmid && a.perms == b.perms && a.size == b.size &&
         a.cpid == b.cpid && a.lpid == b.lpid && a.nattch == b.nattch && a.uid == b.uid &&
         a.gid == b.gid && a.cuid == b.cuid && a.cgid == b.cgid && a.atime == b.atime &&
         a.dtime == b.dtime && a.ctime == b.ctime && a.rss == b.rss && a.swap == b.swap;
}

struct Outcome {
  std::vector<SysvRow> rows;
  std::uint64_t skipped = 0;
  bool ok = true;
  std::string error;
};

bool same_outcome(const Outcome &a, const Outcome &b) {
  if (a.ok != b.ok || a.error != b.error)
    return false;
  if (!a.ok) // the whole-text parser returns no rows with its error
    return true;
  if (a.skipped != b.skipped || a.rows.size() != b.rows.size())
    return false;
  for (std::size_t i = 0; i < a.rows.size(); ++i)
    if (!same_row(a.rows[i], b.rows[i]))
      return false;
  return true;
}

// Feeds `text` in chunks of the sizes `next_size` returns (at least 1); stops at an error.
template <typename NextSize> Outcome stream(std::string_view text, NextSize next_size) {
  Outcome out;
  SysvipcParser parser;
  auto keep = [&out](const SysvRow &row) { out.rows.push_back(row); };
  while (!text.empty()) {
    std::size_t n = std::min(next_size(), text.size());
    auto fed = parser.feed(text.substr(0, n), keep);
    text.remove_prefix(n);
    if (!fed) {
      out.ok = false;
      out.error = fed.error().message;
      FUZZ_CHECK_ERROR(fed.error());
      FUZZ_CHECK(fed.error().code == Errc::bad_data);
      return out;
    }
  }
  if (auto done = parser.finish(keep); !done) {
    out.ok = false;
    out.error = done.error().message;
    FUZZ_CHECK_ERROR(done.error());
    FUZZ_CHECK(done.error().code == Errc::bad_data);
  }
  out.skipped = parser.skipped();
  return out;
}

void check_row(const SysvRow &row) {
  FUZZ_CHECK(row.key >= INT32_MIN && row.key <= static_cast<std::int64_t>(UINT32_MAX));
  FUZZ_CHECK(row.shmid >= 0 && row.cpid >= 0 && row.lpid >= 0);
  FUZZ_CHECK(row.perms <= 0177777);
  FUZZ_CHECK(row.atime >= 0 && row.dtime >= 0 && row.ctime >= 0);
  SegmentInfo info = sysv_info(row);
  FUZZ_CHECK(info.kind == Kind::sysv && info.mode <= 0777);
  FUZZ_CHECK(info.id == row.shmid);
  FUZZ_CHECK(*info.key == static_cast<std::uint32_t>(static_cast<std::uint64_t>(row.key)));
  auto ref = parse_address(info.segment);
  FUZZ_CHECK_MSG(ref && ref->by == SegmentRef::By::id &&
                     ref->number == static_cast<std::uint64_t>(row.shmid),
                 info.segment);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  Input in(data, size);
  // The first 8 bytes choose chunk sizes (cycled); the rest is the table.
  std::uint8_t sizes[8];
  for (auto &s : sizes)
    s = in.byte();
  const std::string_view text = in.rest();

  Outcome whole;
  if (auto rows = parse_sysvipc_shm(text); rows) {
    whole.rows = std::move(*rows);
  } else {
    whole.ok = false;
    whole.error = rows.error().message;
    FUZZ_CHECK_ERROR(rows.error());
  }
  Outcome at_once = stream(text, [] { return SIZE_MAX; });
  whole.skipped = at_once.skipped; // parse_sysvipc_shm does not report it
  FUZZ_CHECK(same_outcome(whole, at_once));

  std::size_t i = 0;
  Outcome chunked = stream(text, [&] {
    // Sizes 1..256, and now and then a page or more, as read(2) returns them.
    std::uint8_t s = sizes[i++ % 8];
    return s >= 250 ? std::size_t{4096} * (s - 249) : std::size_t{s} + 1;
  });
  FUZZ_CHECK(same_outcome(at_once, chunked));
  if (text.size() <= 4096) {
    Outcome bytewise = stream(text, [] { return std::size_t{1}; });
    FUZZ_CHECK(same_outcome(at_once, bytewise));
  }
  for (const SysvRow &row : whole.rows)
    check_row(row);
  return 0;
}
