#include "shmkit/hold.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14; older glibc headers lack it
#endif

namespace shmkit {

namespace {

std::string shown(const Handle &handle) { return escape_bytes(handle.info().segment); }

std::string memlock_limit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_MEMLOCK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return "unlimited";
  return fmt::format("{} bytes", limit.rlim_cur);
}

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

// mlock(2) and munlock(2) as system calls: AddressSanitizer replaces the libc functions with
// no-ops that report success, which would make --lock silently lock nothing in the sanitizer
// build that CI runs the tests with.
int lock_range(const void *base, std::size_t length) {
  return static_cast<int>(::syscall(SYS_mlock, base, length));
}
void unlock_range(const void *base, std::size_t length) { ::syscall(SYS_munlock, base, length); }

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

Result<PageLock> PageLock::lock(const Handle &handle, const Mapping &mapping) {
  PageLock held;
  const SegmentInfo &info = handle.info();
  if (info.kind == Kind::sysv && info.id) {
    // SHM_LOCK is a property of the segment, not of this process: remember whether someone
    // else locked it, so that detaching does not unlock their segment.
    struct shmid_ds ds {};
    bool was_locked = ::shmctl(*info.id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_LOCKED);
    if (!was_locked) {
      if (::shmctl(*info.id, SHM_LOCK, nullptr) != 0) {
        int err = errno;
        if (err == EPERM || err == EACCES)
          return make_error(Errc::permission_denied,
                            fmt::format("cannot lock {}: permission denied (SHM_LOCK needs "
                                        "CAP_IPC_LOCK, or the owner or creator of the segment)",
                                        shown(handle)));
        if (err == ENOMEM)
          return make_error(Errc::no_space,
                            fmt::format("cannot lock {}: {} bytes exceed RLIMIT_MEMLOCK ({})",
                                        shown(handle), info.size, memlock_limit()));
        return from_errno(err, fmt::format("cannot lock {}", shown(handle)));
      }
      held.m_shmid = *info.id;
    }
    if (auto ok = prefault(handle, mapping); !ok)
      return std::move(ok).error();
    return held;
  }
  if (lock_range(mapping.data(), mapping.size()) != 0) {
    int err = errno;
    if (err == EPERM)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot lock {}: permission denied (mlock needs CAP_IPC_LOCK "
                                    "or a non-zero RLIMIT_MEMLOCK)",
                                    shown(handle)));
    if (err == ENOMEM || err == EAGAIN)
      return make_error(Errc::no_space,
                        fmt::format("cannot lock {}: {} bytes exceed RLIMIT_MEMLOCK ({}) or the "
                                    "memory available",
                                    shown(handle), mapping.size(), memlock_limit()));
    return from_errno(err, fmt::format("cannot lock {}", shown(handle)));
  }
  held.m_base = mapping.data();
  held.m_length = mapping.size();
  return held;
}

void PageLock::release() noexcept {
  if (m_base != nullptr)
    unlock_range(m_base, m_length);
  if (m_shmid >= 0)
    ::shmctl(m_shmid, SHM_UNLOCK, nullptr);
  m_base = nullptr;
  m_length = 0;
  m_shmid = -1;
}

void PageLock::swap(PageLock &other) noexcept {
  std::swap(m_base, other.m_base);
  std::swap(m_length, other.m_length);
  std::swap(m_shmid, other.m_shmid);
}

} // namespace shmkit
