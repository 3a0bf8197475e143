// shmkit rm, the parts behind the command line (shmkit-rm(1)): what a plan holds, the segments
// --all selects, and the checks and the removal of one segment. rm.cpp holds the option table,
// plan() and the work that ties these together.
#pragma once

#include "target.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/users.hpp"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace shmkit::cli {

class Args;

/// The --all filters, as far as the command line alone decides them.
struct RmFilters {
  /// The kinds to list, in kind_traits() order (default: every kind listed by default).
  std::vector<Kind> kinds;
  /// --owner as typed; resolved (getpwnam) by the work, never by plan().
  std::optional<std::string> owner;
  /// --any-owner: no default owner for a user other than root.
  bool any_owner = false;
  std::optional<std::string> match;
  std::optional<std::chrono::milliseconds> older_than;
  bool orphaned = false;
  std::chrono::milliseconds grace = k_default_grace;
  std::string grace_text = "1h"; ///< as given, for messages
  /// --keep GLOBs: segments whose canonical address or --match text matches one are kept.
  std::vector<std::string> keep;
};

/// One segment --all selected, with its classification when --orphaned made one.
struct RmTarget {
  SegmentInfo info;
  std::optional<Classification> state;
};

/// A checked rm command line.
struct RmPlan {
  bool all = false;
  std::vector<SegmentRef> refs; ///< the named segments (without --all), in order
  RmFilters filters;            ///< with --all
  bool dry_run = false;
  bool yes = false;
  bool force = false;
  bool verbose = false;
};

/// Checks an rm command line without any system call. Fails with invalid_argument (a usage
/// error): no segment and no --all, a bad address, --type, --owner text or duration.
Result<RmPlan> plan_rm(const Args &args);

/// One backend per kind, made on first use; plus the /proc scan of who maps or holds what,
/// made at most once and only when a kind the kernel does not count for needs it; plus the
/// creator check of --orphaned.
class RmContext {
public:
  Backend &backend(Kind kind) { return m_backends.of(kind); }
  const Paths &paths() const { return m_paths; }

  /// Our own pid as /proc numbers it: an fd rm inherited is not a use (issue 8 defect 19a).
  pid_t self();
  /// The processes that map or hold open a segment (scan_holders with fds), scanned once.
  Result<const UserScan *> scan();
  /// The scan that classify() needs for `kind`: an empty one where the kernel counts attaches.
  Result<const UserScan *> scan_for(Kind kind);
  /// usage_of() with the scan only where the kernel does not count for us (SysV nattch).
  Result<Usage> usage(const SegmentInfo &info);
  /// classify() with our own pid as `self`. Fails when the scan fails.
  Result<Classification> classify(const SegmentInfo &info, std::chrono::milliseconds grace,
                                  std::int64_t now_ms);

private:
  Paths m_paths = system_paths();
  BackendSet m_backends{m_paths};
  std::optional<UserScan> m_scan;
  CreatorCheck m_creators{m_paths};
  pid_t m_self = 0;
};

/// Every candidate of --all, filtered, in a stable order (kinds in kind_traits() order, each
/// by id, then by name). `owner` is the resolved owner filter (nullopt: any). Failures are
/// printed and set `failed`. With `explain` (--dry-run), says on stderr why --orphaned or
/// --keep leaves a segment alone.
std::vector<RmTarget> select_targets(RmContext &context, const RmFilters &filters,
                                     std::optional<uid_t> owner, bool explain, bool &failed);

/// The refusals that --force overrides: not a shared memory object, or in use. Prints the
/// reason and returns false when the segment must be left alone.
bool may_remove(RmContext &context, const SegmentInfo &info, bool force);

/// Removes (or, with --dry-run, checks and names) one segment; a dry run names it as
/// "SEGMENT STATE REASONS" when --orphaned classified it. Prints a failure and returns false.
bool remove_one(RmContext &context, const RmTarget &target, const RmPlan &plan);

/// "SEGMENT" or "SEGMENT STATE REASONS" (escaped): how dry runs and confirmation name a target.
std::string target_text(const RmTarget &target);

/// "42s", "17m", "3h", "2d": how long `seconds` is, for messages.
std::string age_text(std::int64_t seconds);

} // namespace shmkit::cli
