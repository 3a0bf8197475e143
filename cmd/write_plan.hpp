// What `shmkit write` does, decided from the command line alone (write.cpp runs it,
// write_values.cpp plans it, write_atomic.cpp plans and runs --cas/--add/--or/--and/--xor;
// unit tests).
#pragma once

#include "command.hpp"
#include "options.hpp"
#include "segment_options.hpp"

#include "shmkit/atomic_ops.hpp"
#include "shmkit/error.hpp"
#include "shmkit/layout.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shmkit::cli {

/// Where the bytes come from: standard input unless a source option is given.
enum class WriteSource { standard_input, data, hex, file, typed, fill, zero };

/// One atomic read-modify-write of the aligned --type value at --offset (shmkit-write(1),
/// ATOMIC OPERATIONS).
struct WriteUpdate {
  AtomicOp op = AtomicOp::add;
  std::uint64_t operand = 0;  ///< the bits of --cas's NEW, --add's N, the --or/--and/--xor mask
  std::uint64_t expected = 0; ///< the bits of --cas EXPECTED
  /// --layout --field: the field (its offset and type are already in the plan's segment
  /// options); the previous value prints as read --layout prints the field.
  std::optional<LayoutField> field;
};

/// One --set FIELD=VALUE of --layout, encoded.
struct FieldAssignment {
  std::string path;          ///< the field, for messages
  std::uint64_t offset = 0;  ///< in the record
  std::vector<std::byte> bytes;
};

struct WritePlan {
  /// The segment, --offset, --length (--fill/--zero only), --type and --endian.
  SegmentOptions segment;
  WriteSource source = WriteSource::standard_input;
  /// The bytes of --data, --hex and --type VALUE..., encoded.
  std::vector<std::byte> bytes;
  std::string file;  ///< --file
  std::byte fill{0}; ///< --fill
  bool grow = false;
  bool atomic = false;
  bool verbose = false;
  /// --cas, --add, --or, --and or --xor (source is typed, `bytes` empty).
  std::optional<WriteUpdate> update;
  /// --layout with --set: the layout (its bounds are checked against the segment) and the
  /// assignments, in command-line order; empty without --set.
  std::optional<Layout> layout;
  std::vector<FieldAssignment> assignments;
};

/// Validates write's command line (after check_rules: at most one source, --fill with
/// --length, --endian and --atomic with --type). Fails with invalid_argument or out_of_range:
/// a usage error.
Result<WritePlan> plan_write(const Args &args);

/// Whether the command line asks for an atomic update (--cas, --add, --or, --and, --xor).
bool wants_update(const Args &args);

/// Plans the update the command line asks for into plan.update (plan.segment parsed; the table
/// made sure of --type and of one operation): the operand fits the type, the offset is aligned
/// to its width, --add and the bit operations have an integer type, --add a native --endian,
/// --cas exactly one NEW value. Fails with invalid_argument or out_of_range: a usage error.
Result<void> plan_write_update(const Args &args, WritePlan &plan);

/// Plans --layout: with --set, every FIELD=VALUE encoded (unknown fields, values that do not
/// fit and fields set twice are usage errors); with --field NAME, the field's offset and type
/// go into plan.segment for plan_write_update. Fails with invalid_argument or out_of_range.
Result<void> plan_write_layout(const Args &args, WritePlan &plan);

/// Runs plan.assignments: checks that the layout fits the segment at --offset, then writes
/// each field (nothing is written when it does not fit).
Result<Outcome> run_write_layout(const WritePlan &plan);

/// Runs plan.update: one atomic operation through Handle::atomic_update. Prints the previous
/// value (for a --cas, only the value found when it differed: Outcome::failed, status 1).
Result<Outcome> run_write_update(const WritePlan &plan);

} // namespace shmkit::cli
