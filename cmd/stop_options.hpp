// --interval, --timeout and --changes: how `watch` and `ls --watch` poll and when they stop.
// One parser, so that both take the same values with the same messages.
#pragma once

#include "options.hpp"

#include "shmkit/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace shmkit::cli {

/// What the command line gave; nullopt for an option not given.
struct StopOptions {
  std::optional<std::chrono::milliseconds> interval; ///< --interval: positive
  std::optional<std::chrono::milliseconds> timeout;  ///< --timeout: positive
  std::optional<std::uint64_t> changes;              ///< --changes: positive
};

/// Parses those of --interval, --timeout and --changes that were given. Pure. Fails with
/// parse_duration's and parse_uint's errors and "invalid interval '0ms': must be positive",
/// "invalid timeout '0': must be positive", "invalid number of changes '0': must be
/// positive" (usage errors).
Result<StopOptions> parse_stop_options(const Args &args);

} // namespace shmkit::cli
