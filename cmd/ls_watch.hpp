// `shmkit ls --watch` (shmkit-ls(1) WATCHING): the listing, then one line per change of the set
// (lib's SetWatcher finds them), until --timeout, --changes N or a stop signal, as watch.
#pragma once

#include "command.hpp"
#include "ls_run.hpp"
#include "options.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace shmkit::cli {

struct LsWatchPlan {
  std::chrono::milliseconds interval{1000};         ///< --interval: how often SysV is listed again
  std::optional<std::chrono::milliseconds> timeout; ///< --timeout: exit 124 after it
  std::optional<std::uint64_t> changes;             ///< --changes N: exit 0 after N events
};

/// --interval, --timeout and --changes, parsed as watch parses them (positive). Fails with
/// invalid_argument or out_of_range: a usage error.
Result<LsWatchPlan> plan_ls_watch(const Args &args);

/// Prints the listing `request` selects, then the changes. Stops with Outcome::ok on a stop
/// signal or after --changes events, Outcome::timeout (a `timeout` event) at --timeout;
/// prints a failure itself and returns Outcome::failed. Fails with invalid_argument for an
/// unknown --owner, as ls does.
Result<Outcome> run_ls_watch(const ListRequest &request, const LsWatchPlan &plan);

} // namespace shmkit::cli
