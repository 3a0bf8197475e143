// The subcommands. Each cmd/<sub>.cpp defines register_<sub>(), which adds the subcommand's
// options to `sub` (those the OptionGate wants, see gate.hpp) (an options struct owned by the returned runner) and returns the runner.
// main() builds only the invoked subcommand's options: start-up cost (DESIGN.md section 9).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace shmkit::cli {

class OptionGate;

/// Runs a parsed subcommand and returns its exit status.
using Runner = std::function<int()>;

Runner register_ls(CLI::App &sub, OptionGate &gate);
Runner register_create(CLI::App &sub, OptionGate &gate);
Runner register_rm(CLI::App &sub, OptionGate &gate);
Runner register_read(CLI::App &sub, OptionGate &gate);
Runner register_write(CLI::App &sub, OptionGate &gate);
Runner register_attach(CLI::App &sub, OptionGate &gate);
Runner register_watch(CLI::App &sub, OptionGate &gate);

} // namespace shmkit::cli
