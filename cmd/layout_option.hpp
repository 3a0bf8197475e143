// --layout DECLS|@FILE and --struct NAME: the C struct layout that read, write and watch share
// (shmkit-read(1) LAYOUTS). Parsed before anything is opened, so a bad layout is a usage error.
#pragma once

#include "options.hpp"
#include "segment_options.hpp"

#include "shmkit/error.hpp"
#include "shmkit/layout.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace shmkit::cli {

/// The largest layout file accepted: a header is a few KiB; a 1 MB "header" is a mistake.
inline constexpr std::size_t k_layout_file_max = std::size_t{256} << 10;

/// The layout of --layout (inline declarations, or @FILE: a regular file of at most
/// k_layout_file_max bytes; a FIFO, a directory or a device is refused without being read)
/// and --struct; nullopt without --layout. Fails with invalid_argument or out_of_range (a
/// usage error): parse_layout's errors, prefixed with the file name for @FILE, and "cannot
/// read layout file F: ...", "layout file F is not a regular file", "layout file F is larger
/// than 256 KiB".
Result<std::optional<Layout>> parse_layout_option(const Args &args);

/// The records of --layout: --count of them (1 without it) from --offset. Sets seg.length to
/// their bytes and returns their number. Fails with out_of_range "invalid count 'N': too large"
/// (a usage error).
Result<std::uint64_t> plan_layout_records(const Layout &layout, SegmentOptions &seg,
                                          const Args &args);

/// Checks that `records` records of `layout` from `offset` fit in a segment of `size` bytes
/// (`shown` names it). Fails with out_of_range, naming the first field that does not fit:
/// "field 'ring.tail' of the layout (record 2) ends at offset 72, past the end of posix:/x
/// (64 bytes)", or the tail padding: "the layout ends at offset 72, past the end of ...".
Result<void> check_layout_fits(const Layout &layout, std::uint64_t records, std::uint64_t offset,
                               std::uint64_t size, std::string_view shown);

} // namespace shmkit::cli
