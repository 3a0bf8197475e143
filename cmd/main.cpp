// shmkit: one binary, one subcommand per file. Parse first, then run; no work in callbacks.
#include "commands.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <string>

namespace {

using shmkit::cli::Runner;

struct Subcommand {
  const char *name;
  const char *description;
  Runner (*register_fn)(CLI::App &);
};

constexpr Subcommand k_subcommands[] = {
    {"ls", "List shared memory segments of all kinds", shmkit::cli::register_ls},
    {"create", "Create a segment and print its address", shmkit::cli::register_create},
    {"rm", "Remove segments", shmkit::cli::register_rm},
    {"read", "Read a segment's contents: raw, hex views or typed values", shmkit::cli::register_read},
    {"write", "Write bytes, hex, strings or typed values into a segment", shmkit::cli::register_write},
    {"attach", "Map a segment and hold it until a signal, timeout or removal", shmkit::cli::register_attach},
    {"watch", "Print an event each time a region of a segment changes", shmkit::cli::register_watch},
};

// The subcommand named on the command line: the first argument that is not an option (the
// top level has no options that take values).
const char *invoked(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '-')
      return argv[i];
    if (std::strcmp(argv[i], "--") == 0)
      return i + 1 < argc ? argv[i + 1] : nullptr;
  }
  return nullptr;
}

std::string lowercase_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
      !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z'))
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

} // namespace

int main(int argc, char **argv) {
  // A closed pipe is reported as EPIPE by write() and handled quietly (DESIGN.md section 4).
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app("shmkit: inspect, create, read, write, watch and remove Linux shared memory "
               "(System V, POSIX and mapped files).");
  app.name("shmkit");
  app.set_version_flag("--version", "shmkit " SHMKIT_VERSION);
  app.require_subcommand(1);
  app.footer("See shmkit(1).");

  const char *wanted = invoked(argc, argv);
  Runner runner;
  std::string sub_name;
  for (const auto &sub : k_subcommands) {
    CLI::App *command = app.add_subcommand(sub.name, sub.description);
    if (wanted != nullptr && std::strcmp(wanted, sub.name) == 0) {
      runner = sub.register_fn(*command);
      sub_name = sub.name;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    std::string message = lowercase_first(e.what());
    if (wanted != nullptr && sub_name.empty())
      message = fmt::format("unknown subcommand '{}'", wanted);
    else if (wanted == nullptr && e.get_name() == "RequiredError")
      message = "no subcommand given (try ls, create, rm, read, write, attach, watch)";
    return shmkit::cli::usage_error(sub_name, message);
  }
  if (!runner)
    return shmkit::cli::usage_error("", "no subcommand given");
  int status = runner();
  return shmkit::cli::Stdout::get().finish(status);
}
