#include "command.hpp"

#include "commands.hpp"
#include "output.hpp"

#include <array>

namespace shmkit::cli {

std::span<const Command> commands() {
  static const std::array<Command, 7> k_commands = {ls_command(),   create_command(),
                                                     rm_command(),   read_command(),
                                                     write_command(), attach_command(),
                                                     watch_command()};
  return k_commands;
}

int exit_status(Outcome outcome) {
  switch (outcome) {
  case Outcome::ok:
    return k_exit_ok;
  case Outcome::failed:
    return k_exit_failure;
  case Outcome::timeout:
    return k_exit_timeout;
  }
  return k_exit_failure;
}

int execute(const Command &command, const Args &args, const Prepare &prepare) {
  if (auto ok = check_rules(command.options, args); !ok)
    return usage_error(command.name, ok.error().message);
  auto work = command.plan(args);
  if (!work)
    return usage_error(command.name, work.error().message);
  if (prepare)
    if (auto ready = prepare(); !ready) {
      print_error(ready.error().message);
      return k_exit_failure;
    }
  auto outcome = (*work)();
  if (!outcome) {
    Stdout::get().flush(); // what was printed comes before the error
    print_error(outcome.error().message);
    return k_exit_failure;
  }
  return exit_status(*outcome);
}

} // namespace shmkit::cli
