// shmkit read --layout (read_layout.cpp): the fields of --count records of a C struct.
#pragma once

#include "command.hpp"
#include "read_plan.hpp"

#include "shmkit/backend.hpp"

namespace shmkit::cli {

/// Prints the records of plan.layout from plan.segment.offset (the caller checked that they fit):
/// `name = value` lines, `[I].name = value` with --count, or one JSON value with --json. Reads
/// under plan.mode (plain, stable or seqlock). Fails with the read's errors.
Result<Outcome> read_layout(Handle &handle, const ReadPlan &plan);

} // namespace shmkit::cli
