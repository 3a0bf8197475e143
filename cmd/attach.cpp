// Placeholder until the attach subcommand lands (owned by the helper implementing it).
#include "commands.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>

namespace shmkit::cli {

Runner register_attach(CLI::App &sub) {
  set_footer(sub, "attach");
  return [] {
    print_error("attach: not implemented yet");
    return k_exit_failure;
  };
}

} // namespace shmkit::cli
