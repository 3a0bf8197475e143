// The RSS and SWAP columns of `shmkit ls` (shmkit-ls(1)), for every kind: SysV from
// /proc/sysvipc/shm, POSIX and file objects measured by lib's measure_residency() (opened
// read-only, never attached); and what a listing must therefore fill in (ListNeeds).
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/residency.hpp"

#include <string>

namespace shmkit::cli {

struct Cell;
struct RowContext;
struct RowFormat;

/// The figures of the row measured last, so that RSS and SWAP of one row cost one
/// measurement (rows are read one at a time, cell after cell).
struct MeasuredRow {
  std::string segment;
  std::optional<ino_t> ino;
  Residency value;
  bool valid = false;
};

/// RSS: resident bytes; absent (JSON null, "-") where the kernel refuses to say.
Cell rss_cell(const SegmentInfo &s, RowContext &ctx);
/// SWAP: swapped-out bytes; absent where the kernel refuses to say or cannot tell.
Cell swap_cell(const SegmentInfo &s, RowContext &ctx);

/// What the listing behind `format` must fill in: RSS and SWAP only when a shown or sort
/// column reads them, or when there are no columns at all (the reports read any column).
ListNeeds listing_needs(const RowFormat &format);

} // namespace shmkit::cli
