// The opening steps read, write and watch share: a backend for the address's kind, the open,
// and the bounds check of a region against the segment's size, with the one wording of
// "past the end" (shmkit(1)).
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shmkit::cli {

/// An open segment, with what the messages about it need.
struct OpenSegment {
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Handle> handle;
  std::string shown;      ///< the canonical address, escaped for messages
  std::uint64_t size = 0; ///< the size when opened
};

/// Opens the segment `ref` names (never creates). Fails with the backend's errors.
Result<OpenSegment> open_segment(const SegmentRef &ref, Access access);

/// The past_end error for a region of segment `shown` (of `size` bytes):
///   "offset OFF is past the end of SEG (size N bytes)"            (no length)
///   "LEN bytes at offset OFF do not fit in SEG (size N bytes)"     (with a length)
Error past_end(std::string_view shown, std::uint64_t size, std::uint64_t offset,
               std::optional<std::uint64_t> length = std::nullopt);

/// The length of the region at `offset`: `length` when given, else to the end of the segment.
/// The offset must lie inside the segment and the region must end by `end_limit` (the size
/// unless given: write --grow passes the largest size a file may have). Fails with past_end.
Result<std::uint64_t> fit_region(const OpenSegment &segment, std::uint64_t offset,
                                 std::optional<std::uint64_t> length,
                                 std::optional<std::uint64_t> end_limit = std::nullopt);

} // namespace shmkit::cli
