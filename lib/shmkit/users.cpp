#include "shmkit/users.hpp"

#include "shmkit/namespaces.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>

namespace shmkit {

namespace {

// Big enough for the maps of most processes in one read(); grown by doubling when not.
constexpr std::size_t k_initial_buffer = 64 * 1024;
constexpr std::string_view k_sysv_prefix = "/SYSV";
constexpr std::string_view k_deleted_suffix = " (deleted)";
constexpr std::string_view k_anonymous_shared = "/dev/zero (deleted)";

class UniqueFd {
public:
  explicit UniqueFd(int fd) noexcept : m_fd(fd) {}
  UniqueFd(const UniqueFd &) = delete;
  UniqueFd &operator=(const UniqueFd &) = delete;
  ~UniqueFd() {
    if (m_fd >= 0)
      ::close(m_fd);
  }
  int get() const noexcept { return m_fd; }
  explicit operator bool() const noexcept { return m_fd >= 0; }
  int release() noexcept { return std::exchange(m_fd, -1); }

private:
  int m_fd;
};

struct DirCloser {
  void operator()(DIR *dir) const noexcept { ::closedir(dir); }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

// One object a process maps or holds, before it becomes a SegmentUser.
struct Use {
  bool sysv = false;
  std::uint64_t ipc_ns = 0; ///< SysV, IpcScope::every: the namespace (one per process)
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  bool maps = false;
  bool holds_fd = false;
  bool writable = false;
  std::vector<MappedRange> ranges;
  std::vector<int> fds;
  std::string path;
};

auto use_key(const Use &use) { return std::tie(use.sysv, use.dev, use.ino); }

bool is_pid_name(const char *name) {
  if (*name == '\0')
    return false;
  for (; *name != '\0'; ++name) {
    if (*name < '0' || *name > '9')
      return false;
  }
  return true;
}

// Reads a whole file relative to `dir_fd` into `buffer` (kept between calls so that the
// thousands of maps files of a scan share one allocation). Returns the byte count, or -1
// with errno set.
ssize_t read_all(int fd, std::vector<char> &buffer) {
  std::size_t used = 0;
  for (;;) {
    if (used == buffer.size())
      buffer.resize(buffer.size() * 2);
    ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(used);
}

ssize_t read_file_at(int dir_fd, const char *name, std::vector<char> &buffer) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd)
    return -1;
  return read_all(fd.get(), buffer);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Cuts the next blank-delimited field off the front of `line`.
std::string_view next_field(std::string_view &line) {
  std::size_t start = 0;
  while (start < line.size() && is_blank(line[start]))
    ++start;
  std::size_t stop = start;
  while (stop < line.size() && !is_blank(line[stop]))
    ++stop;
  std::string_view field = line.substr(start, stop - start);
  line.remove_prefix(stop);
  return field;
}

template <typename T> bool parse_whole(std::string_view text, T &out, int base) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc{} && ptr == text.data() + text.size() && !text.empty();
}

// The kernel names a SysV segment's file "SYSV%08x" after its key (ipc/shm.c, newseg) and
// the file is never linked anywhere, so /proc/PID/maps shows "/SYSVkkkkkkkk (deleted)".
bool is_sysv_path(std::string_view path) {
  if (path.substr(0, k_sysv_prefix.size()) != k_sysv_prefix)
    return false;
  path.remove_prefix(k_sysv_prefix.size());
  if (path.size() < 8)
    return false;
  for (std::size_t i = 0; i < 8; ++i) {
    char c = path[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  }
  path.remove_prefix(8);
  return path.empty() || path == k_deleted_suffix;
}

// Parses one /proc/PID/maps line: "start-end perms offset maj:min inode   path". Only shared
// mappings of a named object are kept: perms[3] is 's' for MAP_SHARED (SysV attaches are
// shared mappings too); anonymous and [special] mappings have no path starting with '/'.
bool parse_maps_line(std::string_view line, MapsEntry &entry) {
  std::string_view range = next_field(line);
  std::string_view perms = next_field(line);
  if (perms.size() < 4 || perms[3] != 's')
    return false;
  next_field(line); // offset
  std::string_view dev = next_field(line);
  std::string_view inode = next_field(line);
  while (!line.empty() && is_blank(line.front()))
    line.remove_prefix(1);
  std::string_view path = line;
  // An anonymous MAP_SHARED mapping is backed by an unlinked "dev/zero" on the kernel's
  // internal shm mount (mm/shmem.c, shmem_zero_setup): no segment anyone can name.
  if (path.empty() || path.front() != '/' || path == k_anonymous_shared)
    return false;
  std::size_t colon = dev.find(':');
  std::size_t dash = range.find('-');
  unsigned major = 0;
  unsigned minor = 0;
  if (colon == std::string_view::npos || dash == std::string_view::npos ||
      !parse_whole(dev.substr(0, colon), major, 16) ||
      !parse_whole(dev.substr(colon + 1), minor, 16) || !parse_whole(inode, entry.ino, 10) ||
      !parse_whole(range.substr(0, dash), entry.start, 16) ||
      !parse_whole(range.substr(dash + 1), entry.end, 16))
    return false;
  entry.dev = makedev(major, minor);
  entry.perms = perms;
  entry.path = path;
  entry.sysv_name = is_sysv_path(path);
  return true;
}

void parse_maps_into(std::string_view rest, std::vector<MapsEntry> &entries) {
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    MapsEntry entry;
    if (parse_maps_line(line, entry))
      entries.push_back(entry);
  }
}

// The device of a memfd made with `flags`: the internal mount its files live on.
std::optional<std::uint64_t> memfd_device(unsigned flags) {
  UniqueFd fd(static_cast<int>(::syscall(SYS_memfd_create, "shmkit-probe", MFD_CLOEXEC | flags)));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0)
    return std::nullopt;
  return static_cast<std::uint64_t>(st.st_dev);
}

// The IPC namespace (inode) of the process behind `pid_fd`; 0 when it cannot be read.
std::uint64_t ipc_namespace(int dir_fd, const char *name) {
  auto inode = read_ipc_link(dir_fd, name);
  return inode ? *inode : 0;
}

// What one process's maps say; SysV mappings only when they are on a SysV device and the
// process shares our IPC namespace (a shmid names another segment in another namespace), or,
// with IpcScope::every, in any namespace, tagged with it.
struct MapsFilter {
  std::span<const std::uint64_t> sysv_devs; ///< empty: any anonymous device (major 0)
  std::uint64_t self_ipc = 0; ///< 0: not known, every namespace accepted
  IpcScope scope = IpcScope::own;
};

bool on_sysv_device(std::span<const std::uint64_t> devs, std::uint64_t dev) {
  if (devs.empty())
    return major(static_cast<dev_t>(dev)) == 0;
  return std::find(devs.begin(), devs.end(), dev) != devs.end();
}

void collect_maps(const std::vector<MapsEntry> &entries, const MapsFilter &filter, int pid_fd,
                  std::vector<Use> &uses) {
  int ipc_state = 0; // 0 unknown, 1 same namespace, -1 another one
  std::uint64_t ns = 0;
  for (const MapsEntry &entry : entries) {
    Use use;
    use.sysv = entry.sysv_name && on_sysv_device(filter.sysv_devs, entry.dev);
    if (use.sysv && ipc_state == 0) {
      const bool every = filter.scope == IpcScope::every;
      ns = filter.self_ipc == 0 && !every ? 0 : ipc_namespace(pid_fd, "ns/ipc");
      ipc_state = every || ns == 0 || ns == filter.self_ipc ? 1 : -1;
    }
    if (use.sysv && ipc_state < 0)
      continue;
    if (use.sysv && filter.scope == IpcScope::every)
      use.ipc_ns = ns;
    use.dev = entry.dev;
    use.ino = entry.ino;
    use.maps = true;
    use.writable = entry.perms[1] == 'w';
    use.ranges.push_back({entry.start, entry.end, std::string(entry.perms)});
    if (!use.sysv)
      use.path = entry.path;
    uses.push_back(std::move(use));
  }
}

// The process exited (or PROC/NAME is not a process directory at all): nothing to report.
bool vanished(int error) { return error == ENOENT || error == ESRCH || error == ENOTDIR; }

// Adds the regular files a process holds open. fstatat() through the fd directory follows
// the magic links to the open files themselves, so unlinked and out-of-namespace files
// still give the dev/ino that stat() of the segment gives, with no path to parse. Returns
// false when the directory could not be read for another reason than the process exiting.
bool scan_fds(int pid_fd, std::vector<Use> &uses) {
  UniqueFd fd_dir_fd(::openat(pid_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd_dir_fd)
    return vanished(errno);
  UniqueDir dir(::fdopendir(fd_dir_fd.get()));
  if (!dir)
    return false;
  fd_dir_fd.release(); // now owned by dir
  int dir_fd = ::dirfd(dir.get());
  while (const dirent *entry = ::readdir(dir.get())) {
    int number = 0;
    if (!parse_whole(std::string_view(entry->d_name), number, 10))
      continue;
    struct stat st {};
    if (::fstatat(dir_fd, entry->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
      continue;
    Use use;
    use.dev = st.st_dev;
    use.ino = st.st_ino;
    use.holds_fd = true;
    use.fds.push_back(number);
    uses.push_back(std::move(use));
  }
  return true;
}

// Sorts the uses of one process and merges duplicates (one segment attached twice, or both
// mapped and held open) into one entry.
void merge_uses(std::vector<Use> &uses) {
  std::stable_sort(uses.begin(), uses.end(),
                   [](const Use &a, const Use &b) { return use_key(a) < use_key(b); });
  std::size_t out = 0;
  for (std::size_t i = 0; i < uses.size(); ++i) {
    if (out > 0 && use_key(uses[out - 1]) == use_key(uses[i])) {
      Use &into = uses[out - 1];
      into.maps = into.maps || uses[i].maps;
      into.holds_fd = into.holds_fd || uses[i].holds_fd;
      into.writable = into.writable || uses[i].writable;
      into.ranges.insert(into.ranges.end(), uses[i].ranges.begin(), uses[i].ranges.end());
      into.fds.insert(into.fds.end(), uses[i].fds.begin(), uses[i].fds.end());
      if (into.path.empty())
        into.path = std::move(uses[i].path);
    } else if (out != i) {
      uses[out++] = std::move(uses[i]);
    } else {
      ++out;
    }
  }
  uses.resize(out);
  for (Use &use : uses) {
    std::sort(use.ranges.begin(), use.ranges.end(),
              [](const MappedRange &a, const MappedRange &b) { return a.start < b.start; });
    std::sort(use.fds.begin(), use.fds.end());
  }
}

void add_users(pid_t pid, const std::string &comm, std::vector<Use> &uses,
               std::vector<SegmentUser> &users) {
  for (Use &use : uses) {
    SegmentUser &user = users.emplace_back();
    user.pid = pid;
    user.comm = comm;
    user.maps = use.maps;
    user.holds_fd = use.holds_fd;
    user.dev = use.dev;
    user.ino = use.ino;
    user.sysv = use.sysv;
    user.ipc_ns = use.ipc_ns;
    user.writable = use.writable;
    if (!use.ranges.empty()) {
      user.start = use.ranges.front().start;
      user.end = use.ranges.front().end;
      user.perms = use.ranges.front().perms;
    }
    if (!use.fds.empty())
      user.fd = use.fds.front();
    user.ranges = std::move(use.ranges);
    user.fds = std::move(use.fds);
    user.path = std::move(use.path);
  }
}

// PROCMAP_QUERY (Linux 6.11, include/uapi/linux/fs.h; Debian 12's headers predate it): an
// ioctl on /proc/PID/maps that hands out one VMA at a time with its device and inode, without
// formatting the text of every mapping. Asked for shared file-backed VMAs only, it skips the
// libraries, heap and stacks that make up nearly all of a maps file.
struct ProcmapQuery {
  std::uint64_t size;
  std::uint64_t query_flags;
  std::uint64_t query_addr;
  std::uint64_t vma_start;
  std::uint64_t vma_end;
  std::uint64_t vma_flags;
  std::uint64_t vma_page_size;
  std::uint64_t vma_offset;
  std::uint64_t inode;
  std::uint32_t dev_major;
  std::uint32_t dev_minor;
  std::uint32_t vma_name_size;
  std::uint32_t build_id_size;
  std::uint64_t vma_name_addr;
  std::uint64_t build_id_addr;
};
constexpr unsigned long k_procmap_query = _IOWR('f', 17, ProcmapQuery);
constexpr std::uint64_t k_vma_readable = 0x01;
constexpr std::uint64_t k_vma_writable = 0x02;
constexpr std::uint64_t k_vma_executable = 0x04;
constexpr std::uint64_t k_vma_shared = 0x08;
constexpr std::uint64_t k_covering_or_next = 0x10;
constexpr std::uint64_t k_file_backed = 0x20;

// One VMA from the ioctl, owning what a MapsEntry views.
struct QueriedVma {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  char perms[5] = {};
  std::string name;
};

enum class QueryResult { done, unsupported, failed };

// The shared file-backed VMAs of the process behind `maps_fd`; `unsupported` when the kernel
// has no PROCMAP_QUERY (ENOTTY, or EINVAL for a fixture file), `failed` with errno set.
QueryResult query_vmas(int maps_fd, std::vector<QueriedVma> &vmas) {
  char name[4096];
  std::uint64_t addr = 0;
  for (;;) {
    ProcmapQuery q{};
    q.size = sizeof q;
    q.query_flags = k_covering_or_next | k_file_backed | k_vma_shared;
    q.query_addr = addr;
    q.vma_name_addr = reinterpret_cast<std::uintptr_t>(name);
    q.vma_name_size = sizeof name;
    if (::ioctl(maps_fd, k_procmap_query, &q) != 0) {
      if (errno == ENOENT)
        return QueryResult::done;
      if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
        return QueryResult::unsupported;
      return QueryResult::failed;
    }
    QueriedVma &vma = vmas.emplace_back();
    vma.start = q.vma_start;
    vma.end = q.vma_end;
    vma.dev = makedev(q.dev_major, q.dev_minor);
    vma.ino = q.inode;
    vma.perms[0] = (q.vma_flags & k_vma_readable) != 0 ? 'r' : '-';
    vma.perms[1] = (q.vma_flags & k_vma_writable) != 0 ? 'w' : '-';
    vma.perms[2] = (q.vma_flags & k_vma_executable) != 0 ? 'x' : '-';
    vma.perms[3] = 's';
    if (q.vma_name_size > 0)
      vma.name.assign(name, q.vma_name_size - 1); // the size counts the NUL
    if (q.vma_end <= addr)
      return QueryResult::done; // never loop
    addr = q.vma_end;
  }
}

// The same MapsEntry as the text gives, filtered the same way (parse_maps_line).
void entries_of(const std::vector<QueriedVma> &vmas, std::vector<MapsEntry> &entries) {
  for (const QueriedVma &vma : vmas) {
    std::string_view path = vma.name;
    if (path.empty() || path.front() != '/' || path == k_anonymous_shared)
      continue;
    MapsEntry entry;
    entry.start = vma.start;
    entry.end = vma.end;
    entry.perms = std::string_view(vma.perms, 4);
    entry.dev = vma.dev;
    entry.ino = vma.ino;
    entry.path = path;
    entry.sysv_name = is_sysv_path(path);
    entries.push_back(entry);
  }
}

// Whether to try PROCMAP_QUERY: yes unless SHMKIT_PROC_MAPS=text (tests of the text path).
bool query_wanted() {
  const char *how = std::getenv("SHMKIT_PROC_MAPS");
  return how == nullptr || std::string_view(how) != "text";
}

// One process: false when it could not be read (not when it vanished).
struct ProcessScanner {
  ProcessScanner(int dir_fd, bool fds, MapsFilter maps_filter)
      : proc_fd(dir_fd), with_fds(fds), filter(std::move(maps_filter)) {}
  int proc_fd;
  bool with_fds;
  MapsFilter filter;
  std::vector<char> buffer = std::vector<char>(k_initial_buffer);
  std::vector<MapsEntry> entries;
  std::vector<Use> uses;
  std::vector<QueriedVma> vmas;
  bool use_query = query_wanted(); ///< cleared when the kernel has no PROCMAP_QUERY

  bool scan(const char *name, pid_t pid, std::vector<SegmentUser> &users);
  /// True when process `name` is gone, a zombie, or exiting (PF_EXITING): one that failed to
  /// scan while dying holds nothing, and is no reason to call the scan partial.
  bool exited(const char *name);
  /// Fills `entries`; false with errno set when maps could not be read. `empty`: the process
  /// has no memory map at all (a kernel thread).
  bool read_maps(int pid_fd, bool &empty);
};

bool ProcessScanner::scan(const char *name, pid_t pid, std::vector<SegmentUser> &users) {
  UniqueFd pid_fd(::openat(proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!pid_fd)
    return vanished(errno);
  bool empty = false;
  uses.clear();
  if (!read_maps(pid_fd.get(), empty))
    return vanished(errno);
  collect_maps(entries, filter, pid_fd.get(), uses);
  // A kernel thread (empty maps) has no files of its own: its fd directory is not read, so
  // that a caller who may not read it does not count it as unreadable.
  if (with_fds && !empty && !scan_fds(pid_fd.get(), uses))
    return false;
  if (uses.empty())
    return true; // most processes: no need to read comm
  ssize_t comm_size = read_file_at(pid_fd.get(), "comm", buffer);
  if (comm_size < 0)
    return vanished(errno);
  std::string comm(buffer.data(), static_cast<std::size_t>(comm_size));
  if (!comm.empty() && comm.back() == '\n')
    comm.pop_back();
  merge_uses(uses);
  add_users(pid, comm, uses, users);
  return true;
}

bool ProcessScanner::exited(const char *name) {
  constexpr unsigned long k_pf_exiting = 0x4; // include/linux/sched.h
  UniqueFd pid_fd(::openat(proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!pid_fd)
    return vanished(errno);
  const ssize_t size = read_file_at(pid_fd.get(), "stat", buffer);
  if (size < 0)
    return false; // the process is there: its stat is unreadable, so it counts as unreadable
  // pid (comm) state ppid pgrp session tty_nr tpgid flags ...: comm may hold ')' and blanks.
  std::string_view stat(buffer.data(), static_cast<std::size_t>(size));
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos)
    return false;
  std::string_view rest = stat.substr(close + 1);
  const std::string_view state = next_field(rest);
  if (state == "Z" || state == "X" || state == "x")
    return true;
  for (int i = 0; i < 5; ++i) // ppid pgrp session tty_nr tpgid
    next_field(rest);
  unsigned long flags = 0;
  return parse_whole(next_field(rest), flags, 10) && (flags & k_pf_exiting) != 0;
}

bool ProcessScanner::read_maps(int pid_fd, bool &empty) {
  entries.clear();
  UniqueFd maps(::openat(pid_fd, "maps", O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!maps)
    return false;
  if (use_query) {
    vmas.clear();
    switch (query_vmas(maps.get(), vmas)) {
    case QueryResult::done:
      entries_of(vmas, entries);
      return true;
    case QueryResult::failed:
      // ESRCH: no memory map (a kernel thread, or a process that is exiting).
      empty = errno == ESRCH;
      return empty;
    case QueryResult::unsupported:
      use_query = false; // an older kernel, or a fixture tree: the text from now on
      break;
    }
  }
  ssize_t size = read_all(maps.get(), buffer);
  if (size < 0)
    return false;
  empty = size == 0;
  parse_maps_into(std::string_view(buffer.data(), static_cast<std::size_t>(size)), entries);
  return true;
}

} // namespace

std::vector<MapsEntry> parse_maps(std::string_view text) {
  std::vector<MapsEntry> entries;
  parse_maps_into(text, entries);
  return entries;
}

const std::vector<std::uint64_t> &sysv_devices() {
  static const std::vector<std::uint64_t> devices = [] {
    std::vector<std::uint64_t> found;
    // SysV segments are files on the kernel's internal shm mount (ipc/shm.c newseg:
    // shmem_kernel_file_setup), where memfds live too; SHM_HUGETLB ones on the internal
    // hugetlbfs mount, like MFD_HUGETLB memfds. Without memfd_create, any anonymous device
    // (major 0) is accepted.
    for (unsigned flags : {0u, static_cast<unsigned>(MFD_HUGETLB)})
      if (auto dev = memfd_device(flags))
        found.push_back(*dev);
    return found;
  }();
  return devices;
}

Result<UserScan> scan_holders(const Paths &paths, bool with_fds, IpcScope scope) {
  return scan_holders(paths, with_fds, sysv_devices(), scope);
}

Result<UserScan> scan_holders(const Paths &paths, bool with_fds,
                              std::span<const std::uint64_t> sysv_devs, IpcScope scope) {
  UniqueDir proc(::opendir(paths.proc.c_str()));
  if (!proc)
    return from_errno(errno, "cannot read " + paths.proc);
  int proc_fd = ::dirfd(proc.get());
  ProcessScanner scanner(proc_fd, with_fds,
                         MapsFilter{sysv_devs, ipc_namespace(proc_fd, "self/ns/ipc"), scope});
  UserScan scan;
  for (;;) {
    errno = 0;
    const dirent *entry = ::readdir(proc.get());
    if (entry == nullptr) {
      if (errno != 0)
        return from_errno(errno, "cannot read " + paths.proc);
      break;
    }
    pid_t pid = 0;
    if (!is_pid_name(entry->d_name) || !parse_whole(std::string_view(entry->d_name), pid, 10))
      continue;
    if (!scanner.scan(entry->d_name, pid, scan.users) && !scanner.exited(entry->d_name))
      ++scan.unreadable;
  }
  // readdir order is the kernel's (pid order on /proc, arbitrary on fixture trees); sort so
  // that output and tests are deterministic. Entries of one pid are already sorted.
  std::stable_sort(scan.users.begin(), scan.users.end(),
                   [](const SegmentUser &a, const SegmentUser &b) { return a.pid < b.pid; });
  return scan;
}

Result<std::vector<SegmentUser>> scan_users(const Paths &paths, bool with_fds) {
  auto scan = scan_holders(paths, with_fds);
  if (!scan)
    return std::move(scan).error();
  return std::move(scan->users);
}

UserKey user_key(const SegmentUser &user) {
  // SysV segments are matched by shmid alone: their device is the kernel's, whichever of its
  // internal mounts (plain or huge pages) holds them; and by namespace with IpcScope::every.
  return {user.sysv, user.sysv ? user.ipc_ns : user.dev, user.ino};
}

std::optional<UserKey> user_key(const SegmentInfo &info) {
  if (info.kind == Kind::sysv) {
    if (!info.id)
      return std::nullopt;
    return UserKey{true, 0, static_cast<std::uint64_t>(*info.id)};
  }
  if (!info.dev || !info.ino)
    return std::nullopt;
  return UserKey{false, static_cast<std::uint64_t>(*info.dev), static_cast<std::uint64_t>(*info.ino)};
}

std::vector<SegmentUser> users_of(const SegmentInfo &info, const std::vector<SegmentUser> &users) {
  std::vector<SegmentUser> found;
  if (info.kind == Kind::sysv) {
    if (!info.id)
      return found;
    auto shmid = static_cast<std::uint64_t>(*info.id);
    for (const SegmentUser &user : users) {
      if (user.sysv && user.ino == shmid)
        found.push_back(user);
    }
    return found;
  }
  // maps prints the superblock's device as major:minor, which makedev() encodes exactly as
  // stat() reports st_dev. (On btrfs subvolumes and overlayfs the two can differ; /dev/shm
  // is tmpfs, where they always agree.)
  if (!info.dev || !info.ino)
    return found;
  for (const SegmentUser &user : users) {
    if (!user.sysv && user.dev == static_cast<std::uint64_t>(*info.dev) &&
        user.ino == static_cast<std::uint64_t>(*info.ino))
      found.push_back(user);
  }
  return found;
}

} // namespace shmkit
