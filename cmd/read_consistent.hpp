// Consistent reads of a region under active writes (shmkit-read(1) CONSISTENT READS):
// --stable (two consecutive reads agree), --seqlock FIELD (the seqlock protocol) and
// --atomic (one atomic load per value).
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/layout.hpp"
#include "shmkit/typed.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace shmkit::cli {

/// Reads before giving up: --stable compares consecutive whole reads, --seqlock retries each
/// record (a try whose counter is odd counts too). Documented in shmkit-read(1).
inline constexpr int k_stable_reads = 100;
inline constexpr int k_seqlock_tries = 100000;
/// The largest region --stable and --seqlock hold in memory (twice, for --stable).
inline constexpr std::uint64_t k_consistent_max = std::uint64_t{256} << 20;

/// Fills `out` from `offset`. Fails with the read's errors, or changed when the segment
/// shrank meanwhile.
Result<void> read_exactly(Handle &handle, std::uint64_t offset, std::span<std::byte> out);

/// The `length` bytes at `offset` as two consecutive reads saw them alike, reading at most
/// k_stable_reads times. Fails with changed: "... kept changing: N reads, no two in a row
/// alike"; with limit for a region over k_consistent_max.
Result<std::vector<std::byte>> read_stable(Handle &handle, std::uint64_t offset,
                                           std::uint64_t length);

/// `records` records of `layout` from `offset`, each read under the seqlock whose counter is
/// `counter` (an unsigned field, naturally aligned): an even value, the record, the same value
/// again. Fails with changed when a record's counter stayed odd or moved for k_seqlock_tries
/// tries, or as the mapping fails.
Result<std::vector<std::byte>> read_seqlock(Handle &handle, std::uint64_t offset,
                                            std::uint64_t records, const Layout &layout,
                                            const LayoutField &counter, Endian endian);

/// `count` values of `type` from `offset`, each with one atomic load (Handle::load_atomic),
/// as the bytes of the segment. Fails with load_atomic's errors.
Result<std::vector<std::byte>> read_atomic(Handle &handle, std::uint64_t offset,
                                           std::uint64_t count, ValueType type);

} // namespace shmkit::cli
