#include "shmkit/target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/namespaces.hpp"
#include "shmkit/text.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace shmkit {

namespace {

constexpr unsigned long k_pf_kthread = 0x00200000; // PF_KTHREAD, /proc/PID/stat field 9

// Why a /proc path of the target could not be read: it is gone (ENOENT, ESRCH) or ptrace
// access mode read is refused (EACCES, EPERM), which another user's process grants only with
// CAP_SYS_PTRACE (proc(5), ptrace(2)).
Error proc_error(int err, pid_t pid, const std::string &path) {
  if (err == ENOENT || err == ESRCH)
    return make_error(Errc::not_found, fmt::format("--target {}: no such process", pid));
  if (err == EACCES || err == EPERM)
    return make_error(Errc::permission_denied,
                      fmt::format("--target {}: cannot read {}: permission denied (another "
                                  "user's process needs CAP_SYS_PTRACE)",
                                  pid, path));
  return from_errno(err, fmt::format("--target {}: cannot read {}", pid, path));
}

// Command name, state and flags from /proc/PID/stat: a zombie or a kernel thread has no root
// or namespaces of its own to enter.
Result<void> check_process(Target &target, const Paths &host) {
  const std::string path = fmt::format("{}/{}/stat", host.proc, target.pid);
  std::string stat;
  if (auto read = read_whole_file(path, stat); !read)
    return proc_error(read.error().sys_errno, target.pid, path);
  std::size_t open = stat.find('(');
  std::size_t close = stat.rfind(')');
  auto state = stat_field(stat, 3);
  auto flags_text = stat_field(stat, 9);
  unsigned long flags = 0;
  if (open == std::string::npos || close < open || !state || !flags_text ||
      std::from_chars(flags_text->data(), flags_text->data() + flags_text->size(), flags).ec !=
          std::errc{})
    return make_error(Errc::bad_data,
                      fmt::format("--target {}: cannot parse {}", target.pid, path));
  target.command = stat.substr(open + 1, close - open - 1);
  const std::string who = fmt::format("--target {}: process {} ({})", target.pid, target.pid,
                                      printable_text(target.command));
  if (*state == "Z" || *state == "X")
    return make_error(Errc::not_supported,
                      who + " is a zombie: its root directory and namespaces are gone");
  if ((flags & k_pf_kthread) != 0)
    return make_error(Errc::not_supported,
                      who + " is a kernel thread: it has no IPC namespace or /dev/shm of its own");
  return {};
}

// The IPC namespace of the target, and whether it is the caller's.
Result<void> read_ipc_namespace(Target &target, const Paths &host) {
  const std::string self = host.proc + "/self/ns/ipc";
  struct stat st {};
  if (::lstat(self.c_str(), &st) != 0)
    return make_error(Errc::not_supported,
                      fmt::format("--target {}: this kernel has no IPC namespaces ({} is missing)",
                                  target.pid, self));
  const std::string path = fmt::format("{}/{}/ns/ipc", host.proc, target.pid);
  auto inode = read_ipc_link(AT_FDCWD, path.c_str());
  if (!inode && inode.error().code == Errc::bad_data)
    return make_error(Errc::bad_data,
                      fmt::format("--target {}: {}", target.pid, inode.error().message));
  if (!inode)
    return proc_error(inode.error().sys_errno, target.pid, path);
  target.ipc_ns = *inode;
  auto own = read_ipc_link(AT_FDCWD, self.c_str());
  target.same_ipc = own && *own == *inode;
  return {};
}

// Its root, its /dev/shm and its mount table, all through /proc/PID (no mount-namespace switch).
Result<void> read_root(Target &target, const Paths &host) {
  target.paths = process_paths(target.pid, host);
  struct stat st {};
  if (::stat(target.paths.root.c_str(), &st) != 0)
    return proc_error(errno, target.pid, target.paths.root);
  if (::stat(target.paths.dev_shm.c_str(), &st) == 0)
    target.dev_shm_dev = st.st_dev;
  else if (errno == EACCES || errno == EPERM)
    return proc_error(errno, target.pid, target.paths.dev_shm);
  return {};
}

} // namespace

Result<pid_t> parse_pid(std::string_view text, std::string_view option) {
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || pid <= 0)
    return make_error(
        Errc::invalid_argument,
        fmt::format("invalid {} value '{}' (process ids from 1)", option, escape_bytes(text)));
  return pid;
}

Result<Target> inspect_target(pid_t pid, const Paths &host) {
  Target target;
  target.pid = pid;
  if (auto ok = check_process(target, host); !ok)
    return std::move(ok).error();
  if (auto ok = read_ipc_namespace(target, host); !ok)
    return std::move(ok).error();
  if (auto ok = read_root(target, host); !ok)
    return std::move(ok).error();
  return target;
}

Result<void> enter_ipc_namespace(const Target &target) {
  if (target.same_ipc)
    return {}; // setns(2) would still demand CAP_SYS_ADMIN for nothing
  const std::string path = fmt::format("{}/{}/ns/ipc", target.paths.proc, target.pid);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return proc_error(errno, target.pid, path);
  struct stat st {};
  // The pid may have been reused since inspect_target(): it must be the same namespace.
  bool same = ::fstat(fd, &st) == 0 && st.st_ino == target.ipc_ns;
  int joined = same ? ::setns(fd, CLONE_NEWIPC) : 0;
  int err = errno;
  ::close(fd);
  if (!same)
    return make_error(Errc::not_found, fmt::format("--target {}: no such process", target.pid));
  if (joined == 0)
    return {};
  if (err == EPERM)
    return make_error(Errc::permission_denied,
                      fmt::format("--target {}: cannot join its IPC namespace: permission denied "
                                  "(setns(2) needs CAP_SYS_ADMIN in the target's user namespace)",
                                  target.pid));
  return from_errno(err, fmt::format("--target {}: cannot join its IPC namespace", target.pid));
}

std::string target_header(const Target &target) {
  return fmt::format("# ipc:[{}] /dev/shm of pid {} ({})", target.ipc_ns, target.pid,
                     printable_text(target.command));
}

std::string path_in_root(const Paths &paths, const std::string &path) {
  if (!paths.root.empty() && path.compare(0, paths.root.size(), paths.root) == 0)
    return path.substr(paths.root.size());
  return path;
}

} // namespace shmkit
