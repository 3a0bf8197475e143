#include "shmkit/memfd_backend.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fd_object.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/users.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace shmkit {

namespace {

constexpr std::string_view k_memfd_prefix = "/memfd:";
constexpr std::string_view k_deleted = " (deleted)";
// F_SEAL_* (fcntl(2)); the seals that forbid writes, as write(2) and mmap(PROT_WRITE) see them.
constexpr unsigned k_seal_shrink = 0x0002;
constexpr unsigned k_seal_grow = 0x0004;
constexpr unsigned k_seal_write = 0x0008;
constexpr unsigned k_seal_future_write = 0x0010;

using Fd = OwnedFd;

struct DirCloser {
  void operator()(DIR *dir) const { ::closedir(dir); }
};
using Dir = std::unique_ptr<DIR, DirCloser>;

template <typename T> bool whole_number(std::string_view text, T &out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 10);
  return !text.empty() && ec == std::errc{} && ptr == text.data() + text.size();
}

// The target of a symbolic link relative to `dir_fd`; empty when it cannot be read (errno).
std::string read_link(int dir_fd, const char *name) {
  std::string target(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name, target.data(), target.size());
    if (n < 0)
      return {};
    if (static_cast<std::size_t>(n) < target.size()) {
      target.resize(static_cast<std::size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

// memfds live on the kernel's internal shm mount (or its hugetlbfs one for MFD_HUGETLB): a
// file named "/memfd:x" that was deleted elsewhere is no memfd.
bool on_memfd_device(dev_t dev) {
  const auto &devs = sysv_devices();
  return devs.empty() || std::find(devs.begin(), devs.end(), dev) != devs.end();
}

unsigned seals_of(int fd) {
  int seals = ::fcntl(fd, F_GET_SEALS);
  return seals < 0 ? 0u : static_cast<unsigned>(seals);
}

std::string seal_list(unsigned seals, unsigned wanted) {
  std::string words;
  for (const SealWord &seal : k_seal_words)
    if ((seals & wanted & seal.bit) != 0)
      words += fmt::format("{}{}", words.empty() ? "" : ",", seal.word);
  return words;
}

// One object found by the scan, until it becomes a row.
struct Found {
  std::string name;
  struct stat st {};
  bool have_stat = false;
  unsigned seals = 0;
  pid_t pid = 0; ///< the lowest pid with an fd on it (0: only mapped)
  int fd = -1;   ///< that pid's lowest fd on it
  pid_t map_pid = 0;
  std::string map_range; ///< "start-end" of a mapping in map_pid, for map_files
};

using ObjectKey = std::pair<std::uint64_t, std::uint64_t>; // dev, inode

struct Scan {
  std::map<ObjectKey, Found> objects;
  std::size_t unreadable = 0; ///< processes whose fd directory could not be read
};

void scan_fds(int pid_fd, pid_t pid, Scan &scan) {
  Fd fd_dir(::openat(pid_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd_dir.get() < 0) {
    if (errno == EACCES || errno == EPERM)
      ++scan.unreadable;
    return;
  }
  Dir dir(::fdopendir(fd_dir.get()));
  if (!dir)
    return;
  fd_dir.release();
  int dir_fd = ::dirfd(dir.get());
  while (const dirent *entry = ::readdir(dir.get())) {
    int number = 0;
    if (!whole_number(std::string_view(entry->d_name), number))
      continue;
    std::string target = read_link(dir_fd, entry->d_name);
    auto name = memfd_link_name(target);
    if (!name)
      continue;
    struct stat st {};
    if (::fstatat(dir_fd, entry->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode) ||
        !on_memfd_device(st.st_dev))
      continue;
    Found &found = scan.objects[{st.st_dev, st.st_ino}];
    if (found.pid == 0 || std::tie(pid, number) < std::tie(found.pid, found.fd)) {
      found.pid = pid;
      found.fd = number;
    }
    if (!found.have_stat) {
      found.name = std::string(*name);
      found.st = st;
      found.have_stat = true;
      // The seals need an open file: F_GET_SEALS is refused on an O_PATH fd.
      Fd object(::openat(dir_fd, entry->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
      if (object.get() >= 0)
        found.seals = seals_of(object.get());
    }
  }
}

void scan_maps(const Paths &paths, pid_t pid, std::string &text, Scan &scan) {
  if (!read_whole_file(fmt::format("{}/{}/maps", paths.proc, pid), text))
    return; // exited, or not ours to read
  for (const MapsEntry &entry : parse_maps(text)) {
    auto name = memfd_link_name(entry.path);
    if (!name || !on_memfd_device(static_cast<dev_t>(entry.dev)))
      continue;
    Found &found = scan.objects[{entry.dev, entry.ino}];
    if (found.name.empty())
      found.name = std::string(*name);
    if (found.map_pid == 0) {
      found.map_pid = pid;
      found.map_range = fmt::format("{:x}-{:x}", entry.start, entry.end);
    }
  }
}

Result<Scan> scan_proc(const Paths &paths) {
  Dir proc(::opendir(paths.proc.c_str()));
  if (!proc)
    return from_errno(errno, "cannot read " + paths.proc);
  int proc_fd = ::dirfd(proc.get());
  Scan scan;
  std::string maps; // one buffer for every process's maps
  while (const dirent *entry = ::readdir(proc.get())) {
    pid_t pid = 0;
    if (!whole_number(std::string_view(entry->d_name), pid))
      continue;
    Fd pid_fd(::openat(proc_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (pid_fd.get() < 0)
      continue; // exited
    scan_fds(pid_fd.get(), pid, scan);
    scan_maps(paths, pid, maps, scan);
  }
  return scan;
}

// The row of one object; false when an object that is only mapped cannot be stat'ed
// (/proc/PID/map_files needs CAP_SYS_ADMIN).
bool row_of(const Paths &paths, Found &found, SegmentInfo &info) {
  if (!found.have_stat) {
    std::string path = fmt::format("{}/{}/map_files/{}", paths.proc, found.map_pid, found.map_range);
    Fd object(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (object.get() < 0 || ::fstat(object.get(), &found.st) != 0)
      return false;
    found.seals = seals_of(object.get());
  }
  FdObject object;
  object.kind = Kind::memfd;
  object.name = found.name;
  if (found.pid != 0)
    object.segment = fmt::format("memfd:{}:{}", found.pid, found.fd);
  info = fd_object_info(object, found.st);
  info.seals = found.seals;
  return true;
}

std::string shown(const SegmentRef &ref) { return ref.to_string(); }

// What /proc/PID/fd/FD is: checked before opening (a FIFO or a socket is never opened), and
// again after. Fails with not_found, permission_denied (no ptrace access), invalid_argument.
struct Holder {
  std::string link_path; ///< PROC/PID/fd/FD
  std::string name;      ///< the memfd's NAME
  struct stat st {};
};

Error no_ptrace(const SegmentRef &ref) {
  return make_error(Errc::permission_denied,
                    fmt::format("cannot open {}: permission denied: the fds of pid {} can be "
                                "opened only with ptrace access to it (the same user, or "
                                "CAP_SYS_PTRACE)",
                                shown(ref), ref.number));
}

Result<Holder> resolve(const Paths &paths, const SegmentRef &ref) {
  if (ref.kind != Kind::memfd || ref.by != SegmentRef::By::memfd)
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a memfd address", ref.to_string()));
  std::string pid_dir = fmt::format("{}/{}", paths.proc, ref.number);
  Fd pid_fd(::open(pid_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (pid_fd.get() < 0)
    return make_error(Errc::not_found,
                      fmt::format("cannot open {}: no such process {}", shown(ref), ref.number));
  Holder holder;
  holder.link_path = fmt::format("{}/fd/{}", pid_dir, ref.fd);
  std::string fd_name = fmt::format("fd/{}", ref.fd);
  errno = 0;
  std::string target = read_link(pid_fd.get(), fd_name.c_str());
  if (target.empty()) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      return no_ptrace(ref);
    if (err == ENOENT || err == ESRCH)
      return make_error(Errc::not_found, fmt::format("cannot open {}: pid {} has no fd {}",
                                                     shown(ref), ref.number, ref.fd));
    return from_errno(err, fmt::format("cannot open {}", shown(ref)));
  }
  auto name = memfd_link_name(target);
  if (name && ::fstatat(pid_fd.get(), fd_name.c_str(), &holder.st, 0) != 0) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      return no_ptrace(ref);
    return make_error(Errc::not_found, fmt::format("cannot open {}: pid {} has no fd {}",
                                                   shown(ref), ref.number, ref.fd));
  }
  if (!name || !S_ISREG(holder.st.st_mode) || !on_memfd_device(holder.st.st_dev))
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a memfd (fd {} of pid {} is {})", shown(ref), ref.fd,
                                  ref.number, escape_bytes(target)));
  holder.name = std::string(*name);
  return holder;
}

// Why `seals` forbid `change` ("it is sealed against writing (seal-write)"); nullopt when
// they do not.
std::optional<std::string> seal_refusal(unsigned seals, Change change) {
  unsigned against = change == Change::write  ? (k_seal_write | k_seal_future_write)
                     : change == Change::grow ? k_seal_grow
                                              : k_seal_shrink;
  if ((seals & against) == 0)
    return std::nullopt;
  std::string_view what = change == Change::write  ? "writing"
                          : change == Change::grow ? "growing"
                                                   : "shrinking";
  return fmt::format("it is sealed against {} ({})", what, seal_list(seals, against));
}

bool same_object(const struct stat &a, const struct stat &b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

} // namespace

std::optional<std::string_view> memfd_link_name(std::string_view target) {
  if (target.substr(0, k_memfd_prefix.size()) != k_memfd_prefix ||
      target.size() < k_memfd_prefix.size() + k_deleted.size() ||
      target.substr(target.size() - k_deleted.size()) != k_deleted)
    return std::nullopt;
  return target.substr(k_memfd_prefix.size(),
                       target.size() - k_memfd_prefix.size() - k_deleted.size());
}

Result<void> MemfdBackend::for_each(const std::function<void(SegmentInfo &&)> &visit) {
  m_report = {};
  auto scan = scan_proc(m_paths);
  if (!scan)
    return std::move(scan).error();
  std::vector<SegmentInfo> rows;
  std::size_t unexamined = 0;
  for (auto &[key, found] : scan->objects) {
    SegmentInfo info;
    if (row_of(m_paths, found, info))
      rows.push_back(std::move(info));
    else
      ++unexamined;
  }
  if (scan->unreadable > 0)
    m_report.warnings.push_back(fmt::format(
        "the fds of {} process{} could not be read: memfd objects only they hold are missing "
        "(reading them needs the same user, or CAP_SYS_PTRACE)",
        scan->unreadable, scan->unreadable == 1 ? "" : "es"));
  if (unexamined > 0)
    m_report.warnings.push_back(fmt::format(
        "{} memfd object{} only mapped, held by no fd, could not be examined (/proc/PID/map_files "
        "needs CAP_SYS_ADMIN)",
        unexamined, unexamined == 1 ? "" : "s"));
  std::sort(rows.begin(), rows.end(), [](const SegmentInfo &a, const SegmentInfo &b) {
    return std::tie(a.name, a.segment, a.dev, a.ino) < std::tie(b.name, b.segment, b.dev, b.ino);
  });
  for (SegmentInfo &row : rows)
    visit(std::move(row));
  return {};
}

Result<SegmentInfo> MemfdBackend::stat(const SegmentRef &ref) {
  auto holder = resolve(m_paths, ref);
  if (!holder)
    return std::move(holder).error();
  std::optional<SegmentInfo> match;
  auto listed = for_each([&](SegmentInfo &&info) {
    if (info.dev && info.ino && *info.dev == holder->st.st_dev && *info.ino == holder->st.st_ino)
      match = std::move(info);
  });
  if (!listed)
    return std::move(listed).error();
  m_report = {}; // the rest of /proc is not what was asked about
  if (match)
    return std::move(*match);
  // Closed between the two looks.
  return make_error(Errc::not_found, fmt::format("cannot open {}: pid {} has no fd {}",
                                                 shown(ref), ref.number, ref.fd));
}

Result<SegmentInfo> MemfdBackend::create(const CreateSpec &spec) {
  if (auto ok = check_creatable(spec.ref); !ok)
    return std::move(ok).error();
  return make_error(Errc::invalid_argument,
                    fmt::format("cannot create {}: not a memfd address", spec.ref.to_string()));
}

Result<std::unique_ptr<Handle>> MemfdBackend::open(const SegmentRef &ref, Access access) {
  auto holder = resolve(m_paths, ref);
  if (!holder)
    return std::move(holder).error();
  // A magic link: O_NOFOLLOW would refuse it. What it leads to was checked above and is
  // checked again below, so a fd replaced meanwhile is not opened as the memfd.
  int flags = (access == Access::read_write ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK |
              O_NOCTTY;
  Fd fd(::open(holder->link_path.c_str(), flags));
  if (fd.get() < 0) {
    int err = errno;
    if (err == EACCES || err == EPERM) {
      struct stat mode {};
      if (access == Access::read_write && ::stat(holder->link_path.c_str(), &mode) == 0)
        return from_errno(err, fmt::format("cannot open {} for writing", shown(ref)));
      return no_ptrace(ref);
    }
    if (err == ENOENT || err == ESRCH)
      return make_error(Errc::not_found, fmt::format("cannot open {}: pid {} has no fd {}",
                                                     shown(ref), ref.number, ref.fd));
    return from_errno(err, fmt::format("cannot open {}", shown(ref)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return from_errno(errno, fmt::format("cannot stat {}", shown(ref)));
  if (!same_object(st, holder->st))
    return make_error(Errc::changed,
                      fmt::format("cannot open {}: pid {} replaced fd {} while it was opened",
                                  shown(ref), ref.number, ref.fd));
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);

  const std::string address = shown(ref);
  auto sealed = [address](int object_fd, Change change) -> Result<void> {
    auto reason = seal_refusal(seals_of(object_fd), change);
    if (!reason)
      return {};
    std::string_view verb = change == Change::write  ? "write"
                            : change == Change::grow ? "grow"
                                                     : "shrink";
    return make_error(Errc::permission_denied,
                      fmt::format("cannot {} {}: {}", verb, address, *reason));
  };
  if (access == Access::read_write)
    if (auto reason = seal_refusal(seals_of(fd.get()), Change::write))
      return make_error(Errc::permission_denied,
                        fmt::format("cannot open {} for writing: {}", address, *reason));

  FdObject object;
  object.kind = Kind::memfd;
  object.path = holder->link_path;
  object.segment = ref.to_string();
  object.name = holder->name;
  object.allow_change = sealed;
  // The handle keeps its own fd; the object counts as removed once PID no longer holds it on
  // FD (exited, closed it, or put another file there).
  object.identity = [link = holder->link_path](const struct stat &now) -> Result<Liveness> {
    struct stat held {};
    if (::stat(link.c_str(), &held) != 0)
      return Liveness::removed;
    return same_object(held, now) ? Liveness::alive : Liveness::removed;
  };
  auto handle = adopt_fd_object(std::move(object), fd.release(), access, st);
  return handle;
}

Result<void> MemfdBackend::remove(const SegmentInfo &expected) {
  return make_error(Errc::not_supported,
                    fmt::format("cannot remove {}: memfd objects cannot be unlinked; they are "
                                "freed when every process holding them has closed and unmapped "
                                "them",
                                escape_bytes(expected.segment.empty() ? "memfd:" + expected.name.value_or("")
                                                                      : expected.segment)));
}

} // namespace shmkit
