// Holding a mapped segment (`shmkit attach`): faulting every page in and pinning the pages.
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/mapping.hpp"

namespace shmkit {

/// Faults in every page of the mapping by reading it (MADV_POPULATE_READ, or one guarded read
/// per page on kernels before 5.14), so the whole segment is resident. Never writes. Fails
/// with changed (SIGBUS: the object shrank, or its filesystem is too full to fill a hole) or
/// io.
Result<void> prefault(const Handle &handle, const Mapping &mapping);

/// Pins the pages of a held segment while the PageLock lives.
/// - SysV: shmctl(SHM_LOCK) on the segment, shown as `locked` by ls and ipcs; the pages are
///   also faulted in. Undone with SHM_UNLOCK on destruction, unless the segment was locked
///   before (then it is left locked). Needs CAP_IPC_LOCK, or being the owner or creator with
///   the size within RLIMIT_MEMLOCK.
/// - POSIX/file: mlock(2) of the mapping (faults every page in; VmLck in /proc/PID/status).
///   Needs CAP_IPC_LOCK or the size within RLIMIT_MEMLOCK.
class PageLock {
public:
  /// Locks `mapping` of `handle`. Fails with permission_denied, no_space (over
  /// RLIMIT_MEMLOCK or out of memory), changed (the object shrank) or io.
  static Result<PageLock> lock(const Handle &handle, const Mapping &mapping);

  PageLock(PageLock &&other) noexcept { swap(other); }
  PageLock &operator=(PageLock &&other) noexcept {
    if (this != &other) {
      release();
      swap(other);
    }
    return *this;
  }
  PageLock(const PageLock &) = delete;
  PageLock &operator=(const PageLock &) = delete;
  ~PageLock() { release(); }

  /// Unlocks now (idempotent). Must run before the mapping goes away.
  void release() noexcept;

private:
  PageLock() = default;
  void swap(PageLock &other) noexcept;

  void *m_base = nullptr;   ///< mlock'ed range (POSIX/file)
  std::size_t m_length = 0; ///< its length
  int m_shmid = -1;         ///< SHM_LOCK'ed segment that we must SHM_UNLOCK (SysV)
};

} // namespace shmkit
