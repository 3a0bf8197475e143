// Placeholder until the read subcommand lands (owned by the helper implementing it).
#include "commands.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>

namespace shmkit::cli {

Runner register_read(CLI::App &sub) {
  set_footer(sub, "read");
  return [] {
    print_error("read: not implemented yet");
    return k_exit_failure;
  };
}

} // namespace shmkit::cli
