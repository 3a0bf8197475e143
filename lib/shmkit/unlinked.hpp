// Objects that were unlinked while still in use (shmkit-ls(1) STATUS unlinked): a POSIX object
// removed from /dev/shm, or a file removed from its directory, that a process still maps
// MAP_SHARED or (POSIX) holds open. They hold memory but have no name left, so they are found
// through their holders in /proc and addressed through one holder's magic link,
// /proc/PID/fd/FD or /proc/PID/map_files/START-END (shmkit(1) ADDRESSING SEGMENTS).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/users.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit {

/// A process's own handle on an object, named as a path under /proc.
struct HolderLink {
  enum class Via { fd, map_files };
  pid_t pid = 0;
  Via via = Via::fd;
  int fd = -1;             ///< Via::fd
  std::uint64_t start = 0; ///< Via::map_files: the mapping's range, as /proc/PID/maps gives it
  std::uint64_t end = 0;
};

/// The one rule for what counts as a holder's magic link: exactly "/proc/PID/fd/FD" or
/// "/proc/PID/map_files/START-END" (PID > 0 and FD in decimal without leading zeros, START and
/// END in lowercase hex as the kernel names them, START < END). nullopt for anything else,
/// including /proc/self/... (a path that names another process in every command). Pure.
std::optional<HolderLink> parse_holder_link(std::string_view path);

/// "/proc/PID/fd/FD" or "/proc/PID/map_files/START-END": the inverse of parse_holder_link().
std::string holder_link_path(const HolderLink &link);

/// The holder link a row's segment is ("file:/proc/PID/fd/FD"...), nullopt for any other
/// segment. Pure.
std::optional<HolderLink> holder_link_of(const SegmentInfo &info);

/// Where `link` is under paths.proc (pids are those of our /proc, also with --target).
std::string holder_link_at(const Paths &paths, const HolderLink &link);

/// The former name of an unlinked object, from what readlink of /proc/PID/fd/FD or a
/// /proc/PID/maps path gives: the path without the kernel's " (deleted)" suffix, and with the
/// name shmkit rm gave it just before unlinking it turned back into the one it had
/// (unhidden_name(), fd_object.hpp). Pure.
std::string former_path(std::string_view shown);

/// The NAME of an unlinked POSIX object from its former path ("/dev/shm/x" -> "/x"): the last
/// component, with a leading '/' (POSIX names have no other). Pure.
std::string posix_name_of(std::string_view path);

/// Whether the POSIX directory paths.dev_shm (a tmpfs) holds more inodes than the `listed`
/// entries of its listing account for (statvfs: f_files - f_ffree > listed + 1 for the
/// directory itself): then an object there is unlinked but alive, or sits in a subdirectory.
/// True when the count is unknown (statvfs fails, or a tmpfs without an inode limit reports
/// none), so that the caller looks rather than misses one. One statvfs(2), no /proc access.
bool dev_shm_has_unlisted_inodes(const Paths &paths, std::uint64_t listed);

/// Which unlinked objects a listing of `kinds` (--type; empty: the default listing) shows:
/// POSIX ones unless POSIX is left out; files elsewhere only when `file` is asked for by name
/// (a file listing is otherwise only of named files, and finding them costs a /proc scan).
struct UnlinkedWanted {
  bool posix = false;
  bool files = false;
  bool any() const { return posix || files; }
};
UnlinkedWanted unlinked_wanted(std::span<const Kind> kinds);

/// What find_unlinked() found.
struct UnlinkedScan {
  /// One row per object (device and inode), in (dev, ino) order: kind posix on the dev_shm
  /// device, else file; `unlinked` set; segment "file:" + the lowest-pid fd holder's
  /// /proc/PID/fd/FD (its lowest fd), or when only mapped its first /proc/PID/map_files
  /// range; name the former path (POSIX: "/NAME"); size, alloc, mode, owner and times from
  /// stat() through that link.
  std::vector<SegmentInfo> rows;
  /// Objects only mapped (no fd) whose map_files link could not be followed (it needs
  /// CAP_SYS_ADMIN, proc(5)): left out, to be reported as a count.
  std::size_t uninspectable = 0;
};

/// What a listing saw of the POSIX directory, to tell whether it may hold unlinked objects
/// (dev_shm_has_unlisted_inodes): a count, no row is kept. Feed it every row listed, before
/// any filter.
class ListedObjects {
public:
  /// stat()s paths.dev_shm for its device (none when it cannot be stat'ed).
  explicit ListedObjects(const Paths &paths);
  /// Records a row (POSIX/file rows with a device and inode).
  void saw(const SegmentInfo &info);
  /// Whether a /proc scan is worth it: files are wanted, or the POSIX directory holds inodes
  /// that its listed entries do not account for.
  bool worth_scanning(const UnlinkedWanted &wanted) const;
  /// find_unlinked() with what was seen; rows of kinds not wanted are left out.
  UnlinkedScan find(const UserScan &scan, const UnlinkedWanted &wanted) const;

private:
  Paths m_paths;
  std::optional<std::uint64_t> m_dev_shm_dev;
  std::uint64_t m_on_dev_shm = 0; ///< rows on that device
};

/// What find_unlinked() looks for.
struct UnlinkedQuery {
  /// The device of paths.dev_shm (stat), whose unlinked objects are POSIX rows; nullopt: none.
  std::optional<std::uint64_t> dev_shm_dev;
  /// Also files elsewhere that a process maps MAP_SHARED after they were unlinked.
  bool files = false;
  /// (dev, ino) of objects known to have a name, skipped without a stat (sorted; may be
  /// empty: a name left shows anyway, as a link count or a mapping's path).
  std::span<const UserKey> listed;
};

/// The unlinked objects among the holders of `scan` (made with fds: an object held only by an
/// fd is found that way). A POSIX object counts when mapped or held open; a file elsewhere
/// only when mapped shared (a deleted log file a daemon keeps open is not shared memory), and
/// never on the kernel's internal devices (SysV segments, memfd objects, anonymous shared
/// memory: sysv_devices()), nor "/memfd:..." or "/SYSV..." names. An object mapped under a
/// path without " (deleted)" still has a name; every other is stat()ed through its holder's
/// link and kept only when it is a regular file with that device and inode and no link count
/// left; the scan may be old, so a holder that is gone is skipped.
UnlinkedScan find_unlinked(const Paths &paths, const UserScan &scan, const UnlinkedQuery &query);

/// Refuses to remove a segment named by a holder's magic link (rm): it has no name to remove.
/// Fails with not_supported: "cannot remove ADDRESS: it is already unlinked; it is freed when
/// its holders exit or close/unmap it" (or, for a file that still has a name, "...: it is a
/// process's handle, not a name"). Succeeds for every other segment. No system call.
Result<void> check_not_holder_link(const SegmentInfo &info);

} // namespace shmkit
