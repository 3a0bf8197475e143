// What `shmkit write` does, decided from the command line alone (write.cpp runs it,
// write_values.cpp plans it; unit tests).
#pragma once

#include "options.hpp"
#include "segment_options.hpp"

#include "shmkit/error.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace shmkit::cli {

/// Where the bytes come from: standard input unless a source option is given.
enum class WriteSource { standard_input, data, hex, file, typed, fill, zero };

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
};

/// Validates write's command line (after check_rules: at most one source, --fill with
/// --length, --endian and --atomic with --type). Fails with invalid_argument or out_of_range:
/// a usage error.
Result<WritePlan> plan_write(const Args &args);

} // namespace shmkit::cli
