// How much of a segment is in memory and how much in swap (the RSS and SWAP of `ls`).
#pragma once

#include "shmkit/segment.hpp"

#include <cstdint>
#include <optional>

namespace shmkit {

/// Resident and swapped bytes of one segment; std::nullopt where the kernel refuses to say
/// (or the object is gone or replaced), never a guess.
struct Residency {
  std::optional<std::uint64_t> rss;
  std::optional<std::uint64_t> swap;
};

/// How measure_residency() asks the kernel about a POSIX object or a file.
enum class ResidencyMethod {
  automatic, ///< cachestat(2) (Linux 6.5), else mincore(2)
  mincore,   ///< mincore(2) only: what a kernel without cachestat gets (for tests)
};

/// RSS and SWAP of a segment as `ls` shows them, with no side effect on it:
/// - SysV: the figures of /proc/sysvipc/shm already in `info` (never attaches: that would
///   change nattch, lpid and atime);
/// - POSIX and file: opens the object read-only (O_NOFOLLOW|O_NONBLOCK), checks that it is
///   still the object of `info` (device and inode), then cachestat(2): RSS = pages in the
///   page cache, SWAP = swap entries of a tmpfs object (0 for a file on another filesystem,
///   whose pages are never swapped). Without cachestat, mincore(2) over a PROT_READ
///   MAP_SHARED mapping gives RSS, and SWAP of a tmpfs object is unknown;
/// - memfd: the same through /proc/PID/fd/FD of its SEGMENT (memfd:PID:FD); unlinked POSIX
///   objects and files through their holder's link (unlinked.hpp).
/// Refused (nullopt): the caller may not write the object (newer kernels, 6.18 among them,
/// fail cachestat with EPERM then, and since Linux 5.0, commit 134fca9063ad, mincore reports
/// every page resident), hugetlbfs (EOPNOTSUPP), not a regular file, vanished or replaced.
Residency measure_residency(const SegmentInfo &info, const Paths &paths,
                            ResidencyMethod method = ResidencyMethod::automatic);

} // namespace shmkit
