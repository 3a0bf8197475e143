// shmkit rm: the segments --all selects, and the checks and the removal of one segment.
#include "rm_select.hpp"

#include "output.hpp"

#include "shmkit/address.hpp"

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

// Keeps the orphaned rows of one kind. Fails when the users of the kind cannot be found.
Result<void> keep_orphaned(RmContext &context, Kind kind, const RmFilters &filters, bool explain,
                           std::int64_t now, std::vector<SegmentInfo> &rows) {
  auto users = context.users_for(kind);
  if (!users)
    return make_error(users.error().code,
                      fmt::format("cannot tell which {} objects are orphaned: {}", kind_name(kind),
                                  users.error().message));
  std::erase_if(rows, [&](const SegmentInfo &info) {
    Orphan status = orphan_status(info, **users, filters.grace, now, context.self());
    if (status == Orphan::recent && explain) {
      auto last = last_activity(info);
      print_warning(last
                        ? fmt::format("not orphaned: {} was last active {} ago, within the grace "
                                      "period of {} (--grace)",
                                      shown(info), age_text(now / 1000 - *last), filters.grace_text)
                        : fmt::format("not orphaned: the last activity of {} is unknown (--grace)",
                                      shown(info)));
    }
    return status != Orphan::orphaned;
  });
  return {};
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

Result<const std::vector<SegmentUser> *> RmContext::users() {
  if (!m_users) {
    auto scanned = scan_users(m_paths, true);
    if (!scanned)
      return std::move(scanned).error();
    m_users = std::move(*scanned);
  }
  return &*m_users;
}

Result<const std::vector<SegmentUser> *> RmContext::users_for(Kind kind) {
  static const std::vector<SegmentUser> k_none;
  if (traits_of(kind).kernel_counts_attaches)
    return &k_none;
  return users();
}

Result<Usage> RmContext::usage(const SegmentInfo &info) {
  auto users = users_for(info.kind);
  if (!users)
    return std::move(users).error();
  return usage_of(info, **users, self());
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

std::vector<SegmentInfo> select_targets(RmContext &context, const RmFilters &filters,
                                        std::optional<uid_t> owner, bool explain, bool &failed) {
  const std::int64_t now = now_ms();
  std::vector<SegmentInfo> chosen;
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
    if (filters.orphaned) {
      if (auto kept = keep_orphaned(context, traits.kind, filters, explain, now, rows); !kept) {
        print_error(kept.error().message);
        failed = true;
        continue;
      }
    }
    std::move(rows.begin(), rows.end(), std::back_inserter(chosen));
  }
  return chosen;
}

bool may_remove(RmContext &context, const SegmentInfo &info, bool force) {
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

bool remove_one(RmContext &context, const SegmentInfo &info, const RmPlan &plan) {
  Stdout &out = Stdout::get();
  if (plan.dry_run) {
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
  if (plan.verbose) {
    out.write("removed ");
    out.write(shown(info));
    out.put('\n');
  }
  return true;
}

} // namespace shmkit::cli
