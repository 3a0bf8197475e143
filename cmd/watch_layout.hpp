// watch --layout: the changes of a poll by field name, and --until FIELD OP VALUE
// (shmkit-watch(1) LAYOUTS). The watched region is --count records (one by default) of the
// layout, from --offset; the Watcher diffs it byte-wise and this maps the changed bytes to the
// leaf fields they fall in, each reported once per poll with its whole old and new value.
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/layout.hpp"
#include "shmkit/watcher.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit::cli {

enum class CompareOp { eq, ne, lt, gt, le, ge };

/// --until FIELD OP VALUE: FIELD is a leaf's path, or "[I].PATH" for record I of --count
/// records (without "[I]." any record may reach it).
struct FieldUntil {
  std::optional<std::uint64_t> record;
  std::size_t field = 0; ///< index in Layout::fields
  CompareOp op = CompareOp::eq;
  FieldValue value;
};

/// Parses --until against `layout` and `records` records. Fails with invalid_argument (a usage
/// error): "--until 'TEXT' needs FIELD=VALUE (or !=, <, >, <=, >=)", "unknown field 'x' in
/// --until", "record 3 is past --count 2 in --until", and the field's value errors.
Result<FieldUntil> parse_field_until(std::string_view text, const Layout &layout,
                                     std::uint64_t records);

/// One leaf of one record whose bytes changed.
struct FieldChange {
  std::uint64_t record = 0;
  const LayoutField *field = nullptr;
};

/// Follows the watched records from poll to poll.
class FieldTracker {
public:
  /// `records` records of `layout` starting at absolute offset `base`.
  FieldTracker(const Layout &layout, std::uint64_t records, std::uint64_t base);

  /// Remembers the region as first read.
  void start(std::span<const std::byte> snapshot);
  /// The leaves that `set` touches, in offset order (union members each), once each; then
  /// old_record()/new_record() give their values until commit().
  const std::vector<FieldChange> &changed(const ChangeSet &set);
  std::span<const std::byte> old_record(std::uint64_t record) const;
  std::span<const std::byte> new_record(std::uint64_t record) const;
  /// Takes the region of the last poll as the base of the next.
  void commit();
  /// True when some record (or the one named) satisfies `until` in the last region seen.
  bool reached(const FieldUntil &until, Endian endian) const;
  /// True when `change` is the field `until` names and its new value satisfies it.
  bool reached(const FieldUntil &until, const FieldChange &change, Endian endian) const;
  /// "ring.head", or "[2].ring.head" when more than one record is watched.
  std::string path(const FieldChange &change) const;
  /// The absolute offset of a change's field.
  std::uint64_t offset(const FieldChange &change) const;

private:
  bool satisfies(const FieldUntil &until, std::uint64_t record, Endian endian) const;

  const Layout &m_layout;
  std::uint64_t m_records;
  std::uint64_t m_base;
  std::vector<std::size_t> m_by_offset; ///< leaf indexes sorted by offset
  std::uint64_t m_widest = 0;           ///< the largest leaf size
  std::vector<std::byte> m_old;
  std::vector<std::byte> m_new;
  std::vector<FieldChange> m_changed;
};

} // namespace shmkit::cli
