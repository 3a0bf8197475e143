#include "shmkit/hold.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
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

// Why faulting in a POSIX object or file failed when it did not shrink: a hole of a sparse
// object needs a page, and its filesystem (a full tmpfs) has none left. The kernel says only
// SIGBUS (prefault) or ENOMEM (mlock), which named a truncation or RLIMIT_MEMLOCK (issue 13
// defect F3). nullopt when that is not the cause (or the handle has no fd: SysV).
std::optional<std::string> holes_without_space(const Handle &handle, const Mapping &mapping) {
  const int fd = handle.fd();
  struct stat st {};
  struct statvfs vfs {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || ::fstatvfs(fd, &vfs) != 0)
    return std::nullopt;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const auto allocated = static_cast<std::uint64_t>(st.st_blocks) * 512;
  const std::uint64_t free = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  if (size < mapping.size() || allocated >= size || size - allocated <= free)
    return std::nullopt;
  return fmt::format("its filesystem has no space left for the pages of its holes ({} bytes "
                     "needed, {} free)",
                     size - allocated, free);
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
  if (err == EFAULT) {
    if (auto cause = holes_without_space(handle, mapping))
      return make_error(Errc::no_space,
                        fmt::format("cannot fault in {}: {}", shown(handle), *cause));
    return make_error(
        Errc::changed,
        fmt::format("cannot fault in {}: SIGBUS (it shrank, or its filesystem is full)",
                    shown(handle)));
  }
  return from_errno(err, fmt::format("cannot fault in {}", shown(handle)));
}

Result<PageLock> lock_pages(const Handle &handle, const Mapping &mapping) {
  auto held = handle.lock_pages(mapping);
  if (!held) {
    if (held.error().code == Errc::no_space)
      if (auto cause = holes_without_space(handle, mapping))
        return make_error(Errc::no_space, fmt::format("cannot lock {}: {}", shown(handle), *cause));
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
