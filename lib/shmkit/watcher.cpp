#include "shmkit/watcher.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shmkit {

namespace {

// Blocks compared at once. Large enough that the per-block cost (two sigaction calls in the
// SIGBUS guard) vanishes next to the comparison, small enough that the copy of a changed
// block stays in the cache. A multiple of 8, so typed elements never straddle two blocks.
constexpr std::size_t k_block = std::size_t{256} << 10;

// Bytes skipped at once while looking for the next difference inside a block.
constexpr std::size_t k_stride = 64;

std::size_t first_difference(const std::byte *a, const std::byte *b, std::size_t from,
                             std::size_t n) {
  std::size_t i = from;
  while (i + k_stride <= n && std::memcmp(a + i, b + i, k_stride) == 0)
    i += k_stride;
  while (i < n && a[i] == b[i])
    ++i;
  return i;
}

std::size_t first_equal(const std::byte *a, const std::byte *b, std::size_t from, std::size_t n) {
  std::size_t i = from;
  while (i < n && a[i] != b[i])
    ++i;
  return i;
}

} // namespace

void ChangeSet::clear() noexcept {
  m_changes.clear();
  m_old.clear();
  m_new.clear();
}

void ChangeSet::add(std::uint64_t offset, std::span<const std::byte> old_bytes,
                    std::span<const std::byte> new_bytes, bool merge) {
  if (merge && !m_changes.empty()) {
    Change &last = m_changes.back();
    if (last.offset + last.length == offset) {
      last.length += old_bytes.size();
      m_old.insert(m_old.end(), old_bytes.begin(), old_bytes.end());
      m_new.insert(m_new.end(), new_bytes.begin(), new_bytes.end());
      return;
    }
  }
  m_changes.push_back(Change{offset, old_bytes.size(), m_old.size()});
  m_old.insert(m_old.end(), old_bytes.begin(), old_bytes.end());
  m_new.insert(m_new.end(), new_bytes.begin(), new_bytes.end());
}

void diff_region(std::span<const std::byte> old_bytes, std::span<const std::byte> new_bytes,
                 std::uint64_t base, unsigned element_width, ChangeSet &out) {
  const std::size_t n = std::min(old_bytes.size(), new_bytes.size());
  const std::byte *a = old_bytes.data();
  const std::byte *b = new_bytes.data();
  if (element_width == 0) {
    for (std::size_t i = first_difference(a, b, 0, n); i < n; i = first_difference(a, b, i, n)) {
      std::size_t end = first_equal(a, b, i, n);
      out.add(base + i, old_bytes.subspan(i, end - i), new_bytes.subspan(i, end - i), true);
      i = end;
    }
    return;
  }
  const std::size_t w = element_width;
  for (std::size_t i = first_difference(a, b, 0, n); i < n;) {
    std::size_t start = i - i % w;
    std::size_t len = std::min(w, n - start);
    out.add(base + start, old_bytes.subspan(start, len), new_bytes.subspan(start, len), false);
    i = first_difference(a, b, start + len, n);
  }
}

bool region_has_holes(int fd, std::uint64_t offset, std::uint64_t length) noexcept {
  if (fd < 0 || length == 0)
    return false;
  off_t hole = ::lseek(fd, static_cast<off_t>(offset), SEEK_HOLE);
  if (hole < 0)
    return false; // no SEEK_HOLE here (or a race with truncation): assume dense
  return static_cast<std::uint64_t>(hole) < offset + length;
}

Watcher::Watcher(std::unique_ptr<Handle> handle, std::uint64_t offset, std::uint64_t length,
                 unsigned element_width)
    : m_handle(std::move(handle)), m_offset(offset), m_length(length), m_width(element_width) {}

Result<Watcher> Watcher::start(std::unique_ptr<Handle> handle, std::uint64_t offset,
                               std::uint64_t length, unsigned element_width) {
  const std::string shown = escape_bytes(handle->info().segment);
  if (element_width != 0 && element_width != 1 && element_width != 2 && element_width != 4 &&
      element_width != 8)
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid element width {}", element_width));
  if (length == 0)
    return make_error(Errc::invalid_argument, "the region to watch is empty");
  if (element_width != 0 && length % element_width != 0)
    return make_error(
        Errc::invalid_argument,
        fmt::format("length {} is not a multiple of the element size {}", length, element_width));
  const std::uint64_t size = handle->size();
  if (offset > size || length > size - offset)
    return make_error(Errc::out_of_range,
                      fmt::format("{} bytes at offset {} are past the end of {} ({} bytes)", length,
                                  offset, shown, size));
  if (length > SIZE_MAX / 2)
    return make_error(Errc::out_of_range, fmt::format("cannot watch {} bytes", length));

  Watcher w(std::move(handle), offset, length, element_width);
  if (region_has_holes(w.m_handle->fd(), offset, length)) {
    w.m_method = CompareMethod::read;
  } else {
    auto mapping = w.m_handle->map(Access::read_only);
    if (!mapping)
      return std::move(mapping).error();
    w.m_mapping = std::move(*mapping);
  }
  // Not value-initialised: a 256 MiB region is written once, by the first snapshot.
  w.m_snapshot = std::make_unique_for_overwrite<std::byte[]>(static_cast<std::size_t>(length));
  w.m_scratch.resize(std::min<std::size_t>(k_block, static_cast<std::size_t>(length)));
  if (auto ok = w.take_snapshot(); !ok)
    return std::move(ok).error();
  return w;
}

Error Watcher::fault_error() const {
  return make_error(Errc::io,
                    fmt::format("cannot read {}: SIGBUS inside its size (is its filesystem full?)",
                                escape_bytes(m_handle->info().segment)));
}

Result<void> Watcher::take_snapshot() {
  for (std::uint64_t done = 0; done < m_length;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(k_block, m_length - done));
    std::byte *dst = m_snapshot.get() + done;
    if (m_method == CompareMethod::mapped) {
      if (!guarded_copy(dst, m_mapping.data() + m_offset + done, n)) {
        auto state = after_fault(fault_error());
        if (!state)
          return std::move(state).error();
        return make_error(Errc::changed,
                          fmt::format("{} was truncated while reading (now {} bytes)",
                                      escape_bytes(m_handle->info().segment), m_handle->size()));
      }
    } else {
      auto got = m_handle->read_at(m_offset + done, std::span(dst, n));
      if (!got)
        return std::move(got).error();
      if (*got != n)
        return make_error(Errc::changed, fmt::format("{} was truncated while reading",
                                                     escape_bytes(m_handle->info().segment)));
    }
    done += n;
  }
  return {};
}

Result<WatchState> Watcher::after_fault(Error error) {
  auto live = m_handle->check();
  if (!live)
    return std::move(live).error();
  if (*live == Liveness::removed)
    return WatchState::removed;
  if (*live == Liveness::replaced)
    return WatchState::replaced;
  if (m_handle->size() < m_offset + m_length)
    return WatchState::truncated;
  return error;
}

Result<WatchState> Watcher::poll() {
  m_changes.clear();
  auto live = m_handle->check();
  if (!live)
    return std::move(live).error();
  switch (*live) {
  case Liveness::removed:
    return WatchState::removed;
  case Liveness::replaced:
    return WatchState::replaced;
  case Liveness::alive:
  case Liveness::truncated:
    break;
  }
  // A shrink that leaves the whole region in place changes nothing we watch.
  if (m_handle->size() < m_offset + m_length)
    return WatchState::truncated;

  for (std::uint64_t done = 0; done < m_length;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(k_block, m_length - done));
    std::byte *old_bytes = m_snapshot.get() + done;
    if (m_method == CompareMethod::mapped) {
      const std::byte *shared = m_mapping.data() + m_offset + done;
      int differs = guarded_compare(shared, old_bytes, n);
      if (differs == 0) {
        done += n;
        continue;
      }
      if (differs < 0 || !guarded_copy(m_scratch.data(), shared, n)) {
        m_changes.clear();
        return after_fault(fault_error());
      }
    } else {
      auto got = m_handle->read_at(m_offset + done, std::span(m_scratch.data(), n));
      if (!got || *got != n) {
        m_changes.clear();
        if (!got && got.error().code != Errc::changed && got.error().code != Errc::out_of_range)
          return std::move(got).error();
        return after_fault(fault_error());
      }
      if (std::memcmp(m_scratch.data(), old_bytes, n) == 0) {
        done += n;
        continue;
      }
    }
    diff_region(std::span<const std::byte>(old_bytes, n), std::span(m_scratch.data(), n),
                m_offset + done, m_width, m_changes);
    std::memcpy(old_bytes, m_scratch.data(), n);
    done += n;
  }
  return WatchState::alive;
}

} // namespace shmkit
