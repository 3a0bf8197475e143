#include "shmkit/residency.hpp"

#include "shmkit/address.hpp"
#include "shmkit/unlinked.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

namespace shmkit {

namespace {

// cachestat(2), Linux 6.5. Debian 12's headers have neither the number nor the structures
// (linux/mman.h of 6.1); the number is the same on every architecture but alpha.
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
struct CachestatRange {
  std::uint64_t off;
  std::uint64_t len; ///< 0: to the end of the file
};
struct Cachestat {
  std::uint64_t nr_cache;
  std::uint64_t nr_dirty;
  std::uint64_t nr_writeback;
  std::uint64_t nr_evicted;
  std::uint64_t nr_recently_evicted;
};

constexpr std::uint32_t k_tmpfs_magic = 0x01021994;     // TMPFS_MAGIC, linux/magic.h
constexpr std::uint32_t k_hugetlbfs_magic = 0x958458f6; // HUGETLBFS_MAGIC

// An fd closed on every return path.
class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() {
    if (m_fd >= 0)
      ::close(m_fd);
  }
  int get() const { return m_fd; }

private:
  int m_fd;
};

std::uint64_t page_size() {
  static const auto size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// What cachestat(2) answered: the figures, "no such system call", or a refusal.
enum class Answer { measured, missing, refused };

// mm/filemap.c filemap_cachestat() walks the object's page cache: a folio counts in nr_cache,
// a value entry in nr_evicted. For tmpfs (shmem) a value entry is a swap entry, so
// nr_evicted is exactly the swapped-out pages (what /proc/sysvipc/shm's swap column counts
// for SysV; a page written to swap that is still in the swap cache counts there too, where
// fincore/mincore call it resident). For other filesystems a value entry is the shadow of
// a dropped clean page, never swap.
Answer ask_cachestat(int fd, bool tmpfs, Residency &out) {
  CachestatRange range{0, 0};
  Cachestat stat{};
  if (::syscall(__NR_cachestat, fd, &range, &stat, 0) != 0)
    return errno == ENOSYS ? Answer::missing : Answer::refused;
  out.rss = stat.nr_cache * page_size();
  out.swap = tmpfs ? stat.nr_evicted * page_size() : 0;
  return Answer::measured;
}

// Whether the kernel's mincore gives true figures for this file: mm/mincore.c can_do_mincore()
// (since 134fca9063ad, Linux 5.0) answers "all resident" unless the caller owns the file or
// may write it. faccessat2(AT_EMPTY_PATH|AT_EACCESS) asks the same permission check of the
// open file; without faccessat2 (before Linux 5.8) the answer is "no".
bool may_write(int fd, const struct stat &st) {
  if (::geteuid() == st.st_uid)
    return true;
#ifdef SYS_faccessat2
  return ::syscall(SYS_faccessat2, fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
#else
  (void)fd;
  return false;
#endif
}

// Pages of the file in memory, by mincore(2) over a read-only shared mapping, a window at a
// time (a 1 TiB sparse file needs no 256 MiB vector). mincore touches no page, so a file
// truncated meanwhile raises no SIGBUS.
std::optional<std::uint64_t> mincore_pages(int fd, std::uint64_t size) {
  constexpr std::uint64_t k_window = std::uint64_t{1} << 30;
  const std::uint64_t page = page_size();
  std::vector<unsigned char> vec;
  std::uint64_t resident = 0;
  for (std::uint64_t off = 0; off < size; off += k_window) {
    const std::uint64_t len = std::min(k_window, size - off);
    void *base = ::mmap(nullptr, static_cast<std::size_t>(len), PROT_READ, MAP_SHARED, fd,
                        static_cast<off_t>(off));
    if (base == MAP_FAILED)
      return std::nullopt;
    const std::uint64_t pages = (len + page - 1) / page;
    vec.assign(static_cast<std::size_t>(pages), 0);
    const int rc = ::mincore(base, static_cast<std::size_t>(len), vec.data());
    ::munmap(base, static_cast<std::size_t>(len));
    if (rc != 0)
      return std::nullopt;
    for (unsigned char v : vec)
      resident += v & 1U;
  }
  return resident;
}

Residency ask_mincore(int fd, const struct stat &st, bool tmpfs) {
  if (!may_write(fd, st))
    return {}; // the kernel would say "every page", which is no answer
  // Mapping a file updates its atime (file_accessed()) unless the open file has O_NOATIME,
  // which only its owner (or CAP_FOWNER) may set.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0)
    ::fcntl(fd, F_SETFL, flags | O_NOATIME);
  Residency out;
  if (auto pages = mincore_pages(fd, static_cast<std::uint64_t>(st.st_size)))
    out.rss = *pages * page_size();
  // mincore cannot tell swapped pages from holes; a disk file's pages are never swapped.
  if (out.rss && !tmpfs)
    out.swap = 0;
  return out;
}

} // namespace

Residency measure_residency(const SegmentInfo &info, const Paths &paths,
                            ResidencyMethod method) {
  if (info.kind == Kind::sysv)
    return {info.rss, info.swap}; // from /proc/sysvipc/shm; attaching would change the segment
  if (!info.name || !info.dev || !info.ino || info.oddity == Oddity::not_regular)
    return {};
  // An unlinked object is reached through its holder's link (unlinked.hpp), and a memfd
  // object through the fd its SEGMENT names (memfd:PID:FD); both links are followed. An
  // object without an address (a memfd only mapped) is not measured.
  const auto link = holder_link_of(info);
  std::string path;
  bool follow = link.has_value();
  if (link) {
    path = holder_link_at(paths, *link);
  } else if (info.kind == Kind::memfd) {
    auto ref = parse_address(info.segment);
    if (!ref || ref->by != SegmentRef::By::memfd)
      return {};
    path = fmt::format("{}/{}/fd/{}", paths.proc, ref->number, ref->fd);
    follow = true;
  } else {
    path = info.kind == Kind::posix ? paths.dev_shm + *info.name : paths.root + *info.name;
  }
  // Read-only and non-blocking (a FIFO planted under the name must not block), never
  // through a symlink; then it must still be the object that was listed.
  Fd fd(::open(path.c_str(), O_RDONLY | (follow ? 0 : O_NOFOLLOW) | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_dev != *info.dev || st.st_ino != *info.ino)
    return {};
  struct statfs fs {};
  if (::fstatfs(fd.get(), &fs) != 0)
    return {};
  const auto type = static_cast<std::uint32_t>(fs.f_type);
  const bool tmpfs = type == k_tmpfs_magic;
  // cachestat refuses hugetlbfs (EOPNOTSUPP); mincore would read our own, empty page tables.
  if (type == k_hugetlbfs_magic)
    return {};
  if (method == ResidencyMethod::automatic) {
    Residency out;
    switch (ask_cachestat(fd.get(), tmpfs, out)) {
    case Answer::measured:
      return out;
    case Answer::refused:
      return {};
    case Answer::missing:
      break;
    }
  }
  return ask_mincore(fd.get(), st, tmpfs);
}

} // namespace shmkit
