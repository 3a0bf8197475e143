// shmkit rm: remove named segments, or every segment matching filters (shmkit-rm(1)).
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/users.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

constexpr std::string_view k_sub = "rm";

struct RmOptions {
  std::vector<std::string> segments;
  bool all = false;
  std::string type;
  std::string owner;
  std::string match;
  std::string older_than;
  bool orphaned = false;
  std::string grace;
  bool any_owner = false;
  bool dry_run = false;
  bool yes = false;
  bool force = false;
  bool verbose = false;
  CLI::Option *type_option = nullptr;
  CLI::Option *owner_option = nullptr;
  CLI::Option *match_option = nullptr;
  CLI::Option *older_option = nullptr;
  CLI::Option *grace_option = nullptr;
};

// The --all filters, parsed.
struct Filters {
  std::array<bool, 3> kinds{true, true, false}; ///< indexed by Kind
  std::optional<uid_t> owner;
  std::optional<std::string> match;
  std::optional<std::chrono::milliseconds> older_than;
  bool orphaned = false;
  std::chrono::milliseconds grace = k_default_grace;
  std::string grace_text = "1h"; ///< as given, for messages
};

std::size_t index_of(Kind kind) { return static_cast<std::size_t>(kind); }

std::string shown(const SegmentInfo &info) { return escape_bytes(info.segment); }

// One backend per kind, made on first use; plus the /proc scan of who maps or holds what, made
// at most once and only when a POSIX object or file needs it.
class Context {
public:
  Backend &backend(Kind kind) {
    auto &slot = m_backends[index_of(kind)];
    if (!slot)
      slot = make_backend(kind, m_paths);
    return *slot;
  }

  const Paths &paths() const { return m_paths; }

  /// Our own pid as /proc numbers it: an fd rm inherited is not a use (issue 8 defect 19a).
  pid_t self() {
    if (m_self == 0)
      m_self = proc_self_pid(m_paths);
    return m_self;
  }

  Result<const std::vector<SegmentUser> *> users() {
    if (!m_users) {
      auto scanned = scan_users(m_paths, true);
      if (!scanned)
        return std::move(scanned).error();
      m_users = std::move(*scanned);
    }
    return &*m_users;
  }

  /// usage_of() with the scan only where the kernel does not count for us (SysV nattch).
  Result<Usage> usage(const SegmentInfo &info) {
    static const std::vector<SegmentUser> k_none;
    if (info.kind == Kind::sysv)
      return usage_of(info, k_none);
    auto all = users();
    if (!all)
      return std::move(all).error();
    return usage_of(info, **all, self());
  }

private:
  Paths m_paths;
  std::array<std::unique_ptr<Backend>, 3> m_backends;
  std::optional<std::vector<SegmentUser>> m_users;
  pid_t m_self = 0;
};

// "1 attach" for SysV; "2 mapping, 1 holding it open" for the others: the first number is
// what `ls` shows as NATTCH (issue 8 defect 20).
std::string usage_text(const Usage &usage) {
  if (usage.attaches > 0)
    return fmt::format("{} attach{}", usage.attaches, usage.attaches == 1 ? "" : "es");
  return fmt::format("{} mapping, {} holding it open", usage.mapping, usage.holding);
}

// The refusals that --force overrides: not a shared memory object, or in use. Prints the
// reason and returns false when the segment must be left alone.
bool may_remove(Context &context, const SegmentInfo &info, bool force) {
  if (force)
    return true;
  if (info.oddity == Oddity::semaphore) {
    print_error(
        fmt::format("refusing to remove {}: it is a POSIX semaphore (use --force)", shown(info)));
    return false;
  }
  if (info.oddity != Oddity::none) {
    print_error(
        fmt::format("refusing to remove {}: not a regular file (use --force)", shown(info)));
    return false;
  }
  auto usage = context.usage(info);
  if (!usage) {
    print_error(
        fmt::format("cannot tell whether {} is in use: {}", shown(info), usage.error().message));
    return false;
  }
  if (usage->total() > 0) {
    print_error(
        fmt::format("cannot remove {}: in use ({}; use --force)", shown(info), usage_text(*usage)));
    return false;
  }
  return true;
}

// Removes (or, with --dry-run, names) one segment. Returns false on failure.
bool remove_one(Context &context, const SegmentInfo &info, const RmOptions &opt) {
  Stdout &out = Stdout::get();
  if (opt.dry_run) {
    // Every check the removal would make: still the same segment, and ours to remove
    // (issue 8 defect 7).
    if (auto allowed = check_removal(context.backend(info.kind), info, context.paths()); !allowed) {
      print_error(allowed.error().message);
      return false;
    }
    out.write(shown(info));
    out.put('\n');
    return true;
  }
  // Backend::remove re-checks identity right before acting: SysV key, cpid and ctime; POSIX
  // and files by renaming to a private name, checking dev and inode, then unlinking.
  if (auto removed = context.backend(info.kind).remove(info); !removed) {
    print_error(removed.error().message);
    return false;
  }
  if (opt.verbose) {
    out.write("removed ");
    out.write(shown(info));
    out.put('\n');
  }
  return true;
}

bool matches(const SegmentInfo &info, const Filters &filters, std::int64_t now_ms) {
  if (filters.owner && info.uid != *filters.owner)
    return false;
  if (filters.match) {
    std::string subject = info.kind == Kind::sysv ? fmt::format("0x{:08x}", info.key.value_or(0))
                                                  : info.name.value_or("/").substr(1);
    if (::fnmatch(filters.match->c_str(), subject.c_str(), 0) != 0)
      return false;
  }
  if (filters.older_than) {
    if (!info.ctime)
      return false;
    // ctime has one-second resolution: count it as the end of its second, so a segment is
    // never taken for older than it can be.
    std::int64_t youngest_ms = (static_cast<std::int64_t>(*info.ctime) + 1) * 1000;
    if (now_ms - youngest_ms < filters.older_than->count())
      return false;
  }
  return true;
}

// "42s", "17m", "3h", "2d": how long ago, for messages.
std::string age_text(std::int64_t seconds) {
  seconds = std::max<std::int64_t>(seconds, 0);
  if (seconds < 120)
    return fmt::format("{}s", seconds);
  if (seconds < 2 * 3600)
    return fmt::format("{}m", seconds / 60);
  if (seconds < 2 * 86400)
    return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

// Lists every candidate of --all, filtered, in a stable order (SysV by id, then POSIX by name).
// Failures are printed; `failed` is set. With `explain` (--dry-run), says which segments
// --orphaned keeps only because of the grace period.
std::vector<SegmentInfo> select(Context &context, const Filters &filters, bool explain,
                                bool &failed) {
  std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  std::vector<SegmentInfo> chosen;
  for (Kind kind : {Kind::sysv, Kind::posix}) {
    if (!filters.kinds[index_of(kind)])
      continue;
    auto listed = context.backend(kind).list();
    if (!listed) {
      print_error(listed.error().message);
      failed = true;
      continue;
    }
    std::vector<SegmentInfo> rows;
    for (SegmentInfo &info : *listed) {
      // Semaphores and planted non-files are never bulk-removed; segments already marked for
      // removal (dest) are gone as soon as their last user detaches.
      if (info.oddity != Oddity::none || info.dest || !matches(info, filters, now_ms))
        continue;
      rows.push_back(std::move(info));
    }
    std::sort(rows.begin(), rows.end(), [](const SegmentInfo &a, const SegmentInfo &b) {
      return a.id != b.id ? a.id < b.id : a.name < b.name;
    });
    if (filters.orphaned) {
      // SysV needs no scan: the kernel counts attaches (nattch).
      static const std::vector<SegmentUser> k_none;
      const std::vector<SegmentUser> *users = &k_none;
      if (kind != Kind::sysv) {
        auto scanned = context.users();
        if (!scanned) {
          print_error(fmt::format("cannot tell which posix objects are orphaned: {}",
                                  scanned.error().message));
          failed = true;
          continue;
        }
        users = *scanned;
      }
      std::erase_if(rows, [&](const SegmentInfo &info) {
        Orphan status = orphan_status(info, *users, filters.grace, now_ms, context.self());
        if (status == Orphan::recent && explain) {
          auto last = last_activity(info);
          print_warning(
              last ? fmt::format("not orphaned: {} was last active {} ago, within the grace "
                                 "period of {} (--grace)",
                                 shown(info), age_text(now_ms / 1000 - *last), filters.grace_text)
                   : fmt::format("not orphaned: the last activity of {} is unknown (--grace)",
                                 shown(info)));
        }
        return status != Orphan::orphaned;
      });
    }
    std::move(rows.begin(), rows.end(), std::back_inserter(chosen));
  }
  return chosen;
}

// Asks on the terminal (stderr/stdin); true for an answer starting with y or Y.
bool confirm(const std::vector<SegmentInfo> &targets) {
  std::string text;
  for (const SegmentInfo &info : targets)
    text += fmt::format("  {}\n", shown(info));
  text += fmt::format("shmkit: remove {} segment{}? [y/N] ", targets.size(),
                      targets.size() == 1 ? "" : "s");
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::array<char, 64> answer{};
  if (std::fgets(answer.data(), static_cast<int>(answer.size()), stdin) == nullptr)
    return false;
  return answer[0] == 'y' || answer[0] == 'Y';
}

Result<Filters> parse_filters(const RmOptions &opt) {
  Filters filters;
  if (given(opt.type_option)) {
    filters.kinds = {false, false, false};
    std::string_view rest = opt.type;
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view word = rest.substr(0, comma);
      if (word == "sysv")
        filters.kinds[index_of(Kind::sysv)] = true;
      else if (word == "posix")
        filters.kinds[index_of(Kind::posix)] = true;
      else if (word == "file")
        return make_error(Errc::invalid_argument,
                          "--type file cannot be used with --all: files are never listed; name "
                          "them instead");
      else
        return make_error(Errc::invalid_argument,
                          fmt::format("invalid --type '{}': use sysv, posix or both, "
                                      "comma-separated",
                                      escape_bytes(word)));
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (given(opt.owner_option)) {
    auto uid = lookup_uid(opt.owner);
    if (!uid)
      return std::move(uid).error();
    filters.owner = *uid;
  } else if (!opt.any_owner && ::geteuid() != 0) {
    // A user other than root may remove only their own segments (and those they created):
    // selecting everybody's would only print one refusal per segment (issue 8 defect 6).
    filters.owner = ::geteuid();
  }
  if (given(opt.match_option))
    filters.match = opt.match;
  if (given(opt.older_option)) {
    auto age = parse_duration(opt.older_than, "--older-than");
    if (!age)
      return make_error(Errc::invalid_argument, std::move(age).error().message);
    filters.older_than = *age;
  }
  filters.orphaned = opt.orphaned;
  if (given(opt.grace_option)) {
    auto grace = parse_duration(opt.grace, "--grace");
    if (!grace)
      return make_error(Errc::invalid_argument, std::move(grace).error().message);
    filters.grace = *grace;
    filters.grace_text = opt.grace;
  }
  return filters;
}

int run_all(const RmOptions &opt) {
  auto filters = parse_filters(opt);
  if (!filters) {
    if (filters.error().code == Errc::invalid_argument)
      return usage_error(k_sub, filters.error().message);
    return report(filters.error());
  }
  const bool terminal = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
  if (!opt.dry_run && !opt.yes && !terminal)
    return usage_error(k_sub, "--all needs --yes when standard input is not a terminal "
                              "(nothing removed)");

  Context context;
  bool failed = false;
  std::vector<SegmentInfo> targets = select(context, *filters, opt.dry_run, failed);
  if (std::erase_if(targets, [&](const SegmentInfo &info) {
        return !may_remove(context, info, opt.force);
      }) > 0)
    failed = true;
  if (targets.empty())
    return failed ? k_exit_failure : k_exit_ok;
  if (!opt.dry_run && !opt.yes && !confirm(targets)) {
    print_error("not confirmed: nothing removed");
    return k_exit_failure;
  }
  for (const SegmentInfo &info : targets)
    if (!remove_one(context, info, opt))
      failed = true;
  return failed ? k_exit_failure : k_exit_ok;
}

int run_named(const RmOptions &opt) {
  // Every address is checked before anything is removed.
  std::vector<Result<SegmentRef>> refs;
  for (const std::string &text : opt.segments) {
    auto ref = parse_address(text);
    if (!ref &&
        (ref.error().code == Errc::invalid_argument || ref.error().code == Errc::out_of_range))
      return usage_error(k_sub, ref.error().message);
    refs.push_back(std::move(ref));
  }
  Context context;
  bool failed = false;
  for (const auto &ref : refs) {
    if (!ref) { // ftok: of a path that cannot be read
      print_error(ref.error().message);
      failed = true;
      continue;
    }
    auto info = context.backend(ref->kind).stat(*ref);
    if (!info) {
      print_error(info.error().message);
      failed = true;
      continue;
    }
    if (!may_remove(context, *info, opt.force) || !remove_one(context, *info, opt))
      failed = true;
  }
  return failed ? k_exit_failure : k_exit_ok;
}

int run(const RmOptions &opt) {
  if (opt.all && !opt.segments.empty())
    return usage_error(k_sub, "--all cannot be combined with segment names");
  if (!opt.all) {
    if (opt.segments.empty())
      return usage_error(k_sub, "no segment given (name one or more, or use --all)");
    for (const CLI::Option *filter :
         {opt.type_option, opt.owner_option, opt.match_option, opt.older_option})
      if (given(filter))
        return usage_error(k_sub, fmt::format("{} needs --all", filter->get_name()));
    if (opt.orphaned)
      return usage_error(k_sub, "--orphaned needs --all");
    if (opt.any_owner)
      return usage_error(k_sub, "--any-owner needs --all");
  }
  if (given(opt.grace_option) && !opt.orphaned)
    return usage_error(k_sub, "--grace needs --orphaned");
  if (opt.any_owner && given(opt.owner_option))
    return usage_error(k_sub, "--any-owner cannot be combined with --owner");
  return opt.all ? run_all(opt) : run_named(opt);
}

} // namespace

Runner register_rm(CLI::App &sub, OptionGate &gate) {
  auto opt = std::make_shared<RmOptions>();
  sub.add_option("SEGMENT", opt->segments, "Segments to remove (any address form)")->type_name("");
  if (gate.want("-a,--all"))
    sub.add_flag("-a,--all", opt->all, "Remove every segment that matches the filters below");
  if (gate.want("-t,--type")) {
    opt->type_option = sub.add_option("-t,--type", opt->type,
                                      "With --all: only these kinds, comma-separated: sysv, posix "
                                      "(default: both)")
                           ->type_name("TYPES");
  }
  if (gate.want("-u,--owner")) {
    opt->owner_option = sub.add_option("-u,--owner", opt->owner,
                                       "With --all: only segments owned by this user (name or "
                                       "uid; default for a user other than root: that user)")
                            ->type_name("USER");
  }
  if (gate.want("--any-owner")) {
    sub.add_flag("--any-owner", opt->any_owner,
                 "With --all: segments of every owner (the default for root only)");
  }
  if (gate.want("--match")) {
    opt->match_option = sub.add_option("--match", opt->match,
                                       "With --all: only POSIX names (without the leading /) or "
                                       "SysV keys (as 0x%08x) that match this glob")
                            ->type_name("GLOB");
  }
  if (gate.want("--older-than")) {
    opt->older_option = sub.add_option("--older-than", opt->older_than,
                                       "With --all: only segments whose ctime is at least this "
                                       "long ago (500ms, 30s, 5m, 2h)")
                            ->type_name("DURATION");
  }
  if (gate.want("--orphaned")) {
    sub.add_flag("--orphaned", opt->orphaned,
                 "With --all: only segments nobody uses (SysV: not attached and the creator is "
                 "gone; POSIX: neither mapped nor open) and idle for the --grace period");
  }
  if (gate.want("--grace")) {
    opt->grace_option = sub.add_option("--grace", opt->grace,
                                       "With --orphaned: how long a segment must have been idle "
                                       "(default 1h; 0s: no wait)")
                            ->type_name("DURATION");
  }
  if (gate.want("-n,--dry-run"))
    sub.add_flag("-n,--dry-run", opt->dry_run, "Print what would be removed; remove nothing");
  if (gate.want("-y,--yes")) {
    sub.add_flag("-y,--yes", opt->yes,
                 "Do not ask for confirmation (--all needs it without a terminal)");
  }
  if (gate.want("-f,--force")) {
    sub.add_flag("-f,--force", opt->force,
                 "Also remove segments in use (attached, mapped or open) and, when named, POSIX "
                 "semaphores and non-regular /dev/shm entries");
  }
  if (gate.want("-v,--verbose"))
    sub.add_flag("-v,--verbose", opt->verbose, "Print 'removed SEGMENT' for each removal");
  set_footer(sub, k_sub);
  return [opt] { return run(*opt); };
}

const Command &rm_command() {
  static const Command command{"rm", "Remove segments", {}, nullptr, register_rm};
  return command;
}

} // namespace shmkit::cli
