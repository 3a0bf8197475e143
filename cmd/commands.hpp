// The subcommands. Each cmd/<sub>.cpp defines <sub>_command(): its name, description, option
// table and plan function (command.hpp). main() builds only the invoked subcommand's options:
// start-up cost (cmd/README.md, where the time goes).
#pragma once

#include "command.hpp"

namespace shmkit::cli {

const Command &ls_command();
const Command &create_command();
const Command &rm_command();
const Command &read_command();
const Command &write_command();
const Command &attach_command();
const Command &watch_command();

} // namespace shmkit::cli
