// What `shmkit watch` does, decided from the command line alone (watch.cpp; unit tests).
#pragma once

#include "options.hpp"
#include "segment_options.hpp"
#include "watch_events.hpp"
#include "watch_layout.hpp"

#include "shmkit/error.hpp"
#include "shmkit/typed.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace shmkit::cli {

struct WatchPlan {
  /// The segment and the region: with --type, segment.length is the bytes of --count values
  /// (one value by default) or a --length that holds whole values; without, --length or
  /// nullopt (to the end of the segment).
  SegmentOptions segment;
  std::string address; ///< the segment as typed (for the message when memory runs out)
  std::chrono::milliseconds interval{100};
  std::optional<EncodedValue> until;
  /// --layout (and --struct): the region is `records` records of it, from --offset.
  std::optional<Layout> layout;
  std::uint64_t records = 1;
  std::optional<FieldUntil> field_until; ///< --until FIELD OP VALUE with --layout
  std::optional<std::uint64_t> changes;
  std::optional<std::chrono::milliseconds> timeout;
  EventFormat format;
};

/// Validates watch's command line (after check_rules). Fails with invalid_argument or
/// out_of_range: a usage error.
Result<WatchPlan> plan_watch(const Args &args);

} // namespace shmkit::cli
