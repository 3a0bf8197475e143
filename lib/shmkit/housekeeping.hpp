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
#include <string_view>
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

/// Why a segment is or is not orphaned (see orphan_status).
enum class Orphan {
  orphaned,      ///< unused, creator gone (SysV), and idle for at least the grace period
  in_use,        ///< attached (SysV), or mapped or held open by a process other than `self`
  creator_alive, ///< SysV: its creator (cpid) still exists, or cpid is unknown
  recent,        ///< unused otherwise, but active within the grace period (or time unknown)
};

/// Whether nobody uses the segment any more. SysV: no attach (nattch 0) and its creator pid is
/// gone (a segment whose cpid is unknown is never orphaned). POSIX/file: no process among
/// `users` (scan_users with fds) other than `self` maps it or holds it open. In addition the
/// last_activity() must be at least `grace` before `now_ms` (ms since the epoch); timestamps
/// have one-second resolution and count as the end of their second. A zero `grace` skips that
/// test (a segment made a moment ago by `shmkit create` or ipcmk has no live creator).
Orphan orphan_status(const SegmentInfo &info, const std::vector<SegmentUser> &users,
                     std::chrono::milliseconds grace, std::int64_t now_ms, pid_t self = 0);

/// orphan_status(...) == Orphan::orphaned, with no grace period.
bool is_orphaned(const SegmentInfo &info, const std::vector<SegmentUser> &users);

/// The default grace period of `rm --all --orphaned` (its --grace).
inline constexpr std::chrono::milliseconds k_default_grace{std::chrono::hours(1)};

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
