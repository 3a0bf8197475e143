// shmkit: one binary, one subcommand per file. Parse first, then run; no work in callbacks.
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"
#include "target.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>

namespace {

using shmkit::cli::Args;
using shmkit::cli::Command;
using shmkit::cli::OptionGate;
using shmkit::cli::Runner;

// Where the subcommand is on the command line: the first argument that is not an option (the
// top level's only option with a value, --target, was taken off by take_top_level()). 0 when
// there is none.
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
  std::shared_ptr<Args> args; ///< filled by the parse (table-driven commands)
  Runner runner;              ///< legacy commands
};

// Builds the parser. When a known subcommand is named, only it is added, with only the options
// `gate` wants: every CLI11 subcommand and option costs start-up instructions (cmd/README.md).
// Otherwise all subcommands are added, for --help and for the error message.
Cli build(const Command *chosen, OptionGate &gate) {
  Cli cli;
  cli.app = std::make_unique<CLI::App>(
      "shmkit: inspect, create, read, write, watch and remove Linux shared memory "
      "(System V, POSIX and mapped files).");
  CLI::App &app = *cli.app;
  app.name("shmkit");
  app.set_version_flag("--version", "shmkit " SHMKIT_VERSION);
  app.require_subcommand(1);
  app.footer("See shmkit(1).");
  if (chosen == nullptr) // for --help only: main() takes --target off first (target.hpp)
    app.add_option(
           "--target", [](const CLI::results_t &) { return true; },
           "Work in the namespaces of process PID (as nsenter -t): its IPC namespace, its "
           "/dev/shm and its files, through /proc/PID/root")
        ->type_name("PID");
  for (const Command &command : shmkit::cli::commands()) {
    if (chosen != nullptr && chosen != &command)
      continue;
    CLI::App *sub =
        app.add_subcommand(std::string(command.name), std::string(command.description));
    if (chosen != &command)
      continue;
    if (command.legacy != nullptr) {
      cli.runner = command.legacy(*sub, gate);
    } else {
      cli.args = shmkit::cli::register_options(*sub, gate, command.options);
      shmkit::cli::set_footer(*sub, command.name);
    }
  }
  return cli;
}

// A program may be started with fd 0, 1 or 2 closed; the next open() or shm_open() would then
// return that number, and a message or a status line would be written into a segment, or a
// segment read as stdin (issue 8 defect 2). So every closed standard fd is re-opened on
// /dev/null first thing, as coreutils and util-linux do, but in the direction that keeps
// "closed" visible: stdin write-only and stdout read-only, so that reading stdin or writing
// stdout still fails with EBADF (reported as usual), while stderr is write-only and discards.
void guard_standard_fds() noexcept {
  constexpr int k_flags[3] = {O_WRONLY, O_RDONLY, O_WRONLY};
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    int opened = ::open("/dev/null", k_flags[fd] | O_NOCTTY);
    if (opened < 0)
      ::_exit(shmkit::cli::k_exit_failure); // no /dev/null: nothing can be trusted
    if (opened != fd) {
      // Only possible if a lower fd was also closed and re-opened out of order; never here,
      // since fds are handled from 0 up and open() returns the lowest free number.
      ::dup2(opened, fd);
      ::close(opened);
    }
  }
}

int run_command(int argc, char **argv);

} // namespace

int main(int argc, char **argv) {
  guard_standard_fds();
  // A closed pipe is reported as EPIPE by write() and handled quietly (shmkit(1) CONVENTIONS).
  std::signal(SIGPIPE, SIG_IGN);
  // No allocation failure or stray exception may reach std::terminate (issue 8 defect 10):
  // the commands name what was too large where they allocate; this is the last resort.
  try {
    return run_command(argc, argv);
  } catch (const std::bad_alloc &) {
    shmkit::cli::print_error("out of memory");
  } catch (const std::exception &e) {
    shmkit::cli::print_error(fmt::format("internal error: {}", e.what()));
  }
  return shmkit::cli::Stdout::get().finish(shmkit::cli::k_exit_failure);
}

namespace {

int run_subcommand(int argc, char **argv, std::optional<pid_t> target);

// A legacy command plans inside its runner: --target is entered before it runs.
Runner entering_first(Runner runner, std::optional<pid_t> target) {
  return [runner = std::move(runner), target] {
    auto entered = shmkit::cli::use_target(target);
    if (!entered)
      shmkit::cli::print_error(entered.error().message);
    return entered ? runner() : shmkit::cli::k_exit_failure;
  };
}

// The top-level options (--target) come off the command line first (target.hpp).
int run_command(int argc, char **argv) {
  auto top = shmkit::cli::take_top_level(argc, argv);
  if (!top)
    return shmkit::cli::usage_error("", top.error().message);
  shmkit::cli::request_target(top->target); // for plans that refuse it (ls -A)
  return run_subcommand(static_cast<int>(top->argv.size()), top->argv.data(), top->target);
}

// Whether --target was typed after the subcommand (a top-level option: it must come first).
bool target_after(int argc, char **argv, int at) {
  for (int i = at + 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--")
      return false;
    if (shmkit::cli::is_target_option(arg))
      return true;
  }
  return false;
}

int run_subcommand(int argc, char **argv, std::optional<pid_t> target) {
  int at = invoked(argc, argv);
  const char *wanted = at > 0 ? argv[at] : nullptr;
  const Command *chosen = nullptr;
  for (const Command &command : shmkit::cli::commands())
    if (wanted != nullptr && command.name == wanted)
      chosen = &command;

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
  // "-nan", "-inf", "-.5" are values, not options: hand them to CLI11 after a "--" (issue 8
  // defect 17).
  std::vector<std::string> moved;
  if (chosen != nullptr)
    moved = shmkit::cli::negative_values_last(*app.get_subcommand(std::string(chosen->name)),
                                              std::span<const char *const>(argv + at + 1,
                                                                           argv + argc));
  std::vector<const char *> reordered(argv, argv + at + 1);
  for (const auto &arg : moved)
    reordered.push_back(arg.c_str());
  try {
    if (moved.empty())
      app.parse(argc, argv);
    else
      app.parse(static_cast<int>(reordered.size()), reordered.data());
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    // CLI11 quotes the user's text raw; usage_error() escapes it (issue 8 defect 18).
    std::string message = lowercase_first(e.what());
    if (wanted != nullptr && chosen == nullptr)
      message = fmt::format("unknown subcommand '{}'", wanted);
    else if (wanted == nullptr && e.get_name() == "RequiredError")
      message = "no subcommand given (try ls, create, rm, read, write, attach, watch)";
    else if (chosen != nullptr && target_after(argc, argv, at))
      message = fmt::format("--target goes before the subcommand: shmkit --target PID {} ...",
                            chosen->name);
    return shmkit::cli::usage_error(chosen != nullptr ? chosen->name : "", message);
  }
  if (chosen == nullptr)
    return shmkit::cli::usage_error("", "no subcommand given");
  // --target is entered after the plan (a usage error wins) and before the work, while no
  // other thread exists (setns(2)).
  auto enter = [target] { return shmkit::cli::use_target(target); };
  if (chosen->legacy != nullptr)
    cli.runner = entering_first(std::move(cli.runner), target);
  int status =
      chosen->legacy != nullptr ? cli.runner() : shmkit::cli::execute(*chosen, *cli.args, enter);
  return shmkit::cli::Stdout::get().finish(status);
}

} // namespace
