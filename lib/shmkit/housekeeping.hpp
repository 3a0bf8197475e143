// What `create` and `rm` need to know about the host beyond the backends: the
// kernel.shm_rmid_forced sysctl, whether a creator process still exists, whether a segment is
// orphaned, and user names for --owner.
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/users.hpp"

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace shmkit {

/// Reads kernel.shm_rmid_forced from PATHS.proc/sys/kernel/shm_rmid_forced (per IPC namespace).
/// When it is 1 the kernel destroys a SysV segment nobody is attached to as soon as its
/// creator exits (DESIGN.md section 5). Fails with not_found, permission_denied or io.
Result<bool> shm_rmid_forced(const Paths &paths);

/// Whether a process with this pid exists: kill(pid, 0) succeeds or fails with EPERM (it exists
/// but belongs to somebody else). Only ESRCH means gone; pid <= 0 is never alive.
bool process_alive(pid_t pid);

/// Whether nobody uses the segment any more. SysV: no attach (nattch 0) and its creator pid is
/// gone (a segment whose cpid is unknown is never orphaned). POSIX/file: no process among
/// `users` (scan_users with fds) maps it or holds it open.
bool is_orphaned(const SegmentInfo &info, const std::vector<SegmentUser> &users);

/// How many distinct processes use the segment: SysV nattch (the kernel's count, which also
/// sees processes /proc hides from us); POSIX/file the processes among `users` that map it or
/// hold it open.
std::uint64_t use_count(const SegmentInfo &info, const std::vector<SegmentUser> &users);

/// Resolves a user given as a name (getpwnam, tried first) or a decimal uid (any uid, even one
/// without a passwd entry). Fails with invalid_argument for an empty text or an unknown name.
Result<uid_t> lookup_uid(std::string_view user);

} // namespace shmkit
