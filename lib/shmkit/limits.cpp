#include "shmkit/limits.hpp"

#include <dirent.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace shmkit {

namespace {

struct DirCloser {
  void operator()(DIR *dir) const noexcept { ::closedir(dir); }
};

// Counts the entries of a directory, without "." and "..". Returns nullopt when it cannot
// be read: a missing /dev/shm (some containers) is not an error for `ls --limits`.
std::optional<std::uint64_t> count_entries(const std::string &path) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (!dir)
    return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent *entry = ::readdir(dir.get())) {
    const char *name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
      continue;
    ++count;
  }
  return count;
}

} // namespace

Result<Limits> read_limits(const Paths &paths) {
  Limits limits;

  // IPC_INFO and SHM_INFO take a struct shminfo / struct shm_info through the shmid_ds
  // pointer (shmctl(2)); both describe the caller's IPC namespace.
  struct shminfo info {};
  if (::shmctl(0, IPC_INFO, reinterpret_cast<struct shmid_ds *>(&info)) < 0)
    return from_errno(errno, "cannot read sysv limits: shmctl(IPC_INFO)");
  limits.shmmax = info.shmmax;
  limits.shmmin = info.shmmin;
  limits.shmmni = info.shmmni;
  limits.shmall = info.shmall;

  struct shm_info usage {};
  if (::shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds *>(&usage)) < 0)
    return from_errno(errno, "cannot read sysv usage: shmctl(SHM_INFO)");
  limits.used_ids = usage.used_ids < 0 ? 0 : static_cast<std::uint64_t>(usage.used_ids);
  limits.used_pages = usage.shm_tot;

  long page_size = ::sysconf(_SC_PAGESIZE);
  if (page_size > 0)
    limits.page_size = static_cast<std::uint64_t>(page_size);

  struct statvfs fs {};
  if (::statvfs(paths.dev_shm.c_str(), &fs) == 0) {
    limits.devshm_total = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
    limits.devshm_used = static_cast<std::uint64_t>(fs.f_blocks - fs.f_bfree) * fs.f_frsize;
    limits.devshm_avail = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  limits.devshm_objects = count_entries(paths.dev_shm);
  return limits;
}

} // namespace shmkit
