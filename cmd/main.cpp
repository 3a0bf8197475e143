// shmkit: one binary, one subcommand per file. Parse first, then run; no work in callbacks.
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <memory>
#include <string>

namespace {

using shmkit::cli::OptionGate;
using shmkit::cli::Runner;

struct Subcommand {
  const char *name;
  const char *description;
  Runner (*register_fn)(CLI::App &, OptionGate &);
};

constexpr Subcommand k_subcommands[] = {
    {"ls", "List shared memory segments of all kinds", shmkit::cli::register_ls},
    {"create", "Create a segment and print its address", shmkit::cli::register_create},
    {"rm", "Remove segments", shmkit::cli::register_rm},
    {"read", "Read a segment's contents: raw, hex views or typed values",
     shmkit::cli::register_read},
    {"write", "Write bytes, hex, strings or typed values into a segment",
     shmkit::cli::register_write},
    {"attach", "Map a segment and hold it until a signal, timeout or removal",
     shmkit::cli::register_attach},
    {"watch", "Print an event each time a region of a segment changes",
     shmkit::cli::register_watch},
};

// Where the subcommand is on the command line: the first argument that is not an option (the
// top level has no options that take values). 0 when there is none.
int invoked(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0)
      return i + 1 < argc ? i + 1 : 0;
    if (argv[i][0] != '-')
      return i;
  }
  return 0;
}

std::string lowercase_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
      !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z'))
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

struct Cli {
  std::unique_ptr<CLI::App> app;
  Runner runner;
  std::string sub_name;
};

// Builds the parser. When a known subcommand is named, only it is added, with only the options
// `gate` wants: every CLI11 subcommand and option costs start-up instructions (DESIGN.md
// section 9). Otherwise all subcommands are added, for --help and for the error message.
Cli build(const Subcommand *chosen, OptionGate &gate) {
  Cli cli;
  cli.app = std::make_unique<CLI::App>(
      "shmkit: inspect, create, read, write, watch and remove Linux shared memory "
      "(System V, POSIX and mapped files).");
  CLI::App &app = *cli.app;
  app.name("shmkit");
  app.set_version_flag("--version", "shmkit " SHMKIT_VERSION);
  app.require_subcommand(1);
  app.footer("See shmkit(1).");
  for (const auto &sub : k_subcommands) {
    if (chosen != nullptr && chosen != &sub)
      continue;
    CLI::App *command = app.add_subcommand(sub.name, sub.description);
    if (chosen == &sub) {
      cli.runner = sub.register_fn(*command, gate);
      cli.sub_name = sub.name;
    }
  }
  return cli;
}

} // namespace

int main(int argc, char **argv) {
  // A closed pipe is reported as EPIPE by write() and handled quietly (DESIGN.md section 4).
  std::signal(SIGPIPE, SIG_IGN);

  int at = invoked(argc, argv);
  const char *wanted = at > 0 ? argv[at] : nullptr;
  const Subcommand *chosen = nullptr;
  for (const auto &sub : k_subcommands)
    if (wanted != nullptr && std::strcmp(wanted, sub.name) == 0)
      chosen = &sub;

  std::vector<std::string_view> rest;
  if (chosen != nullptr)
    for (int i = at + 1; i < argc; ++i)
      rest.emplace_back(argv[i]);
  OptionGate gate = chosen != nullptr ? OptionGate(std::move(rest)) : OptionGate();
  Cli cli = build(chosen, gate);
  if (gate.has_unclaimed()) {
    OptionGate all;
    cli = build(chosen, all);
  }

  CLI::App &app = *cli.app;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    std::string message = lowercase_first(e.what());
    if (wanted != nullptr && chosen == nullptr)
      message = fmt::format("unknown subcommand '{}'", wanted);
    else if (wanted == nullptr && e.get_name() == "RequiredError")
      message = "no subcommand given (try ls, create, rm, read, write, attach, watch)";
    return shmkit::cli::usage_error(cli.sub_name, message);
  }
  if (!cli.runner)
    return shmkit::cli::usage_error("", "no subcommand given");
  int status = cli.runner();
  return shmkit::cli::Stdout::get().finish(status);
}
