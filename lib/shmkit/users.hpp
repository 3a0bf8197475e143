// Who maps or holds a segment, read from /proc/PID/maps and /proc/PID/fd (lib/README.md, kernel facts:
// SysV maps as "/SYSV%08x (deleted)" with the inode column equal to the shmid).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <optional>
#include <vector>

namespace shmkit {

/// One mapping of a segment: its address range and permissions as /proc/PID/maps gives them.
struct MappedRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::string perms; ///< "rw-s"
};

/// One process's use of one segment.
struct SegmentUser {
  pid_t pid = 0;
  std::string comm;       ///< /proc/PID/comm
  bool maps = false;      ///< has a mapping of it
  bool holds_fd = false;  ///< has an open fd on it (POSIX/file)
  std::uint64_t dev = 0;  ///< device of the mapped object (as major:minor → makedev)
  std::uint64_t ino = 0;  ///< inode (the shmid for SysV)
  bool sysv = false;      ///< the mapping is a SysV segment
  /// SysV: the IPC namespace (inode) the shmid is in, when scanned with IpcScope::every; 0
  /// with IpcScope::own (every SysV user is then in our namespace).
  std::uint64_t ipc_ns = 0;
  bool writable = false;  ///< some mapping of it is writable
  std::uint64_t start = 0; ///< the first mapping's start address (0: not mapped)
  std::uint64_t end = 0;   ///< the first mapping's end address
  std::string perms;       ///< the first mapping's permissions ("rw-s"); empty: not mapped
  int fd = -1;             ///< the lowest fd on it; -1: none
  std::vector<MappedRange> ranges; ///< every mapping of it, in address order
  std::vector<int> fds;            ///< every fd on it, ascending
  /// The path /proc/PID/maps shows for a POSIX/file mapping (raw bytes, maybe "... (deleted)"
  /// or a path in another mount namespace): a hint to find a file, never used to match.
  std::string path;
};

/// What one /proc scan found.
struct UserScan {
  std::vector<SegmentUser> users; ///< by pid, then (sysv, dev, ino)
  /// Processes whose maps or fd directory could not be read (EACCES, EPERM, ...): their uses
  /// are missing. Processes that vanished during the scan are not counted.
  std::size_t unreadable = 0;
};

/// Whose SysV mappings a scan keeps: those of processes in our IPC namespace (a shmid names
/// another segment in another namespace), or every process's, each tagged with its namespace
/// (SegmentUser::ipc_ns; ls --all-namespaces).
enum class IpcScope { own, every };

/// Scans every /proc/PID once: shared mappings from maps (SysV ones only on the kernel's SysV
/// shm devices and in the IPC namespaces of `scope`) and, with `with_fds`, the regular files
/// open in fd/. Fails only if the proc directory is unreadable (any Errc from from_errno).
Result<UserScan> scan_holders(const Paths &paths, bool with_fds, IpcScope scope = IpcScope::own);
/// The same with the SysV devices given (tests with fixture trees); empty: any device with
/// major 0 (anonymous).
Result<UserScan> scan_holders(const Paths &paths, bool with_fds,
                              std::span<const std::uint64_t> sysv_devs,
                              IpcScope scope = IpcScope::own);

/// scan_holders(paths, with_fds).users.
Result<std::vector<SegmentUser>> scan_users(const Paths &paths, bool with_fds);

/// One shared mapping of a named object in /proc/PID/maps text (parse_maps()).
struct MapsEntry {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::string_view perms;
  std::uint64_t dev = 0; ///< makedev(major, minor)
  std::uint64_t ino = 0;
  std::string_view path;
  bool sysv_name = false; ///< the path is "/SYSVkkkkkkkk (deleted)"
};

/// The shared mappings of named objects in /proc/PID/maps text; other lines (private,
/// anonymous, [special], malformed) are skipped. Pure: the views point into `text`.
std::vector<MapsEntry> parse_maps(std::string_view text);

/// The devices SysV segments live on: the kernel's internal shm mount (that of a memfd) and
/// that of huge-page memfds; looked up once.
const std::vector<std::uint64_t> &sysv_devices();

/// What users and segments are matched by: SysV (true, ipc_ns, shmid), else (false, dev, ino).
/// A SegmentInfo's SysV key has ipc_ns 0: ls --all-namespaces puts the namespace in.
using UserKey = std::tuple<bool, std::uint64_t, std::uint64_t>;
UserKey user_key(const SegmentUser &user);
/// nullopt when the segment has no identity to match (an odd entry without dev/ino).
std::optional<UserKey> user_key(const SegmentInfo &info);

/// The users of one segment among `users` (SysV by shmid, POSIX/file by dev+inode).
std::vector<SegmentUser> users_of(const SegmentInfo &info, const std::vector<SegmentUser> &users);

} // namespace shmkit
