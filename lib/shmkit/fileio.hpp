// Small file helpers shared inside lib.
#pragma once

#include "shmkit/error.hpp"

#include <string>

namespace shmkit {

/// Reads a whole file (including /proc files whose st_size is 0) into `out`, reusing its
/// capacity. Fails with the open/read errno (not_found, permission_denied, io).
Result<void> read_whole_file(const std::string &path, std::string &out);

} // namespace shmkit
