// What `shmkit read` does, decided from the command line alone (read.cpp; unit tests).
#pragma once

#include "options.hpp"
#include "segment_options.hpp"

#include "shmkit/error.hpp"
#include "shmkit/hexfmt.hpp"
#include "shmkit/layout.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace shmkit::cli {

enum class ReadFormat { raw, hexdump, xxd, hex, string, typed, layout };

/// How the bytes are taken from the segment (shmkit-read(1) CONSISTENT READS).
enum class ReadMode {
  plain,   ///< one pass; a region under active writes may mix old and new bytes
  stable,  ///< --stable: read until two consecutive reads agree
  seqlock, ///< --seqlock FIELD: even counter, data, same counter again
  atomic,  ///< --atomic: each --type value with one atomic load
};

struct ReadPlan {
  SegmentOptions segment;
  /// nullopt: hexdump when stdout is a terminal, raw otherwise (decided when run).
  std::optional<ReadFormat> format;
  Squeeze squeeze = Squeeze::yes;
  /// --layout (format layout): the struct, --count records of it from --offset.
  std::optional<Layout> layout;
  std::uint64_t records = 1;
  bool json = false; ///< --json: one JSON value (an array with --count)
  ReadMode mode = ReadMode::plain;
  std::size_t seqlock_field = 0; ///< ReadMode::seqlock: the index in layout->fields
};

/// Validates read's command line (after check_rules). Fails with invalid_argument or
/// out_of_range: a usage error.
Result<ReadPlan> plan_read(const Args &args);

/// The layout part of plan_read (read_layout.cpp): --layout, --struct, --count, --json,
/// --seqlock.
Result<void> plan_read_layout(const Args &args, ReadPlan &plan);

} // namespace shmkit::cli
