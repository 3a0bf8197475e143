// Consistent reads (read_consistent.hpp). A plain read of a region that a writer is changing
// may mix old and new bytes (a torn read): these take the region only when it is seen whole.
#include "read_consistent.hpp"

#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/atomic_ops.hpp"
#include "shmkit/mapping.hpp"

#include <fmt/format.h>

#include <sched.h>

#include <bit>
#include <cstring>

namespace shmkit::cli {

namespace {

std::string shown(const Handle &handle) { return escape_bytes(handle.info().segment); }

// The counter's value as the program wrote it (only its parity and equality matter).
std::uint64_t in_order(std::uint64_t native, unsigned width, Endian endian) {
  const bool swap = (endian == Endian::big && std::endian::native == std::endian::little) ||
                    (endian == Endian::little && std::endian::native == std::endian::big);
  if (!swap || width == 1)
    return native;
  return __builtin_bswap64(native) >> (64 - 8 * width);
}

Error sigbus(const Handle &handle) {
  return make_error(
      Errc::changed,
      fmt::format("cannot read {}: SIGBUS (it was truncated meanwhile)", shown(handle)));
}

// One record under its seqlock, into `out`; false after k_seqlock_tries tries.
Result<bool> seqlock_record(const Handle &handle, const std::byte *record,
                            const LayoutField &counter, Endian endian, std::span<std::byte> out) {
  const auto width = static_cast<unsigned>(counter.size);
  const std::byte *word = record + counter.offset;
  for (int tries = 0; tries < k_seqlock_tries; ++tries) {
    if (tries % 64 == 63)
      ::sched_yield(); // let a writer on the same core finish its update
    std::uint64_t before = 0, after = 0;
    if (!guarded_load_word(word, width, before))
      return sigbus(handle);
    if ((in_order(before, width, endian) & 1) != 0)
      continue; // a write in progress
    if (!guarded_copy(out.data(), record, out.size()) || !guarded_load_word(word, width, after))
      return sigbus(handle);
    if (before == after)
      return true;
  }
  return false;
}

Error too_large(const Handle &handle, std::uint64_t length) {
  return make_error(Errc::limit, fmt::format("{}: {} bytes are more than a consistent read holds "
                                             "({} MiB); read a part with --offset and "
                                             "--length or --count",
                                             shown(handle), length, k_consistent_max >> 20));
}

} // namespace

Result<void> read_exactly(Handle &handle, std::uint64_t offset, std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    auto got = handle.read_at(offset + done, out.subspan(done));
    if (!got)
      return std::move(got).error();
    if (*got == 0)
      return make_error(Errc::changed, fmt::format("{} shrank while reading (ended at byte {})",
                                                   shown(handle), offset + done));
    done += *got;
  }
  return {};
}

Result<std::vector<std::byte>> read_stable(Handle &handle, std::uint64_t offset,
                                           std::uint64_t length) {
  if (length > k_consistent_max)
    return too_large(handle, length);
  std::vector<std::byte> last(static_cast<std::size_t>(length)), now(last.size());
  if (auto ok = read_exactly(handle, offset, last); !ok)
    return std::move(ok).error();
  for (int reads = 1; reads < k_stable_reads; ++reads) {
    if (auto ok = read_exactly(handle, offset, now); !ok)
      return std::move(ok).error();
    if (now == last)
      return now;
    last.swap(now);
  }
  return make_error(Errc::changed,
                    fmt::format("{}: bytes {}..{} kept changing: {} reads, no two in a row alike",
                                shown(handle), offset, offset + length - 1, k_stable_reads));
}

Result<std::vector<std::byte>> read_seqlock(Handle &handle, std::uint64_t offset,
                                            std::uint64_t records, const Layout &layout,
                                            const LayoutField &counter, Endian endian) {
  // Through a mapping: a read between two loads of the counter must be short, or a busy
  // writer moves the counter every time (pread of a POSIX object is a system call).
  auto mapping = handle.map(Access::read_only);
  if (!mapping)
    return std::move(mapping).error();
  const auto stride = static_cast<std::size_t>(layout.size);
  if (records * stride > k_consistent_max)
    return too_large(handle, records * stride);
  if (offset + records * stride > mapping->size())
    return make_error(Errc::changed, fmt::format("{} shrank before it was read", shown(handle)));
  std::vector<std::byte> out(static_cast<std::size_t>(records) * stride);
  for (std::size_t r = 0; r < records; ++r) {
    const std::byte *record = mapping->data() + offset + r * stride;
    auto done =
        seqlock_record(handle, record, counter, endian, std::span(out.data() + r * stride, stride));
    if (!done)
      return std::move(done).error();
    if (!*done)
      return make_error(
          Errc::changed,
          fmt::format("{}: record {} kept changing: its seqlock counter '{}' was odd or moved "
                      "in each of {} tries",
                      shown(handle), r, counter.path, k_seqlock_tries));
  }
  return out;
}

Result<std::vector<std::byte>> read_atomic(Handle &handle, std::uint64_t offset,
                                           std::uint64_t count, ValueType type) {
  const unsigned width = value_width(type);
  if (count * width > k_consistent_max)
    return too_large(handle, count * width);
  std::vector<std::byte> out(static_cast<std::size_t>(count) * width);
  for (std::size_t i = 0; i < count; ++i) {
    auto bits = handle.load_atomic(offset + i * width, width);
    if (!bits)
      return std::move(bits).error();
    // The value as its bytes lie in the segment (load_atomic returns them in native order).
    const std::uint64_t native = *bits;
    if constexpr (std::endian::native == std::endian::little)
      std::memcpy(out.data() + i * width, &native, width);
    else
      std::memcpy(out.data() + i * width,
                  reinterpret_cast<const std::byte *>(&native) + (8 - width), width);
  }
  return out;
}

} // namespace shmkit::cli
