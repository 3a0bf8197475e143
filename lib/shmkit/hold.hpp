// Holding a mapped segment (`shmkit attach`): faulting every page in and pinning the pages.
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/mapping.hpp"

namespace shmkit {

/// Faults in every page of the mapping by reading it (MADV_POPULATE_READ, or one guarded read
/// per page on kernels before 5.14), so the whole segment is resident. Never writes. Fails
/// with no_space (a POSIX object or file with holes whose filesystem has no room left for
/// their pages), changed (SIGBUS otherwise: the object shrank) or io.
Result<void> prefault(const Handle &handle, const Mapping &mapping);

/// Pins the pages of a held segment while the returned PageLock lives (Handle::lock_pages:
/// SHM_LOCK for SysV, mlock(2) for POSIX/file), then faults every page in, since SHM_LOCK
/// alone does not. Fails with permission_denied, no_space (over RLIMIT_MEMLOCK, out of
/// memory, or holes that a full filesystem cannot fill), changed (the object shrank) or io.
Result<PageLock> lock_pages(const Handle &handle, const Mapping &mapping);

} // namespace shmkit
