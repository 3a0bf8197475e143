// Small file helpers shared inside lib.
#pragma once

#include "shmkit/error.hpp"

#include <string>

namespace shmkit {

/// Reads a whole small file, including /proc files whose st_size is 0, into `out`.
/// Fails with the open/read errno (not_found, permission_denied, io).
Result<void> read_whole_file(const std::string &path, std::string &out);

/// Raises the capacity of a pipe to 1 MiB (fs.pipe-max-size, allowed without privilege) when
/// it is smaller: 16 times fewer context switches than the 64 KiB default for large copies.
/// Only a hint; does nothing for anything that is not a pipe, and failure is fine.
void widen_pipe(int fd) noexcept;

} // namespace shmkit
