#include "shmkit/namespaces.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/text.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <memory>
#include <utility>

namespace shmkit {

namespace {

constexpr std::size_t k_container_id_size = 64;
constexpr std::size_t k_short_id_size = 12; // as `docker ps` shows ids
constexpr unsigned long k_pf_kthread = 0x00200000; // PF_KTHREAD, /proc/PID/stat field 9

bool is_container_id(std::string_view text) {
  return text.size() == k_container_id_size &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "PREFIX<id>" or "PREFIX<id>.scope": the id, else empty.
std::string_view id_after(std::string_view component, std::string_view prefix) {
  if (component.substr(0, prefix.size()) != prefix)
    return {};
  component.remove_prefix(prefix.size());
  constexpr std::string_view k_scope = ".scope";
  if (component.size() > k_scope.size() &&
      component.substr(component.size() - k_scope.size()) == k_scope)
    component.remove_suffix(k_scope.size());
  return is_container_id(component) ? component : std::string_view{};
}

// The container id a cgroup path shows, as "RUNTIME:ID12", or empty. The last component that
// names one wins: a container's own scope lies below its pod's slice.
std::string id_hint(std::string_view path) {
  struct Prefix {
    std::string_view prefix;
    std::string_view runtime;
  };
  // systemd cgroup driver: docker-ID.scope, libpod-ID.scope, cri-containerd-ID.scope,
  // crio-ID.scope; cgroupfs driver: libpod-ID under libpod_parent. The conmon scopes of
  // podman and cri-o (libpod-conmon-ID, crio-conmon-ID) hold the monitor, not the container.
  static constexpr Prefix k_prefixes[] = {{"docker-", "docker"},
                                          {"libpod-", "podman"},
                                          {"cri-containerd-", "containerd"},
                                          {"crio-", "crio"}};
  const bool kube = path.find("kubepods") != std::string_view::npos;
  std::string_view parent;
  std::string found;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view component = path.substr(0, slash);
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    if (component.empty())
      continue;
    for (const Prefix &p : k_prefixes)
      if (auto id = id_after(component, p.prefix); !id.empty())
        found = fmt::format("{}:{}", p.runtime, id.substr(0, k_short_id_size));
    // cgroupfs driver: /docker/ID, /kubepods/burstable/podUID/ID.
    if (is_container_id(component) && (parent == "docker" || kube))
      found = fmt::format("{}:{}", parent == "docker" ? "docker" : "kubepods",
                          component.substr(0, k_short_id_size));
    parent = component;
  }
  return found;
}

// The path of one /proc/PID/cgroup line, "HIERARCHY:CONTROLLERS:PATH"; nullopt when malformed.
std::optional<std::string_view> cgroup_path(std::string_view line, bool &unified) {
  std::size_t first = line.find(':');
  if (first == std::string_view::npos)
    return std::nullopt;
  std::size_t second = line.find(':', first + 1);
  if (second == std::string_view::npos)
    return std::nullopt;
  unified = line.substr(0, first) == "0" && second == first + 1;
  return line.substr(second + 1);
}

struct DirCloser {
  void operator()(DIR *dir) const noexcept { ::closedir(dir); }
};

bool is_pid_name(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool vanished(int err) { return err == ENOENT || err == ESRCH || err == ENOTDIR; }

// Whether PROC/PID is a kernel thread, which has no namespaces of its own to list (and whose
// links another user may not read): PF_KTHREAD in field 9 of its stat.
bool kernel_thread(const std::string &proc, std::string_view pid) {
  std::string stat;
  if (!read_whole_file(fmt::format("{}/{}/stat", proc, pid), stat))
    return false;
  auto flags_text = stat_field(stat, 9);
  unsigned long flags = 0;
  return flags_text &&
         std::from_chars(flags_text->data(), flags_text->data() + flags_text->size(), flags)
                 .ec == std::errc{} &&
         (flags & k_pf_kthread) != 0;
}

} // namespace

std::optional<std::uint64_t> parse_ipc_link(std::string_view link) {
  constexpr std::string_view k_prefix = "ipc:[";
  if (link.size() < k_prefix.size() + 2 || link.substr(0, k_prefix.size()) != k_prefix ||
      link.back() != ']')
    return std::nullopt;
  std::string_view digits = link.substr(k_prefix.size(), link.size() - k_prefix.size() - 1);
  std::uint64_t inode = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  if (ec != std::errc{} || end != digits.data() + digits.size())
    return std::nullopt;
  return inode;
}

Result<std::uint64_t> read_ipc_link(int dir_fd, const char *path) {
  char buf[64];
  ssize_t n = ::readlinkat(dir_fd, path, buf, sizeof buf);
  if (n < 0)
    return from_errno(errno, fmt::format("cannot read {}", path));
  std::string_view link(buf, static_cast<std::size_t>(n));
  auto inode = parse_ipc_link(link);
  if (!inode)
    return make_error(Errc::bad_data,
                      fmt::format("{} reads '{}', not ipc:[N]", path, escape_bytes(link)));
  return *inode;
}

std::string container_hint(std::string_view cgroup_text) {
  std::optional<std::string_view> unified_path;
  std::optional<std::string_view> first_path;
  std::string found;
  while (!cgroup_text.empty()) {
    std::size_t eol = cgroup_text.find('\n');
    std::string_view line = cgroup_text.substr(0, eol);
    cgroup_text.remove_prefix(eol == std::string_view::npos ? cgroup_text.size() : eol + 1);
    bool unified = false;
    auto path = cgroup_path(line, unified);
    if (!path || path->empty())
      continue;
    if (unified && !unified_path)
      unified_path = path;
    if (!first_path)
      first_path = path;
    if (found.empty())
      found = id_hint(*path);
  }
  if (!found.empty())
    return found;
  if (unified_path)
    return std::string(*unified_path);
  return first_path ? std::string(*first_path) : std::string();
}

NamespaceMember describe_member(pid_t pid, const Paths &host) {
  NamespaceMember member;
  member.pid = pid;
  if (read_whole_file(fmt::format("{}/{}/comm", host.proc, pid), member.command) &&
      !member.command.empty() && member.command.back() == '\n')
    member.command.pop_back();
  std::string cgroup;
  if (read_whole_file(fmt::format("{}/{}/cgroup", host.proc, pid), cgroup))
    member.container = container_hint(cgroup);
  return member;
}

Paths process_paths(pid_t pid, const Paths &host) {
  Paths paths = host;
  paths.root = fmt::format("{}/{}/root", host.proc, pid);
  paths.dev_shm = paths.root + "/dev/shm";
  paths.mounts_of = std::to_string(pid);
  return paths;
}

Result<NamespaceScan> discover_namespaces(const Paths &host) {
  std::unique_ptr<DIR, DirCloser> proc(::opendir(host.proc.c_str()));
  if (!proc)
    return from_errno(errno, "cannot read " + host.proc);
  const int proc_fd = ::dirfd(proc.get());
  NamespaceScan scan;
  if (auto own = read_ipc_link(proc_fd, "self/ns/ipc"))
    scan.own_ipc = *own;
  // inode -> index in scan.ipc; (dev, ino) -> index in scan.dev_shm.
  std::map<std::uint64_t, std::size_t> ipc_at;
  std::map<std::pair<dev_t, ino_t>, std::size_t> shm_at;
  std::string path;
  for (;;) {
    errno = 0;
    const dirent *entry = ::readdir(proc.get());
    if (entry == nullptr) {
      if (errno != 0)
        return from_errno(errno, "cannot read " + host.proc);
      break;
    }
    const std::string_view name = entry->d_name;
    pid_t pid = 0;
    if (!is_pid_name(name) ||
        std::from_chars(name.data(), name.data() + name.size(), pid).ec != std::errc{})
      continue;
    path.assign(name).append("/ns/ipc");
    auto inode = read_ipc_link(proc_fd, path.c_str());
    path.assign(name).append("/root/dev/shm");
    struct stat st {};
    const bool has_shm = ::fstatat(proc_fd, path.c_str(), &st, 0) == 0;
    const int shm_errno = has_shm ? 0 : errno;
    const bool refused = (!inode && !vanished(inode.error().sys_errno)) ||
                         (!has_shm && (shm_errno == EACCES || shm_errno == EPERM));
    if (refused && !kernel_thread(host.proc, name))
      ++scan.uninspected;
    if (inode) {
      auto [it, fresh] = ipc_at.try_emplace(*inode, scan.ipc.size());
      if (fresh)
        scan.ipc.push_back({*inode, NamespaceMember{pid, {}, {}}, 0});
      IpcNamespaceUse &use = scan.ipc[it->second];
      use.member.pid = std::min(use.member.pid, pid);
      ++use.processes;
    }
    if (has_shm && S_ISDIR(st.st_mode)) {
      auto [it, fresh] = shm_at.try_emplace({st.st_dev, st.st_ino}, scan.dev_shm.size());
      if (fresh)
        scan.dev_shm.push_back({st.st_dev, st.st_ino, NamespaceMember{pid, {}, {}}, 0});
      DevShmUse &use = scan.dev_shm[it->second];
      use.member.pid = std::min(use.member.pid, pid);
      ++use.processes;
    }
  }
  auto by_pid = [](const auto &a, const auto &b) { return a.member.pid < b.member.pid; };
  std::sort(scan.ipc.begin(), scan.ipc.end(), by_pid);
  std::sort(scan.dev_shm.begin(), scan.dev_shm.end(), by_pid);
  // One read of comm and cgroup per namespace, not per process.
  for (IpcNamespaceUse &use : scan.ipc)
    use.member = describe_member(use.member.pid, host);
  for (DevShmUse &use : scan.dev_shm)
    use.member = describe_member(use.member.pid, host);
  return scan;
}

Result<IpcNamespaceSwitch> IpcNamespaceSwitch::open(const Paths &host) {
  const std::string path = host.proc + "/self/ns/ipc";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return from_errno(errno, "cannot open " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return from_errno(err, "cannot stat " + path);
  }
  return IpcNamespaceSwitch(fd, st.st_ino, host.proc);
}

IpcNamespaceSwitch::IpcNamespaceSwitch(IpcNamespaceSwitch &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_own(other.m_own), m_current(other.m_current),
      m_proc(std::move(other.m_proc)) {}

IpcNamespaceSwitch::~IpcNamespaceSwitch() {
  if (m_fd < 0)
    return;
  (void)leave();
  ::close(m_fd);
}

Result<void> IpcNamespaceSwitch::enter(pid_t pid, std::uint64_t inode) {
  if (inode == (m_current != 0 ? m_current : m_own))
    return {};
  if (inode == m_own)
    return leave();
  const std::string path = fmt::format("{}/{}/ns/ipc", m_proc, pid);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return vanished(errno) ? make_error(Errc::not_found, fmt::format("process {} exited", pid))
                           : from_errno(errno, "cannot open " + path);
  struct stat st {};
  // The pid may have been reused since the discovery: it must still be the same namespace.
  const bool same = ::fstat(fd, &st) == 0 && st.st_ino == inode;
  const int joined = same ? ::setns(fd, CLONE_NEWIPC) : 0;
  const int err = errno;
  ::close(fd);
  if (!same)
    return make_error(Errc::not_found, fmt::format("process {} exited", pid));
  if (joined != 0)
    return err == EPERM ? make_error(Errc::permission_denied,
                                     fmt::format("cannot join ipc:[{}]: permission denied "
                                                 "(setns(2) needs CAP_SYS_ADMIN)",
                                                 inode))
                        : from_errno(err, fmt::format("cannot join ipc:[{}]", inode));
  m_current = inode;
  return {};
}

Result<void> IpcNamespaceSwitch::leave() {
  if (m_current == 0)
    return {};
  if (::setns(m_fd, CLONE_NEWIPC) != 0)
    return from_errno(errno, "cannot return to our own IPC namespace");
  m_current = 0;
  return {};
}

} // namespace shmkit
