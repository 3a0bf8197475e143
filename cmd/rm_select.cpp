// shmkit rm: the segments --all selects, and the checks and the removal of one segment.
#include "rm_select.hpp"

#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/unlinked.hpp"

#include <fmt/format.h>

#include <fnmatch.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

namespace shmkit::cli {

namespace {

std::string shown(const SegmentInfo &info) { return escape_bytes(info.segment); }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The first --keep glob that matches the canonical address or the --match text (a POSIX name
// without its leading '/', a SysV key as 0x%08x); nullptr when none does.
const std::string *kept_by(const SegmentInfo &info, const RmFilters &filters) {
  for (const std::string &glob : filters.keep)
    if (::fnmatch(glob.c_str(), info.segment.c_str(), 0) == 0 ||
        ::fnmatch(glob.c_str(), match_text(info).c_str(), 0) == 0)
      return &glob;
  return nullptr;
}

bool matches(const SegmentInfo &info, const RmFilters &filters, std::optional<uid_t> owner,
             std::int64_t now) {
  if (owner && info.uid != *owner)
    return false;
  if (filters.match && ::fnmatch(filters.match->c_str(), match_text(info).c_str(), 0) != 0)
    return false;
  if (filters.older_than) {
    if (!info.ctime)
      return false;
    // ctime has one-second resolution: count it as the end of its second, so a segment is
    // never taken for older than it can be.
    std::int64_t youngest_ms = (static_cast<std::int64_t>(*info.ctime) + 1) * 1000;
    if (now - youngest_ms < filters.older_than->count())
      return false;
  }
  return true;
}

// Why --orphaned leaves `info` alone, on stderr (--dry-run). A segment kept only because of
// the grace period says how long ago it was active.
void explain_kept(const SegmentInfo &info, const Classification &c, const RmFilters &filters,
                  std::int64_t now) {
  const bool grace_only = c.state == State::idle && !c.reasons.has(Reason::creator_alive);
  auto last = last_activity(info);
  if (grace_only && last)
    print_warning(fmt::format("not orphaned: {} was last active {} ago, within the grace period "
                              "of {} (--grace)",
                              shown(info), age_text(now / 1000 - *last), filters.grace_text));
  else if (grace_only)
    print_warning(
        fmt::format("not orphaned: the last activity of {} is unknown (--grace)", shown(info)));
  else
    print_warning(fmt::format("not orphaned: {} is {} ({})", shown(info), state_name(c.state),
                              c.reasons.text()));
}

// Keeps the orphaned rows of one kind, with their classification; counts the unknown ones in
// `unknown`. Fails when the users of the kind cannot be found.
Result<std::vector<RmTarget>> keep_orphaned(RmContext &context, Kind kind, const RmFilters &filters,
                                            bool explain, std::int64_t now,
                                            std::vector<SegmentInfo> &rows, std::size_t &unknown) {
  std::vector<RmTarget> kept;
  for (SegmentInfo &info : rows) {
    auto c = context.classify(info, filters.grace, now);
    if (!c)
      return make_error(c.error().code, fmt::format("cannot tell which {} objects are orphaned: {}",
                                                    kind_name(kind), c.error().message));
    // Only `orphaned`: never `unknown`, where a process we cannot see may still use it.
    unknown += c->state == State::unknown ? 1 : 0;
    if (c->state == State::orphaned)
      kept.push_back({std::move(info), *c});
    else if (explain)
      explain_kept(info, *c, filters, now);
  }
  return kept;
}

// "1 attach" where the kernel counts attaches; "2 mapping, 1 holding it open" for the others:
// the first number is what `ls` shows as NATTCH (issue 8 defect 20).
std::string usage_text(const Usage &usage) {
  if (usage.attaches > 0)
    return fmt::format("{} attach{}", usage.attaches, usage.attaches == 1 ? "" : "es");
  return fmt::format("{} mapping, {} holding it open", usage.mapping, usage.holding);
}

} // namespace

pid_t RmContext::self() {
  if (m_self == 0)
    m_self = proc_self_pid(m_paths);
  return m_self;
}

Result<const UserScan *> RmContext::scan() {
  if (!m_scan) {
    auto scanned = scan_holders(m_paths, true);
    if (!scanned)
      return std::move(scanned).error();
    m_scan = std::move(*scanned);
  }
  return &*m_scan;
}

Result<const UserScan *> RmContext::scan_for(Kind kind) {
  static const UserScan k_none;
  if (traits_of(kind).kernel_counts_attaches)
    return &k_none;
  return scan();
}

Result<Usage> RmContext::usage(const SegmentInfo &info) {
  auto scanned = scan_for(info.kind);
  if (!scanned)
    return std::move(scanned).error();
  return usage_of(info, (*scanned)->users, self());
}

Result<Classification> RmContext::classify(const SegmentInfo &info, std::chrono::milliseconds grace,
                                           std::int64_t now_ms) {
  auto scanned = scan_for(info.kind);
  if (!scanned)
    return std::move(scanned).error();
  ClassifyOptions options;
  options.grace = grace;
  options.now_ms = now_ms;
  options.self = self();
  return shmkit::classify(info, **scanned, options, m_creators);
}

std::string target_text(const RmTarget &target) {
  if (!target.state)
    return shown(target.info);
  return fmt::format("{} {} {}", shown(target.info), state_name(target.state->state),
                     target.state->reasons.text());
}

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

std::vector<RmTarget> select_targets(RmContext &context, const RmFilters &filters,
                                     std::optional<uid_t> owner, bool explain, bool &failed) {
  const std::int64_t now = now_ms();
  std::vector<RmTarget> chosen;
  std::size_t unknown = 0;
  for (const KindTraits &traits : kind_traits()) {
    if (std::find(filters.kinds.begin(), filters.kinds.end(), traits.kind) == filters.kinds.end())
      continue;
    auto listed = context.backend(traits.kind).list();
    if (!listed) {
      print_error(listed.error().message);
      failed = true;
      continue;
    }
    std::vector<SegmentInfo> rows;
    for (SegmentInfo &info : *listed) {
      // Semaphores and planted non-files are never bulk-removed; segments already marked for
      // removal (dest) are gone as soon as their last user detaches.
      if (info.oddity != Oddity::none || info.dest || !matches(info, filters, owner, now))
        continue;
      rows.push_back(std::move(info));
    }
    std::sort(rows.begin(), rows.end(), [](const SegmentInfo &a, const SegmentInfo &b) {
      return a.id != b.id ? a.id < b.id : a.name < b.name;
    });
    std::erase_if(rows, [&](const SegmentInfo &info) {
      const std::string *glob = kept_by(info, filters);
      if (glob != nullptr && explain)
        print_warning(fmt::format("not removing {}: it matches --keep '{}'", shown(info),
                                  escape_bytes(*glob)));
      return glob != nullptr;
    });
    if (!filters.orphaned) {
      for (SegmentInfo &info : rows)
        chosen.push_back({std::move(info), std::nullopt});
      continue;
    }
    auto kept = keep_orphaned(context, traits.kind, filters, explain, now, rows, unknown);
    if (!kept) {
      print_error(kept.error().message);
      failed = true;
      continue;
    }
    std::move(kept->begin(), kept->end(), std::back_inserter(chosen));
  }
  // A real run says once that it left segments alone it could not judge; --dry-run named them.
  if (unknown > 0 && !explain)
    print_warning(fmt::format("not removing {} segment{} whose STATE is unknown: some processes "
                              "could not be read (--dry-run names them)",
                              unknown, unknown == 1 ? "" : "s"));
  return chosen;
}

bool may_remove(RmContext &context, const SegmentInfo &info, bool force) {
  // A holder's /proc link names no entry to remove, forced or not.
  if (auto removable = check_not_holder_link(info); !removable) {
    print_error(removable.error().message);
    return false;
  }
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

bool remove_one(RmContext &context, const RmTarget &target, const RmPlan &plan) {
  const SegmentInfo &info = target.info;
  Stdout &out = Stdout::get();
  if (plan.dry_run) {
    // Every check the removal would make: still the same segment, and ours to remove
    // (issue 8 defect 7).
    if (auto allowed = check_removal(context.backend(info.kind), info, context.paths()); !allowed) {
      print_error(allowed.error().message);
      return false;
    }
    out.write(target_text(target));
    out.put('\n');
    return true;
  }
  // Backend::remove re-checks identity right before acting: SysV key, cpid and ctime; POSIX
  // and files by renaming to a private name, checking dev and inode, then unlinking.
  if (auto removed = context.backend(info.kind).remove(info); !removed) {
    print_error(removed.error().message);
    return false;
  }
  if (plan.verbose) {
    out.write("removed ");
    out.write(shown(info));
    out.put('\n');
  }
  return true;
}

} // namespace shmkit::cli
