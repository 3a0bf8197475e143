// The options read, write and watch share: the segment, --offset, --length, --type, --count and
// --endian. One parser for all three, with one set of messages; each subcommand keeps its own
// table rows (help texts differ) and its own rules between them (needs/excludes).
#pragma once

#include "options.hpp"

#include "shmkit/address.hpp"
#include "shmkit/error.hpp"
#include "shmkit/typed.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace shmkit::cli {

/// The name of the segment positional in the tables of read, write and watch.
inline constexpr std::string_view k_segment_arg = "segment";

/// What the shared options say, parsed from the command line alone.
struct SegmentOptions {
  SegmentRef ref;
  std::uint64_t offset = 0;            ///< --offset (default 0)
  std::optional<std::uint64_t> length; ///< --length: positive
  std::optional<ValueType> type;       ///< --type
  std::optional<std::uint64_t> count;  ///< --count: positive; with --type, count x width fits
  Endian endian = Endian::native;      ///< --endian

  /// The bytes of --count values of --type (one value without --count); nullopt without --type.
  std::optional<std::uint64_t> typed_length() const;
};

/// Parses the `segment` positional and those of --offset, --length, --type, --count and --endian
/// that were given (a row a table lacks counts as not given). Pure: no system call. Fails with
/// parse_address's, parse_byte_count's, parse_value_type's, parse_endian's and parse_uint's
/// errors, and with:
///   "invalid length 'TEXT': must be positive", "invalid count 'TEXT': must be positive",
///   "invalid count 'TEXT': too large" (--count values of --type exceed 2^64-1 bytes).
Result<SegmentOptions> parse_segment_options(const Args &args);

} // namespace shmkit::cli
