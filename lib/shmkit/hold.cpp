#include "shmkit/hold.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <sys/mman.h>
#include <sys/resource.h>
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
  if (!held) {
    // SHM_LOCK refuses with EPERM both a caller who is neither owner nor creator and, without
    // CAP_IPC_LOCK, an owner whose RLIMIT_MEMLOCK is 0 (ipc/shm.c); mlock(2) only the latter.
    // The owner was told about capabilities although the limit is what stopped them (issue 8
    // defect 16): name the limit and its value.
    const SegmentInfo &info = handle.info();
    const uid_t me = ::geteuid();
    struct rlimit memlock {};
    if (held.error().code == Errc::permission_denied &&
        ::getrlimit(RLIMIT_MEMLOCK, &memlock) == 0 && memlock.rlim_cur == 0 &&
        (info.uid == me || !info.cuid || *info.cuid == me))
      return make_error(Errc::permission_denied,
                        fmt::format("cannot lock {}: RLIMIT_MEMLOCK is 0 (ulimit -l); raise it, "
                                    "or lock with CAP_IPC_LOCK",
                                    shown(handle)));
    return held;
  }
  if (auto ok = prefault(handle, mapping); !ok)
    return std::move(ok).error();
  return held;
}

} // namespace shmkit
