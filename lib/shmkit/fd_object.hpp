// What the POSIX and file backends share: both are regular files reached by a path, read and
// written with pread/pwrite and mapped with mmap(MAP_SHARED).
#pragma once

#include "shmkit/backend.hpp"

#include <sys/stat.h>

#include <memory>
#include <string>

namespace shmkit {

/// A located POSIX object or file: where it is and how it is displayed.
struct FdObject {
  Kind kind = Kind::posix;
  std::string path;    ///< the path opened (e.g. /dev/shm/NAME)
  std::string segment; ///< canonical address (posix:/NAME, file:/abs/path), raw bytes
  std::string name;    ///< NAME column (/NAME, or the absolute path)
};

/// Builds a SegmentInfo from a stat result (no syscall).
SegmentInfo fd_object_info(const FdObject &object, const struct stat &st);

/// lstat()s the object. Fails with not_found, permission_denied.
Result<SegmentInfo> stat_fd_object(const FdObject &object);

/// Opens an existing regular file without creating it: O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK (a FIFO
/// planted in /dev/shm would block a plain open), then requires S_ISREG.
/// Fails with not_found, permission_denied, invalid_argument (not a regular file).
Result<std::unique_ptr<Handle>> open_fd_object(const FdObject &object, Access access);

/// Creates exclusively at 0600, sizes it, optionally allocates it, then fchmods to spec.mode
/// (shm_open honours umask, so fchmod is also what makes the modes agree with SysV).
Result<SegmentInfo> create_fd_object(const FdObject &object, const CreateSpec &spec);

/// Unlinks the object after checking it is still the same inode as `expected`.
Result<void> remove_fd_object(const FdObject &object, const SegmentInfo &expected);

} // namespace shmkit
