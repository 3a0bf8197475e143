#include "open_segment.hpp"

#include "target.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

namespace shmkit::cli {

Result<OpenSegment> open_segment(const SegmentRef &ref, Access access) {
  OpenSegment segment;
  segment.backend = make_backend(ref.kind, system_paths());
  auto opened = segment.backend->open(ref, access);
  if (!opened)
    return std::move(opened).error();
  segment.handle = std::move(*opened);
  segment.shown = escape_bytes(segment.handle->info().segment);
  segment.size = segment.handle->size();
  return segment;
}

Error past_end(std::string_view shown, std::uint64_t size, std::uint64_t offset,
               std::optional<std::uint64_t> length) {
  if (!length)
    return make_error(Errc::past_end, fmt::format("offset {} is past the end of {} (size {} bytes)",
                                                  offset, shown, size));
  return make_error(Errc::past_end, fmt::format("{} bytes at offset {} do not fit in {} (size {} "
                                                "bytes)",
                                                *length, offset, shown, size));
}

Result<std::uint64_t> fit_region(const OpenSegment &segment, std::uint64_t offset,
                                 std::optional<std::uint64_t> length,
                                 std::optional<std::uint64_t> end_limit) {
  if (!end_limit && offset >= segment.size)
    return past_end(segment.shown, segment.size, offset);
  const std::uint64_t limit = end_limit.value_or(segment.size);
  const std::uint64_t room = offset < limit ? limit - offset : 0;
  if (!length)
    return room;
  if (*length > room)
    return past_end(segment.shown, segment.size, offset, length);
  return *length;
}

} // namespace shmkit::cli
