#include "shmkit/hold.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14; older glibc headers lack it
#endif

namespace shmkit {

namespace {

std::string shown(const Handle &handle) { return escape_bytes(handle.info().segment); }

// Reads one byte per page, each read guarded: the fallback for kernels without
// MADV_POPULATE_READ.
bool touch_pages(const Mapping &mapping) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  unsigned char sink = 0;
  for (std::size_t at = 0; at < mapping.size(); at += page)
    if (!guarded_copy(&sink, mapping.data() + at, 1))
      return false;
  return true;
}

} // namespace

Result<void> prefault(const Handle &handle, const Mapping &mapping) {
  if (!mapping || mapping.size() == 0)
    return {};
  if (::madvise(mapping.data(), mapping.size(), MADV_POPULATE_READ) == 0)
    return {};
  int err = errno;
  if (err == EINVAL || err == ENOSYS) {
    if (touch_pages(mapping))
      return {};
    err = EFAULT;
  }
  if (err == EFAULT)
    return make_error(
        Errc::changed,
        fmt::format("cannot fault in {}: SIGBUS (it shrank, or its filesystem is full)",
                    shown(handle)));
  return from_errno(err, fmt::format("cannot fault in {}", shown(handle)));
}

Result<PageLock> lock_pages(const Handle &handle, const Mapping &mapping) {
  auto held = handle.lock_pages(mapping);
  if (!held)
    return held;
  if (auto ok = prefault(handle, mapping); !ok)
    return std::move(ok).error();
  return held;
}

} // namespace shmkit
