// `shmkit ls --detail SEGMENT` (shmkit-ls(1) DETAIL): every column of one segment, one per line
// ("HEADER: value"), then one line per process that maps or holds it; with --json one object.
#pragma once

#include "command.hpp"
#include "ls_run.hpp"

namespace shmkit::cli {

/// Prints the detail view of the one segment in request.refs. A segment that is missing (or
/// filtered out) prints its error and makes the outcome `failed`.
Result<Outcome> run_detail(const ListRequest &request);

} // namespace shmkit::cli
