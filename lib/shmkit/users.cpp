#include "shmkit/users.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
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
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  bool maps = false;
  bool holds_fd = false;
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
ssize_t read_file_at(int dir_fd, const char *name, std::vector<char> &buffer) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd)
    return -1;
  std::size_t used = 0;
  for (;;) {
    if (used == buffer.size())
      buffer.resize(buffer.size() * 2);
    ssize_t n = ::read(fd.get(), buffer.data() + used, buffer.size() - used);
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
bool parse_maps_line(std::string_view line, Use &use) {
  next_field(line); // address range
  std::string_view perms = next_field(line);
  next_field(line); // offset
  std::string_view dev = next_field(line);
  std::string_view inode = next_field(line);
  if (perms.size() < 4 || perms[3] != 's')
    return false;
  while (!line.empty() && is_blank(line.front()))
    line.remove_prefix(1);
  std::string_view path = line;
  // An anonymous MAP_SHARED mapping is backed by an unlinked "dev/zero" on the kernel's
  // internal shm mount (mm/shmem.c, shmem_zero_setup): no segment anyone can name.
  if (path.empty() || path.front() != '/' || path == k_anonymous_shared)
    return false;
  std::size_t colon = dev.find(':');
  unsigned major = 0;
  unsigned minor = 0;
  if (colon == std::string_view::npos || !parse_whole(dev.substr(0, colon), major, 16) ||
      !parse_whole(dev.substr(colon + 1), minor, 16) || !parse_whole(inode, use.ino, 10))
    return false;
  use.dev = makedev(major, minor);
  // For SysV the inode is the shmid (newseg sets i_ino = id) and the device is the kernel's
  // internal shm mount, which stat() of nothing in the file tree can reach.
  use.sysv = is_sysv_path(path);
  use.maps = true;
  use.holds_fd = false;
  return true;
}

void scan_maps(const char *text, std::size_t size, std::vector<Use> &uses) {
  std::string_view rest(text, size);
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    Use use;
    if (parse_maps_line(line, use))
      uses.push_back(use);
  }
}

// Adds the regular files a process holds open. fstatat() through the fd directory follows
// the magic links to the open files themselves, so unlinked and out-of-namespace files
// still give the dev/ino that stat() of the segment gives, with no path to parse.
void scan_fds(int pid_fd, std::vector<Use> &uses) {
  UniqueFd fd_dir_fd(::openat(pid_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd_dir_fd)
    return;
  UniqueDir dir(::fdopendir(fd_dir_fd.get()));
  if (!dir)
    return;
  fd_dir_fd.release(); // now owned by dir
  int dir_fd = ::dirfd(dir.get());
  while (const dirent *entry = ::readdir(dir.get())) {
    if (entry->d_name[0] == '.')
      continue;
    struct stat st {};
    if (::fstatat(dir_fd, entry->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
      continue;
    Use use;
    use.dev = st.st_dev;
    use.ino = st.st_ino;
    use.holds_fd = true;
    uses.push_back(use);
  }
}

// Sorts the uses of one process and merges duplicates (one segment attached twice, or both
// mapped and held open) into one entry.
void merge_uses(std::vector<Use> &uses) {
  std::sort(uses.begin(), uses.end(),
            [](const Use &a, const Use &b) { return use_key(a) < use_key(b); });
  std::size_t out = 0;
  for (std::size_t i = 0; i < uses.size(); ++i) {
    if (out > 0 && use_key(uses[out - 1]) == use_key(uses[i])) {
      uses[out - 1].maps = uses[out - 1].maps || uses[i].maps;
      uses[out - 1].holds_fd = uses[out - 1].holds_fd || uses[i].holds_fd;
    } else {
      uses[out++] = uses[i];
    }
  }
  uses.resize(out);
}

} // namespace

Result<std::vector<SegmentUser>> scan_users(const Paths &paths, bool with_fds) {
  UniqueDir proc(::opendir(paths.proc.c_str()));
  if (!proc)
    return from_errno(errno, "cannot read " + paths.proc);
  int proc_fd = ::dirfd(proc.get());

  std::vector<SegmentUser> users;
  std::vector<char> buffer(k_initial_buffer);
  std::vector<Use> uses;
  for (;;) {
    errno = 0;
    const dirent *entry = ::readdir(proc.get());
    if (entry == nullptr) {
      if (errno != 0)
        return from_errno(errno, "cannot read " + paths.proc);
      break;
    }
    if (!is_pid_name(entry->d_name))
      continue;
    pid_t pid = 0;
    if (!parse_whole(std::string_view(entry->d_name), pid, 10))
      continue;

    // Every failure below means the process exited (ENOENT, ESRCH) or is not ours to
    // inspect (EACCES, EPERM): either way it is skipped, never reported.
    UniqueFd pid_fd(::openat(proc_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!pid_fd)
      continue;
    ssize_t maps_size = read_file_at(pid_fd.get(), "maps", buffer);
    if (maps_size < 0)
      continue;
    uses.clear();
    scan_maps(buffer.data(), static_cast<std::size_t>(maps_size), uses);
    if (with_fds)
      scan_fds(pid_fd.get(), uses);
    if (uses.empty())
      continue; // most processes: no need to read comm

    ssize_t comm_size = read_file_at(pid_fd.get(), "comm", buffer);
    if (comm_size < 0)
      continue;
    std::string comm(buffer.data(), static_cast<std::size_t>(comm_size));
    if (!comm.empty() && comm.back() == '\n')
      comm.pop_back();

    merge_uses(uses);
    for (const Use &use : uses) {
      SegmentUser &user = users.emplace_back();
      user.pid = pid;
      user.comm = comm;
      user.maps = use.maps;
      user.holds_fd = use.holds_fd;
      user.dev = use.dev;
      user.ino = use.ino;
      user.sysv = use.sysv;
    }
  }
  // readdir order is the kernel's (pid order on /proc, arbitrary on fixture trees); sort so
  // that output and tests are deterministic. Entries of one pid are already sorted.
  std::stable_sort(users.begin(), users.end(),
                   [](const SegmentUser &a, const SegmentUser &b) { return a.pid < b.pid; });
  return users;
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
