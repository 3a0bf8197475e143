// What the POSIX and file backends share: both are regular files reached by a path, read and
// written with pread/pwrite and mapped with mmap(MAP_SHARED).
#pragma once

#include "shmkit/backend.hpp"

#include <sys/stat.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace shmkit {

/// A change a handle is about to make, asked of FdObject::allow_change.
enum class Change { write, grow, shrink };

/// A located POSIX object, file or memfd: where it is and how it is displayed.
struct FdObject {
  Kind kind = Kind::posix;
  std::string path;    ///< the path opened (e.g. /dev/shm/NAME)
  std::string segment; ///< canonical address (posix:/NAME, file:/abs/path), raw bytes
  std::string name;    ///< NAME column (/NAME, or the absolute path)
  /// A sem.* entry of the POSIX shared memory directory, however it was addressed: shown as
  /// a semaphore, never created, never opened for writing.
  bool semaphore = false;
  /// A holder's magic link (/proc/PID/fd/FD, /proc/PID/map_files/START-END: unlinked.hpp):
  /// followed when stat'ed and opened (everything else is opened O_NOFOLLOW), and what was
  /// opened must be the regular file the link named just before.
  bool holder_link = false;
  /// Asked before each change through a handle (memfd: its seals, which may be added while it
  /// is open), with the handle's fd; empty: every change is allowed.
  std::function<Result<void>(int fd, Change change)> allow_change;
  /// Handle::check()'s identity test, given fstat of the handle's fd, instead of looking the
  /// name up again (memfd: does the holder still hold it); returns alive, removed or replaced.
  std::function<Result<Liveness>(const struct stat &st)> identity;
};

/// The name an object had before remove_fd_object() moved it to its private name
/// (".shmkit-rm-HEX.NAME" gives "NAME"); any other component unchanged. Pure.
std::string_view unhidden_name(std::string_view component);

/// Whether `name` (one path component) is how sem_open(3) names a semaphore in /dev/shm.
bool is_semaphore_name(std::string_view name);

/// Builds a SegmentInfo from a stat result (no syscall).
SegmentInfo fd_object_info(const FdObject &object, const struct stat &st);

/// lstat()s the object (oddity semaphore for a regular file that object.semaphore marks).
/// Fails with not_found, permission_denied.
Result<SegmentInfo> stat_fd_object(const FdObject &object);

/// Opens an existing regular file without creating it: O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK (a FIFO
/// planted in /dev/shm would block a plain open), then requires S_ISREG.
/// Fails with not_found, permission_denied, not_supported (not a regular file; a semaphore
/// opened for writing).
Result<std::unique_ptr<Handle>> open_fd_object(const FdObject &object, Access access);

/// Wraps `fd`, a regular file opened with `access` whose fstat is `st`, as a Handle that owns
/// it (the memfd backend opens through /proc/PID/fd itself). Never fails.
std::unique_ptr<Handle> adopt_fd_object(FdObject object, int fd, Access access,
                                        const struct stat &st);

/// Creates exclusively at 0600, sizes it, optionally allocates it, then fchmods to spec.mode
/// (shm_open honours umask, so fchmod is also what makes the modes agree with SysV).
/// Fails with exists, permission_denied, no_space, not_supported (a semaphore's name).
Result<SegmentInfo> create_fd_object(const FdObject &object, const CreateSpec &spec);

/// Removes the object if it is still the same inode as `expected`, without a window in which
/// an object re-created under the name could be removed instead: renames it to a private,
/// unguessable dot-name in the same directory (RENAME_NOREPLACE), checks the inode of that
/// name, then unlinks it, or renames it back when it is another object. Fails with not_found,
/// permission_denied, changed (replaced; the message says where it is if its name was taken
/// again meanwhile), io.
Result<void> remove_fd_object(const FdObject &object, const SegmentInfo &expected);

} // namespace shmkit
