// The shape every subcommand has (cmd/README.md): a declarative option table, then
// plan(args) -> Work, which validates the command line alone (usage errors, status 2), then the
// Work itself, which does the system work (runtime failures, status 1). execute() is the one
// place that turns what happened into the exit status.
#pragma once

#include "options.hpp"

#include "shmkit/error.hpp"

#include <functional>
#include <span>
#include <string_view>

namespace CLI {
class App;
}

namespace shmkit::cli {

class OptionGate;

/// How a command that ran to its end finished.
enum class Outcome {
  ok,      ///< status 0
  failed,  ///< status 1: failures that the command already reported (rm: some targets failed)
  timeout, ///< status 124: watch --timeout expired (as timeout(1))
};

/// The work a plan leads to. An Error is a runtime failure: execute() prints it, status 1.
using Work = std::function<Result<Outcome>()>;

/// Before the table-driven shape: a runner that returns the exit status itself.
using Runner = std::function<int()>;
/// Before the table-driven shape: registers options itself and returns its runner.
using LegacyRegister = Runner (*)(CLI::App &, OptionGate &);

/// One subcommand.
struct Command {
  std::string_view name;
  std::string_view description;
  std::span<const OptionSpec> options;
  /// Validates the command line alone, with lib's pure parsers and no system call. An Error is
  /// a usage error (status 2, with the Try line).
  Result<Work> (*plan)(const Args &args) = nullptr;
  LegacyRegister legacy = nullptr;
};

/// The plan function of a subcommand whose planning is `plan_fn(args) -> Result<Plan>` and whose
/// work is `run_fn(plan)`: Command{name, description, k_options, plan_then<plan_x, run_x>}.
template <auto plan_fn, auto run_fn> Result<Work> plan_then(const Args &args) {
  auto planned = plan_fn(args);
  if (!planned)
    return std::move(planned).error();
  return Work([plan = std::move(*planned)]() -> Result<Outcome> { return run_fn(plan); });
}

/// Every subcommand, in the order of shmkit --help.
std::span<const Command> commands();

/// The exit status of an outcome: 0, 1 or 124.
int exit_status(Outcome outcome);

/// What runs between a successful plan and the work (main: entering --target). An Error is a
/// runtime failure, status 1.
using Prepare = std::function<Result<void>()>;

/// Checks the table's rules, plans, runs `prepare` (when given) and the work of `command`,
/// prints a failure and returns the exit status (2 for anything found before the work started,
/// 1 for a failure of `prepare` or of the work).
int execute(const Command &command, const Args &args, const Prepare &prepare = {});

} // namespace shmkit::cli
