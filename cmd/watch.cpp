// Placeholder until the watch subcommand lands (owned by the helper implementing it).
#include "commands.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>

namespace shmkit::cli {

Runner register_watch(CLI::App &sub) {
  set_footer(sub, "watch");
  return [] {
    print_error("watch: not implemented yet");
    return k_exit_failure;
  };
}

} // namespace shmkit::cli
