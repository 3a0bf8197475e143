// The work of `shmkit ls` (without --limits): list or stat the segments, filter them (--pid by
// the /proc scan of RowContext::scan()), and print the rows. visit_listing() is the listing
// alone, for the reports that print something else (--detail, --summary, ...).
#pragma once

#include "command.hpp"
#include "ls_rows.hpp"
#include "output.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/segment.hpp"

#include <functional>
#include <string>
#include <vector>

namespace shmkit::cli {

/// What ls lists and how, as planned from the command line.
struct ListRequest {
  RowFormat format;
  std::vector<SegmentRef> refs; ///< named segments; empty: every kind listed by default
  std::vector<Kind> kinds;      ///< --type; every kind when empty
  std::string owner;            ///< --owner as typed (name or uid); empty: anyone's
  bool all = false;             ///< --all: also odd /dev/shm entries
  ColorMode color = ColorMode::auto_detect;
  /// --grace: copied into RowContext::grace for the STATE and REASON columns.
  std::chrono::milliseconds grace = k_default_grace;
  /// --pid: only the segments these processes map or hold, of every kind (files they map).
  std::vector<pid_t> pids;
};

/// Lists what `request` selects (kinds, owner, refs, --all, --pid), printing listing warnings
/// and errors as run_listing does; calls `visit` for each shown segment, as it is read (the
/// /proc scan happens on the first cell that needs it). Returns false if a listing, a named
/// segment or a --pid process failed; fails with invalid_argument for an unknown --owner.
Result<bool> visit_listing(const ListRequest &request, RowContext &ctx,
                           const std::function<void(const SegmentInfo &)> &visit);

/// ls --all-namespaces: one namespace's part of the listing, through ctx.where(): the kinds of
/// `scope` listed by default that `request` wants (kinds, owner, --all). Listing warnings are
/// printed; a listing error is returned, not printed. Fails with invalid_argument for an unknown
/// --owner.
Result<void> visit_scope(const ListRequest &request, RowContext &ctx, Scope scope,
                         const std::function<void(const SegmentInfo &)> &visit);

/// Lists and prints. A listing or a named segment that fails is reported at once and makes the
/// outcome `failed`; an unknown --owner fails with invalid_argument (it needs getpwnam).
Result<Outcome> run_listing(const ListRequest &request);

} // namespace shmkit::cli
