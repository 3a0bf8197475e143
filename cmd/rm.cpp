// shmkit rm: remove named segments, or every segment matching filters (shmkit-rm(1)).
#include "commands.hpp"
#include "output.hpp"
#include "rm_select.hpp"

#include "shmkit/address.hpp"
#include "shmkit/parse.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shmkit::cli {

namespace {

// Rows in the order their rules are checked: --all before the filters that need it, so that
// `rm --all --type sysv SEGMENT` is told about SEGMENT first.
constexpr OptionSpec k_options[] = {
    {"SEGMENT", "Segments to remove (any address form)", "", Arity::positionals},
    {"-a,--all", "Remove every segment that matches the filters below", "", Arity::flag, "",
     "SEGMENT"},
    {"-t,--type", "With --all: only these kinds, comma-separated: sysv, posix (default: both)",
     "TYPES", Arity::one, "--all"},
    {"-u,--owner",
     "With --all: only segments owned by this user (name or uid; default for a user other than "
     "root: that user)",
     "USER", Arity::one, "--all"},
    {"--any-owner", "With --all: segments of every owner (the default for root only)", "",
     Arity::flag, "--all", "--owner"},
    {"--match",
     "With --all: only POSIX names (without the leading /) or SysV keys (as 0x%08x) that match "
     "this glob",
     "GLOB", Arity::one, "--all"},
    {"--older-than",
     "With --all: only segments whose ctime is at least this long ago (500ms, 30s, 5m, 2h)",
     "DURATION", Arity::one, "--all"},
    {"--orphaned",
     "With --all: only segments whose STATE (as in ls) is orphaned: nobody uses them (SysV: not "
     "attached and the creator is gone; POSIX: neither mapped nor open, every process readable) "
     "and idle for the --grace period",
     "", Arity::flag, "--all"},
    {"--grace", "With --orphaned: how long a segment must have been idle (default 1h; 0s: no wait)",
     "DURATION", Arity::one, "--orphaned"},
    {"--keep",
     "With --all: never remove segments whose address (posix:/pulse-*) or --match text "
     "(PostgreSQL.*, 0x0052e2c1) matches this glob (repeatable)",
     "GLOB", Arity::many, "--all"},
    {"-n,--dry-run", "Print what would be removed; remove nothing", "", Arity::flag},
    {"-y,--yes", "Do not ask for confirmation (--all needs it without a terminal)", "",
     Arity::flag},
    {"-f,--force",
     "Also remove segments in use (attached, mapped or open) and, when named, POSIX semaphores "
     "and non-regular /dev/shm entries",
     "", Arity::flag},
    {"-v,--verbose", "Print 'removed SEGMENT' for each removal", "", Arity::flag},
};

// --type: kind names, comma-separated, each a kind that --all can list.
Result<std::vector<Kind>> parse_types(std::string_view text) {
  std::vector<Kind> kinds;
  while (true) {
    std::size_t comma = text.find(',');
    std::string_view word = text.substr(0, comma);
    const KindTraits *found = nullptr;
    for (const KindTraits &traits : kind_traits())
      if (word == kind_name(traits.kind))
        found = &traits;
    if (found == nullptr)
      return make_error(Errc::invalid_argument,
                        fmt::format("invalid --type '{}': use sysv, posix or both, comma-separated",
                                    escape_bytes(word)));
    if (!found->removable)
      return make_error(Errc::invalid_argument,
                        fmt::format("--type {} cannot be used with --all: {} objects cannot be "
                                    "removed",
                                    word, word));
    if (!found->listed_by_default)
      return make_error(Errc::invalid_argument,
                        fmt::format("--type {} cannot be used with --all: {}s are never listed; "
                                    "name them instead",
                                    word, word));
    kinds.push_back(found->kind);
    if (comma == std::string_view::npos)
      return kinds;
    text.remove_prefix(comma + 1);
  }
}

// A duration option: nullopt when it is not given.
Result<std::optional<std::chrono::milliseconds>> duration_of(const Args &args,
                                                             std::string_view option) {
  if (!args.has(option))
    return std::optional<std::chrono::milliseconds>();
  auto parsed = parse_duration(args.value(option), option);
  if (!parsed)
    return make_error(Errc::invalid_argument, std::move(parsed).error().message);
  return std::optional(*parsed);
}

Result<RmFilters> plan_filters(const Args &args) {
  RmFilters filters;
  for (const KindTraits &traits : kind_traits())
    if (traits.listed_by_default)
      filters.kinds.push_back(traits.kind);
  if (args.has("--type")) {
    auto kinds = parse_types(args.value("--type"));
    if (!kinds)
      return std::move(kinds).error();
    filters.kinds = std::move(*kinds);
  }
  if (args.has("--owner")) {
    if (auto ok = check_user_text(args.value("--owner")); !ok)
      return std::move(ok).error();
    filters.owner = args.value("--owner");
  }
  filters.any_owner = args.has("--any-owner");
  if (args.has("--match"))
    filters.match = args.value("--match");
  filters.orphaned = args.has("--orphaned");
  auto age = duration_of(args, "--older-than");
  if (!age)
    return std::move(age).error();
  filters.older_than = *age;
  auto grace = duration_of(args, "--grace");
  if (!grace)
    return std::move(grace).error();
  if (*grace) {
    filters.grace = **grace;
    filters.grace_text = args.value("--grace");
  }
  for (const std::string &glob : args.values("--keep")) {
    if (glob.empty())
      return make_error(Errc::invalid_argument, "invalid --keep: empty glob");
    filters.keep.push_back(glob);
  }
  return filters;
}

// The owner filter of --all: --owner resolved, or, for a user other than root without
// --any-owner, that user. Fails when --owner names no user.
Result<std::optional<uid_t>> owner_filter(const RmFilters &filters) {
  if (filters.owner) {
    auto uid = lookup_uid(*filters.owner);
    if (!uid)
      return std::move(uid).error();
    return std::optional<uid_t>(*uid);
  }
  // A user other than root may remove only their own segments (and those they created):
  // selecting everybody's would only print one refusal per segment (issue 8 defect 6).
  if (!filters.any_owner && ::geteuid() != 0)
    return std::optional<uid_t>(::geteuid());
  return std::optional<uid_t>();
}

// Asks on the terminal (stderr/stdin); true for an answer starting with y or Y.
bool confirm(const std::vector<RmTarget> &targets) {
  std::string text;
  for (const RmTarget &target : targets)
    text += fmt::format("  {}\n", target_text(target));
  text += fmt::format("shmkit: remove {} segment{}? [y/N] ", targets.size(),
                      targets.size() == 1 ? "" : "s");
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::array<char, 64> answer{};
  if (std::fgets(answer.data(), static_cast<int>(answer.size()), stdin) == nullptr)
    return false;
  return answer[0] == 'y' || answer[0] == 'Y';
}

Outcome outcome_of(bool failed) { return failed ? Outcome::failed : Outcome::ok; }

Result<Outcome> run_all(const RmPlan &plan) {
  auto owner = owner_filter(plan.filters);
  if (!owner)
    return std::move(owner).error();
  // Whether a terminal can answer takes the system to tell: a runtime failure (issue 9).
  const bool terminal = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
  if (!plan.dry_run && !plan.yes && !terminal)
    return make_error(Errc::not_supported, "--all needs --yes when standard input is not a "
                                           "terminal (nothing removed)");

  RmContext context;
  bool failed = false;
  std::vector<RmTarget> targets =
      select_targets(context, plan.filters, *owner, plan.dry_run, failed);
  if (std::erase_if(targets, [&](const RmTarget &target) {
        return !may_remove(context, target.info, plan.force);
      }) > 0)
    failed = true;
  if (targets.empty())
    return outcome_of(failed);
  if (!plan.dry_run && !plan.yes && !confirm(targets))
    return make_error(Errc::not_supported, "not confirmed: nothing removed");
  for (const RmTarget &target : targets)
    if (!remove_one(context, target, plan))
      failed = true;
  return outcome_of(failed);
}

Result<Outcome> run_named(const RmPlan &plan) {
  RmContext context;
  bool failed = false;
  for (const SegmentRef &ref : plan.refs) {
    // An ftok: address is resolved here, by the backend: a missing file is one failed target.
    auto info = context.backend(ref.kind).stat(ref);
    if (!info) {
      print_error(info.error().message);
      failed = true;
      continue;
    }
    // A kind that cannot be removed (memfd): its backend says why, even with --dry-run.
    if (!traits_of(info->kind).removable) {
      auto refused = context.backend(ref.kind).remove(*info);
      if (!refused)
        print_error(refused.error().message);
      failed = true;
      continue;
    }
    if (!may_remove(context, *info, plan.force) ||
        !remove_one(context, RmTarget{std::move(*info), std::nullopt}, plan))
      failed = true;
  }
  return outcome_of(failed);
}

Result<Work> plan_command(const Args &args) {
  auto planned = plan_rm(args);
  if (!planned)
    return std::move(planned).error();
  return Work([plan = std::move(*planned)] { return plan.all ? run_all(plan) : run_named(plan); });
}

} // namespace

Result<RmPlan> plan_rm(const Args &args) {
  RmPlan plan;
  plan.all = args.has("--all");
  plan.dry_run = args.has("--dry-run");
  plan.yes = args.has("--yes");
  plan.force = args.has("--force");
  plan.verbose = args.has("--verbose");
  if (plan.all) {
    auto filters = plan_filters(args);
    if (!filters)
      return std::move(filters).error();
    plan.filters = std::move(*filters);
    return plan;
  }
  if (args.values("SEGMENT").empty())
    return make_error(Errc::invalid_argument, "no segment given (name one or more, or use --all)");
  // Every address is checked before anything is removed.
  for (const std::string &text : args.values("SEGMENT")) {
    auto ref = parse_address(text);
    if (!ref)
      return make_error(Errc::invalid_argument, std::move(ref).error().message);
    plan.refs.push_back(std::move(*ref));
  }
  return plan;
}

const Command &rm_command() {
  static const Command command{"rm", "Remove segments", k_options, plan_command};
  return command;
}

} // namespace shmkit::cli
