// shmkit --target PID (shmkit(1) CONTAINERS): the one place cmd/ learns whose view of shared
// memory it works in. main() takes the option before the subcommand and, once the command line
// has planned without a usage error, enters the process (lib's target.hpp) while still
// single-threaded. Everything that needs a location (backends, /proc scans, limits) reads
// system_paths(): no other file in cmd/ writes Paths{} or calls make_backend() without it.
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/target.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit::cli {

class JsonWriter;

/// Where the kernel's views are: Paths{}, or the target's once use_target() succeeded. Set
/// once, before any work; read-only afterwards.
const Paths &system_paths();

/// The --target process once use_target() succeeded, else nullptr.
const Target *target_process();

/// Inspects process `pid`, joins its IPC namespace and makes its paths system_paths(); nothing
/// without a pid. Call once, before any other thread exists. Fails as inspect_target() and
/// enter_ipc_namespace().
Result<void> use_target(std::optional<pid_t> pid);

/// The top-level options, taken off the command line before the subcommand is looked for.
struct TopLevel {
  std::optional<pid_t> target; ///< --target PID / --target=PID
  std::vector<char *> argv;    ///< the command line without them
};

/// Whether `arg` is the top-level option --target, alone or as --target=PID: the one place
/// its name is matched (take_top_level(), and main's check that it came after the subcommand).
bool is_target_option(std::string_view arg);

/// The --target PID typed on the command line (take_top_level() found it; main records it with
/// request_target() before the plan), so that a plan can refuse what cannot go with it
/// (ls --all-namespaces). Command-line text only: nothing has been entered yet.
void request_target(std::optional<pid_t> pid);
std::optional<pid_t> requested_target();

/// Takes --target off the arguments before the subcommand. Fails with invalid_argument (a
/// usage error): no value, given twice, not a process id from 1.
Result<TopLevel> take_top_level(int argc, char **argv);

/// The table header line naming the target ("# ipc:[N] /dev/shm of pid P (COMM)\n"), or
/// nothing without --target.
std::string target_heading();

/// With --target: the member `"target": {"pid", "command", "ipc_ns", "dev_shm": {"path",
/// "dev"}}` of a JSON object; nothing without.
void write_target_json(JsonWriter &json);

/// With --target: the member `"target": PID` of one JSON row; nothing without.
void write_row_target(JsonWriter &json);

} // namespace shmkit::cli
