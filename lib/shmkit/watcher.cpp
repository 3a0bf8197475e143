#include "shmkit/watcher.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <optional>

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

// RAM plus swap in bytes: no snapshot larger than that can ever be held (with
// vm.overcommit_memory=1 the allocation itself would succeed and the copy would end in the
// OOM killer). nullopt when unknown.
std::optional<std::uint64_t> memory_and_swap() noexcept {
  struct sysinfo si {};
  if (::sysinfo(&si) != 0 || si.mem_unit == 0)
    return std::nullopt;
  const std::uint64_t pages = std::uint64_t{si.totalram} + si.totalswap;
  if (pages > UINT64_MAX / si.mem_unit)
    return std::nullopt;
  return pages * si.mem_unit;
}

Error no_memory(std::uint64_t length, const std::string &shown, std::string_view why) {
  Error error = make_error(Errc::no_space, fmt::format("cannot hold a {} snapshot of {} in "
                                                       "memory: {}",
                                                       human_size(length), shown, why));
  error.sys_errno = ENOMEM;
  return error;
}

} // namespace

std::string human_size(std::uint64_t bytes) {
  static constexpr const char *k_units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return fmt::format("{} bytes", bytes);
  unsigned unit = 0;
  std::uint64_t scale = 1024;
  while (unit + 1 < std::size(k_units) && bytes / scale >= 1024) {
    scale *= 1024;
    ++unit;
  }
  if (bytes % scale == 0)
    return fmt::format("{} {}", bytes / scale, k_units[unit]);
  return fmt::format("{:.1f} {}", static_cast<double>(bytes) / static_cast<double>(scale),
                     k_units[unit]);
}

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

Result<Watcher> Watcher::open(std::unique_ptr<Handle> handle, std::uint64_t offset,
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
    return make_error(Errc::past_end,
                      fmt::format("{} bytes at offset {} are past the end of {} ({} bytes)", length,
                                  offset, shown, size));
  if (length > SIZE_MAX / 2)
    return make_error(Errc::limit, fmt::format("cannot watch {} bytes", length));
  // Refused up front rather than found out by the allocator (or the OOM killer).
  if (auto room = memory_and_swap(); room && length > *room)
    return no_memory(length, shown,
                     fmt::format("the system has {} of memory and swap", human_size(*room)));

  Watcher w(std::move(handle), offset, length, element_width);
  // Not value-initialised: a 256 MiB region is written once, by the first snapshot. The
  // allocation may fail (RLIMIT_AS, overcommit): an error, never std::bad_alloc.
  w.m_snapshot.reset(new (std::nothrow) std::byte[static_cast<std::size_t>(length)]);
  if (!w.m_snapshot)
    return no_memory(length, shown, "cannot allocate memory");
  try {
    w.m_scratch.resize(std::min<std::size_t>(k_block, static_cast<std::size_t>(length)));
  } catch (const std::bad_alloc &) {
    return no_memory(length, shown, "cannot allocate memory");
  }
  if (region_has_holes(w.m_handle->fd(), offset, length)) {
    w.m_method = CompareMethod::read;
  } else {
    auto mapping = w.m_handle->map(Access::read_only);
    if (!mapping)
      return std::move(mapping).error();
    w.m_mapping = std::move(*mapping);
  }
  return w;
}

Result<Watcher> Watcher::start(std::unique_ptr<Handle> handle, std::uint64_t offset,
                               std::uint64_t length, unsigned element_width) {
  auto w = open(std::move(handle), offset, length, element_width);
  if (!w)
    return std::move(w).error();
  auto state = w->take_snapshot();
  if (!state)
    return std::move(state).error();
  const std::string shown = escape_bytes(w->m_handle->info().segment);
  switch (*state) {
  case WatchState::alive:
    return std::move(*w);
  case WatchState::truncated:
    return make_error(Errc::changed, fmt::format("{} was truncated while reading (now {} bytes)",
                                                 shown, w->size()));
  case WatchState::removed:
    return make_error(Errc::changed, fmt::format("{} was removed while reading", shown));
  case WatchState::replaced:
  case WatchState::stopped:
    break;
  }
  return make_error(Errc::changed, fmt::format("{} was replaced while reading", shown));
}

Error Watcher::fault_error() const {
  return make_error(Errc::io,
                    fmt::format("cannot read {}: SIGBUS inside its size (is its filesystem full?)",
                                escape_bytes(m_handle->info().segment)));
}

Result<WatchState> Watcher::take_snapshot(Stopper *stop) {
  for (std::uint64_t done = 0; done < m_length;) {
    // One system call per 256 KiB block: a 10 GiB sparse region takes seconds to copy.
    if (stop != nullptr && stop->due())
      return WatchState::stopped;
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(k_block, m_length - done));
    std::byte *dst = m_snapshot.get() + done;
    if (m_method == CompareMethod::mapped) {
      if (!guarded_copy(dst, m_mapping.data() + m_offset + done, n))
        return after_fault(fault_error());
    } else {
      auto got = m_handle->read_at(m_offset + done, std::span(dst, n));
      if (!got && got.error().code != Errc::changed && got.error().code != Errc::past_end)
        return std::move(got).error();
      if (!got || *got != n)
        return after_fault(fault_error());
    }
    done += n;
  }
  return WatchState::alive;
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

Result<WatchState> Watcher::poll(Stopper *stop) {
  try {
    return compare(stop);
  } catch (const std::bad_alloc &) {
    m_changes.clear();
    const std::string shown = escape_bytes(m_handle->info().segment);
    Error error = make_error(
        Errc::no_space,
        fmt::format("cannot hold the changes of {} in memory: cannot allocate memory", shown));
    error.sys_errno = ENOMEM;
    return error;
  }
}

Result<WatchState> Watcher::compare(Stopper *stop) {
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
    if (stop != nullptr && stop->due())
      return WatchState::stopped;
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
        if (!got && got.error().code != Errc::changed && got.error().code != Errc::past_end)
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
