// Placeholder until the write subcommand lands (owned by the helper implementing it).
#include "commands.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>

namespace shmkit::cli {

Runner register_write(CLI::App &sub) {
  set_footer(sub, "write");
  return [] {
    print_error("write: not implemented yet");
    return k_exit_failure;
  };
}

} // namespace shmkit::cli
