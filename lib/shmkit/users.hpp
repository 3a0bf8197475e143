// Who maps or holds a segment, read from /proc/PID/maps and /proc/PID/fd (lib/README.md, kernel facts:
// SysV maps as "/SYSV%08x (deleted)" with the inode column equal to the shmid).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shmkit {

/// One process's use of one segment.
struct SegmentUser {
  pid_t pid = 0;
  std::string comm;       ///< /proc/PID/comm
  bool maps = false;      ///< has a mapping of it
  bool holds_fd = false;  ///< has an open fd on it (POSIX/file)
  std::uint64_t dev = 0;  ///< device of the mapped object (as major:minor → makedev)
  std::uint64_t ino = 0;  ///< inode (the shmid for SysV)
  bool sysv = false;      ///< the mapping is a SysV segment
};

/// Scans every readable /proc/PID once. Processes that vanish or deny access are skipped.
/// `with_fds` also scans /proc/PID/fd (slower). Fails only if the proc directory is unreadable.
Result<std::vector<SegmentUser>> scan_users(const Paths &paths, bool with_fds);

/// The users of one segment among `users` (SysV by shmid, POSIX/file by dev+inode).
std::vector<SegmentUser> users_of(const SegmentInfo &info, const std::vector<SegmentUser> &users);

} // namespace shmkit
