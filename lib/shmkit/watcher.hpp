// Watching a region of a live segment (`shmkit watch`): a snapshot of the region, compared with
// the segment at each poll, giving the changed ranges with their old and new bytes.
//
// Cost scales with the watched region only: nothing outside [offset, offset+length) is read,
// copied or compared. Nothing is copied while nothing changes: the segment is compared with
// the snapshot in place (through the mapping, turning SIGBUS into a `truncated` state), and
// only blocks that differ are copied and diffed.
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/mapping.hpp"
#include "shmkit/signals.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace shmkit {

/// One changed range: absolute offset in the segment and length in bytes.
struct Change {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::size_t pool_at = 0; ///< where its bytes start in ChangeSet's old/new pools
};

/// The changes one comparison found, each with its old and new bytes.
class ChangeSet {
public:
  const std::vector<Change> &changes() const noexcept { return m_changes; }
  bool empty() const noexcept { return m_changes.empty(); }
  std::size_t size() const noexcept { return m_changes.size(); }
  /// The bytes of the range before the change.
  std::span<const std::byte> old_bytes(const Change &c) const noexcept {
    return std::span(m_old).subspan(c.pool_at, static_cast<std::size_t>(c.length));
  }
  /// The bytes of the range after the change.
  std::span<const std::byte> new_bytes(const Change &c) const noexcept {
    return std::span(m_new).subspan(c.pool_at, static_cast<std::size_t>(c.length));
  }
  void clear() noexcept;

  /// Appends a changed range; with `merge`, a range that starts where the last one ends
  /// extends it instead (byte runs split only by block boundaries stay one change).
  void add(std::uint64_t offset, std::span<const std::byte> old_bytes,
           std::span<const std::byte> new_bytes, bool merge);

private:
  std::vector<Change> m_changes;
  std::vector<std::byte> m_old;
  std::vector<std::byte> m_new;
};

/// Compares two equally long views of the same bytes (`base` is the absolute offset of their
/// first byte) and appends what differs to `out`. element_width 0: each maximal run of
/// differing bytes is one change, and a run that continues the last change in `out` extends
/// it. element_width w (1, 2, 4 or 8): each w-byte element, counted from the first byte, with
/// any differing byte is one change of length w. Never fails.
void diff_region(std::span<const std::byte> old_bytes, std::span<const std::byte> new_bytes,
                 std::uint64_t base, unsigned element_width, ChangeSet &out);

/// How a Watcher reads the segment.
enum class CompareMethod {
  mapped, ///< compare through a read-only mapping (SysV attach, or mmap of a dense object)
  read,   ///< pread into a small buffer: POSIX objects and files whose region has holes,
          ///< which a mapping would allocate (tmpfs fills holes on every read fault)
};

/// What Watcher::poll() found.
enum class WatchState {
  alive,     ///< compared; changes() holds what changed since the last poll
  truncated, ///< the segment no longer covers the region (size() says how large it is)
  removed,   ///< SysV marked for removal or gone; POSIX/file name unlinked
  replaced,  ///< the name now refers to another object
  stopped,   ///< the Stopper became due first (a signal or the deadline, its reason() says);
             ///< the snapshot may be partly updated: do not poll again
};

/// Watches [offset, offset+length) of an open segment.
class Watcher {
public:
  /// Takes the handle, validates the region against the segment's size, maps it (or chooses
  /// CompareMethod::read, see there) and allocates the snapshot, without reading anything yet
  /// (take_snapshot() does). element_width is 0 or 1/2/4/8 (length must be a multiple of it).
  /// Fails with invalid_argument (empty region, bad width), out_of_range (region past the
  /// end), no_space (the snapshot does not fit in memory: more than the system's memory and
  /// swap, or the allocation failed; the message names its size), io.
  static Result<Watcher> open(std::unique_ptr<Handle> handle, std::uint64_t offset,
                              std::uint64_t length, unsigned element_width);

  /// Takes the first snapshot, block by block, asking `stop` (if any) between blocks so that
  /// a huge or slow region neither outlives a deadline nor ignores a signal. alive when
  /// complete; truncated, removed or replaced when the segment changed under the copy (a
  /// SIGBUS or a short read); stopped when `stop` became due. Fails with io.
  Result<WatchState> take_snapshot(Stopper *stop = nullptr);

  /// open() and take_snapshot() without a Stopper; a segment that changed while being read
  /// fails with changed.
  static Result<Watcher> start(std::unique_ptr<Handle> handle, std::uint64_t offset,
                               std::uint64_t length, unsigned element_width);

  /// Re-checks the segment (Handle::check) and compares the region with the snapshot, which
  /// then holds the new contents; changes() lists what differed. A SIGBUS while reading
  /// becomes WatchState::truncated when the segment shrank; otherwise an io error. Asks
  /// `stop` (if any) between blocks: stopped when it became due. Fails with no_space when
  /// the changes (old and new bytes) do not fit in memory.
  Result<WatchState> poll(Stopper *stop = nullptr);

  /// The changes found by the last poll() (empty unless it returned alive).
  const ChangeSet &changes() const noexcept { return m_changes; }
  /// The region's contents as of the last poll (or start).
  std::span<const std::byte> snapshot() const noexcept {
    return {m_snapshot.get(), static_cast<std::size_t>(m_length)};
  }
  std::uint64_t offset() const noexcept { return m_offset; }
  std::uint64_t length() const noexcept { return m_length; }
  /// The segment's size as of the last check.
  std::uint64_t size() const { return m_handle->size(); }
  CompareMethod method() const noexcept { return m_method; }
  const Handle &handle() const noexcept { return *m_handle; }

private:
  Watcher(std::unique_ptr<Handle> handle, std::uint64_t offset, std::uint64_t length,
          unsigned element_width);
  Result<WatchState> compare(Stopper *stop);
  // After a failed read: truncated when the segment shrank below the region, else `error`.
  Result<WatchState> after_fault(Error error);
  Error fault_error() const;

  std::unique_ptr<Handle> m_handle;
  Mapping m_mapping;
  std::uint64_t m_offset;
  std::uint64_t m_length;
  unsigned m_width;
  CompareMethod m_method = CompareMethod::mapped;
  std::unique_ptr<std::byte[]> m_snapshot;
  std::vector<std::byte> m_scratch;
  ChangeSet m_changes;
};

/// "300 GiB", "1.5 MiB", "512 bytes": a byte count for messages (one decimal when inexact).
std::string human_size(std::uint64_t bytes);

/// True when [offset, offset+length) of the file behind `fd` contains a hole (SEEK_HOLE), so
/// that reading it through a mapping would allocate pages. False when unknown.
bool region_has_holes(int fd, std::uint64_t offset, std::uint64_t length) noexcept;

} // namespace shmkit
