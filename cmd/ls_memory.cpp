#include "ls_memory.hpp"

#include "ls_columns.hpp"
#include "ls_rows.hpp"

#include <algorithm>

namespace shmkit::cli {

namespace {

const Residency &measured(const SegmentInfo &s, RowContext &ctx) {
  MeasuredRow &m = ctx.measured;
  if (!m.valid || m.ino != s.ino || m.segment != s.segment) {
    m.value = measure_residency(s, ctx.where());
    m.segment = s.segment;
    m.ino = s.ino;
    m.valid = true;
  }
  return m.value;
}

bool reads_memory(const Column *column) {
  return column != nullptr && (column->read == rss_cell || column->read == swap_cell);
}

} // namespace

Cell rss_cell(const SegmentInfo &s, RowContext &ctx) { return number_cell(measured(s, ctx).rss); }

Cell swap_cell(const SegmentInfo &s, RowContext &ctx) {
  return number_cell(measured(s, ctx).swap);
}

ListNeeds listing_needs(const RowFormat &format) {
  const auto &columns = format.columns;
  return {columns.empty() || std::any_of(columns.begin(), columns.end(), reads_memory) ||
          reads_memory(format.sort)};
}

} // namespace shmkit::cli
