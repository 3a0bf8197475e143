// What `create` and `rm` need to know about the host beyond the backends: the
// kernel.shm_rmid_forced sysctl, whether a creator process still exists, whether a segment is
// used or orphaned, whether the caller may remove it, and user names for --owner.
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/users.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shmkit {

/// Reads kernel.shm_rmid_forced from PATHS.proc/sys/kernel/shm_rmid_forced (per IPC namespace).
/// When it is 1 the kernel destroys a SysV segment nobody is attached to as soon as its
/// creator exits (lib/README.md, kernel facts). Fails with not_found, permission_denied or io.
Result<bool> shm_rmid_forced(const Paths &paths);

/// Whether the kernel will destroy `fresh`, a segment created a moment ago with nothing
/// attached, as soon as its creator exits: a SysV segment while kernel.shm_rmid_forced is 1.
/// False for POSIX objects and files, and when the sysctl cannot be read.
bool dies_with_creator(const SegmentInfo &fresh, const Paths &paths);

/// Whether a process with this pid exists: kill(pid, 0) succeeds or fails with EPERM (it exists
/// but belongs to somebody else). Only ESRCH means gone; pid <= 0 is never alive.
bool process_alive(pid_t pid);

/// How a segment is used. SysV: the kernel's attach count (nattch), which also sees processes
/// /proc hides from us. POSIX/file: distinct processes among a scan_users() result, split into
/// those that map it (what `ls` shows as NATTCH) and those that only hold it open.
struct Usage {
  std::uint64_t attaches = 0; ///< SysV nattch
  std::uint64_t mapping = 0;  ///< POSIX/file: processes that map it (and may also hold it open)
  std::uint64_t holding = 0;  ///< POSIX/file: processes that hold it open without mapping it
  /// Attaches plus processes: zero means nobody uses it.
  std::uint64_t total() const { return attaches + mapping + holding; }
};

/// The pid of the calling process as `paths.proc` numbers it (readlink of PROC/self), which
/// differs from getpid() when /proc belongs to another pid namespace; getpid() when there is
/// no PROC/self.
pid_t proc_self_pid(const Paths &paths);

/// How the segment is used, not counting process `self` (rm's own pid: an fd it inherited,
/// as in `shmkit rm posix:p 3</dev/shm/p`, is not a use). Pass 0 to count every process.
Usage usage_of(const SegmentInfo &info, const std::vector<SegmentUser> &users, pid_t self = 0);

/// usage_of(info, users, self).total().
std::uint64_t use_count(const SegmentInfo &info, const std::vector<SegmentUser> &users,
                        pid_t self = 0);

/// The time of the segment's last activity, in seconds since the epoch: SysV the newest of
/// ctime, atime and dtime; POSIX/file the newest of mtime and ctime. nullopt when none is known.
std::optional<std::time_t> last_activity(const SegmentInfo &info);

/// The default grace period of `rm --all --orphaned` and `ls` (their --grace).
inline constexpr std::chrono::milliseconds k_default_grace{std::chrono::hours(1)};

/// The STATE of a segment (shmkit-ls(1) STATE), what `rm --orphaned` acts on.
enum class State : std::uint8_t {
  in_use,   ///< attached (SysV), or mapped or held open by a process other than `self`
  idle,     ///< no user, but the SysV creator lives or the last activity is within the grace
  orphaned, ///< no user, nothing can come back for it, idle for longer than the grace period
  unknown,  ///< no user seen, but the caller could not see every process (or the creator)
  dest,     ///< SysV: marked for removal, gone when its last user detaches
};

/// "in-use", "idle", "orphaned", "unknown" or "dest".
std::string_view state_name(State state);

/// The REASON words (shmkit-ls(1) REASON), one bit each, in the order they are printed.
enum class Reason : std::uint16_t {
  marked = 1u << 0,             ///< SysV: marked for removal (SHM_DEST)
  attached = 1u << 1,           ///< SysV: nattch > 0
  mapped = 1u << 2,             ///< POSIX/file: a process other than `self` maps it
  open = 1u << 3,               ///< POSIX/file: a process other than `self` holds an fd on it
  no_users = 1u << 4,           ///< none of the above
  creator_alive = 1u << 5,      ///< SysV: the creator pid is the process that created it
  creator_dead = 1u << 6,       ///< SysV: no process has the creator pid
  creator_pid_reused = 1u << 7, ///< SysV: the creator pid belongs to a newer process
  recent = 1u << 8,             ///< last activity within the grace period (or unknown)
  cannot_read_proc = 1u << 9,   ///< a process (or the creator) could not be inspected
};

/// The word of one reason: "attached", "creator-pid-reused", ...
std::string_view reason_name(Reason reason);

/// A set of reasons.
class Reasons {
public:
  void add(Reason r) { m_bits |= static_cast<std::uint16_t>(r); }
  bool has(Reason r) const { return (m_bits & static_cast<std::uint16_t>(r)) != 0; }
  bool empty() const { return m_bits == 0; }
  std::uint16_t bits() const { return m_bits; }
  /// The words, comma-separated, in the order of `Reason` ("marked,attached").
  std::string text() const;

private:
  std::uint16_t m_bits = 0;
};

/// What became of a segment's creator (SysV cpid), see CreatorCheck.
enum class Creator : std::uint8_t {
  alive,      ///< a process has the pid and may be the creator
  dead,       ///< no process has the pid (kill(pid, 0) fails with ESRCH)
  pid_reused, ///< a process has the pid, but it started after the segment's ctime
  unknown,    ///< no pid (0 or absent: the creator lives in a pid namespace we cannot see)
};

/// Tells a live creator from a dead one and from a reused pid, caching what it reads.
/// Liveness is kill(pid, 0) (EPERM counts as alive, only ESRCH as dead; `alive` replaces it in
/// tests). PID reuse: the process's start time, PROC/PID/stat field 22 (clock ticks since boot)
/// plus btime of PROC/stat, is compared with the segment's ctime. Both are rounded down by the
/// kernel (btime to the second, the start to a tick), so the computed start is never later than
/// the true one; and ctime has one-second resolution. So only a start at or after the end of
/// ctime's second (start >= (ctime + 1) s) is evidence of reuse: a process started in the same
/// second as the segment is taken for its creator. When the start time cannot be read, or PROC
/// is not the /proc of our pid namespace (PROC/self is not getpid()), a live pid counts as alive.
class CreatorCheck {
public:
  explicit CreatorCheck(Paths paths, bool (*alive)(pid_t) = nullptr);
  Creator creator(std::optional<pid_t> cpid, std::optional<std::time_t> ctime);
  /// When the process started, in ms since the epoch (read once per pid); nullopt when
  /// unreadable.
  std::optional<std::int64_t> start_ms(pid_t pid);

private:
  std::optional<std::int64_t> read_start_ms(pid_t pid);

  Paths m_paths;
  bool (*m_alive)(pid_t);
  int m_proc_ours = -1; ///< -1: not yet known
  std::optional<std::int64_t> m_btime;
  bool m_btime_read = false;
  std::unordered_map<pid_t, std::optional<std::int64_t>> m_starts; ///< start_ms() by pid
};

/// Field `field` (from 3, the state) of a /proc/PID/stat text, after the command name (field 2,
/// which may hold spaces and parentheses). nullopt when malformed or too short.
std::optional<std::string_view> stat_field(std::string_view stat, int field);

/// Parses the start time (field 22, clock ticks since boot) out of a /proc/PID/stat text; the
/// command name (field 2) may hold spaces and parentheses. nullopt when malformed.
std::optional<std::uint64_t> parse_stat_starttime(std::string_view stat);

/// Parses "btime N" (boot time, seconds since the epoch) out of a /proc/stat text.
std::optional<std::int64_t> parse_btime(std::string_view stat);

/// A segment's STATE and its REASONs.
struct Classification {
  State state = State::unknown;
  Reasons reasons;
};

/// What classify() compares with.
struct ClassifyOptions {
  std::chrono::milliseconds grace = k_default_grace; ///< --grace (0: no wait)
  std::int64_t now_ms = 0;                           ///< ms since the epoch
  pid_t self = 0; ///< our own pid (proc_self_pid): its fds and mappings are no use; 0: none
};

/// Classifies a segment (shmkit-ls(1) STATE, REASON). The rules, in order:
/// - dest: SysV marked for removal; reasons marked, plus attached while nattch > 0 (dest wins
///   over in-use as the state: the segment is already going away).
/// - in-use: SysV nattch > 0 (attached, the kernel's count: no /proc needed); POSIX/file: a
///   process in `scan` other than `self` maps it (mapped) or holds it open (open).
/// - otherwise no-users, and then:
///   - SysV: the creator (CreatorCheck): creator-alive makes it idle; no creator pid (0, as
///     in another pid namespace) makes it unknown with cannot-read-proc; creator-dead and
///     creator-pid-reused mean nothing can come back for it.
///   - POSIX/file: `scan.unreadable > 0` makes it unknown with cannot-read-proc (a process we
///     cannot inspect may map it). SysV never needs the scan, which may be empty for it.
///   - recent: the last_activity() is within `grace` of `now_ms` (one-second timestamps count
///     as the end of their second), or unknown while grace > 0. It makes an otherwise orphaned
///     segment idle; it is added to the reasons of unknown and idle ones too.
///   - orphaned when none of the above holds.
Classification classify(const SegmentInfo &info, const UserScan &scan,
                        const ClassifyOptions &options, CreatorCheck &creators);

/// classify() with the users of this one segment already picked out of the scan (`users`:
/// users_of(info, scan.users), as pointers) and the scan's `unreadable` count: what `ls` uses,
/// with its index of the scan, instead of looking through every user for every row.
Classification classify(const SegmentInfo &info, const std::vector<const SegmentUser *> &users,
                        std::size_t unreadable, const ClassifyOptions &options,
                        CreatorCheck &creators);

/// The address that names this segment again, built from its fields without re-parsing text
/// (names may hold any byte): id:N for SysV, the POSIX name or the file's absolute path.
SegmentRef address_of(const SegmentInfo &info);

/// Whether the caller may remove the segment, decided the way the kernel decides without
/// acting. SysV (IPC_RMID): the effective uid is the owner or the creator, or the caller has
/// CAP_SYS_ADMIN. POSIX/file (unlink): write and search permission on the directory
/// (faccessat with AT_EACCESS), and where the directory is sticky (/dev/shm is 1777) the caller
/// owns the object or the directory or has CAP_FOWNER. Fails with permission_denied, carrying
/// the errno the kernel would give (EPERM or EACCES), as "cannot remove SEGMENT: ...";
/// with not_found or io when the directory cannot be examined.
Result<void> check_remove_permission(const SegmentInfo &info, const Paths &paths);

/// Everything Backend::remove would check, without removing (rm --dry-run): the segment is
/// looked up again through `backend` and must still be the one described by `expected` (SysV
/// key, cpid and ctime; POSIX/file device and inode), and the caller must be allowed to remove
/// it. Fails with the code and message a real removal would give: not_found, changed,
/// permission_denied.
Result<void> check_removal(Backend &backend, const SegmentInfo &expected, const Paths &paths);

/// What lookup_uid() refuses from the text alone, without looking anything up: an empty text.
/// Fails with invalid_argument "invalid user: empty".
Result<void> check_user_text(std::string_view user);

/// Resolves a user given as a name (getpwnam, tried first) or a decimal uid (any uid, even one
/// without a passwd entry). Fails with invalid_argument for an empty text or an unknown name.
Result<uid_t> lookup_uid(std::string_view user);

} // namespace shmkit
