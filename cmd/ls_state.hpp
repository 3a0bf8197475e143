// The STATE and REASON columns of `shmkit ls` (shmkit-ls(1)): lib's classify() over the row,
// with the /proc scan of the RowContext where the kernel does not count the attaches itself.
#pragma once

#include "shmkit/housekeeping.hpp"

#include <memory>

namespace shmkit::cli {

struct Cell;
struct RowContext;

/// What the STATE and REASON cells keep between rows: the creator check (its btime and the
/// pid namespace test are read once) and our own pid. Made on the first STATE or REASON cell.
struct StateCache {
  explicit StateCache(const Paths &paths);
  CreatorCheck creators;
  pid_t self = 0;
};

/// The classification of one row, with RowContext::grace and RowContext::now_ms (taken on the
/// first call when 0). Calls ctx.scan() only for kinds whose attaches the kernel does not count.
Classification classify_row(const SegmentInfo &s, RowContext &ctx);

/// STATE: in-use, idle, orphaned, unknown, dest; absent for non-regular /dev/shm entries.
Cell state_cell(const SegmentInfo &s, RowContext &ctx);
/// REASON: the comma-separated reason words (a JSON array).
Cell reason_cell(const SegmentInfo &s, RowContext &ctx);

} // namespace shmkit::cli
