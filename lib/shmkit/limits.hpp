// System-wide shared memory limits and use (ls --limits).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <cstdint>
#include <optional>

namespace shmkit {

struct Limits {
  std::uint64_t shmmni = 0;      ///< max number of segments
  std::uint64_t shmall = 0;      ///< max total pages
  std::uint64_t shmmax = 0;      ///< max segment size, bytes
  std::uint64_t shmmin = 1;      ///< min segment size, bytes (always 1 on Linux)
  std::uint64_t page_size = 4096;
  std::uint64_t used_ids = 0;    ///< segments in use
  std::uint64_t used_pages = 0;  ///< pages in use (shm_tot)
  std::uint64_t used_bytes_max = 0; ///< largest segment in bytes
  std::optional<std::uint64_t> devshm_total; ///< /dev/shm filesystem size, bytes
  std::optional<std::uint64_t> devshm_used;  ///< bytes used there
  std::optional<std::uint64_t> devshm_avail; ///< bytes an unprivileged user may still use (df)
  std::optional<std::uint64_t> devshm_objects; ///< entries in /dev/shm
};

/// Reads shmctl(IPC_INFO/SHM_INFO) and statvfs(paths.dev_shm). Fails with io.
Result<Limits> read_limits(const Paths &paths);

} // namespace shmkit
