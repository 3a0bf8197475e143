// What `shmkit read` does, decided from the command line alone (read.cpp; unit tests).
#pragma once

#include "options.hpp"
#include "segment_options.hpp"

#include "shmkit/error.hpp"
#include "shmkit/hexfmt.hpp"

#include <optional>

namespace shmkit::cli {

enum class ReadFormat { raw, hexdump, xxd, hex, string, typed };

struct ReadPlan {
  SegmentOptions segment;
  /// nullopt: hexdump when stdout is a terminal, raw otherwise (decided when run).
  std::optional<ReadFormat> format;
  Squeeze squeeze = Squeeze::yes;
};

/// Validates read's command line (after check_rules). Fails with invalid_argument or
/// out_of_range: a usage error.
Result<ReadPlan> plan_read(const Args &args);

} // namespace shmkit::cli
