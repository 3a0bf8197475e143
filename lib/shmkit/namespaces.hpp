// ls --all-namespaces (shmkit-ls(1) ALL NAMESPACES): the IPC namespaces and the /dev/shm
// directories that running processes use, found from /proc/*/ns/ipc and the device and inode
// of /proc/*/root/dev/shm, deduplicated by namespace inode and by device and inode, never by
// path; and the switch that joins IPC namespaces one after the other and comes back.
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit {

/// The inode of an IPC namespace link's text, "ipc:[4026531839]"; nullopt when the text is
/// not of that form. Pure.
std::optional<std::uint64_t> parse_ipc_link(std::string_view link);

/// The IPC namespace the symlink `path` (relative to `dir_fd`, or AT_FDCWD) names, such as
/// /proc/PID/ns/ipc. Fails as from_errno() with sys_errno set (ENOENT: gone; EACCES: no ptrace
/// access), or with bad_data when the link does not read ipc:[N]. Messages name `path`.
Result<std::uint64_t> read_ipc_link(int dir_fd, const char *path);

/// The CONTAINER hint of a process from its /proc/PID/cgroup text: "RUNTIME:ID12" when its
/// cgroup path shows a container id (docker-ID.scope or /docker/ID: docker; libpod-ID: podman;
/// cri-containerd-ID: containerd; crio-ID: crio; a bare 64-hex id under /kubepods: kubepods),
/// with the first 12 hex digits as `docker ps` shows them; else the cgroup path (the cgroup v2
/// line "0::PATH", else the first v1 line's); empty when the text has no path. Pure.
std::string container_hint(std::string_view cgroup_text);

/// A process that stands for a namespace: the lowest pid in it.
struct NamespaceMember {
  pid_t pid = 0;
  std::string command;   ///< /proc/PID/comm without its newline (raw bytes); empty if gone
  std::string container; ///< container_hint() of /proc/PID/cgroup; empty if unreadable
};

/// One distinct IPC namespace.
struct IpcNamespaceUse {
  std::uint64_t inode = 0;
  NamespaceMember member;
  std::size_t processes = 0; ///< how many processes are in it
};

/// One distinct /dev/shm directory (by device and inode: two mounts of one tmpfs directory are
/// one, two tmpfs mounts are two).
struct DevShmUse {
  dev_t dev = 0;
  ino_t ino = 0;
  NamespaceMember member;
  std::size_t processes = 0;
};

/// What discover_namespaces() found, each list in ascending order of the member's pid.
struct NamespaceScan {
  std::vector<IpcNamespaceUse> ipc;
  std::vector<DevShmUse> dev_shm;
  /// Processes whose ns/ipc link or root could not be read (EACCES, EPERM: another user's
  /// process without CAP_SYS_PTRACE); kernel threads and processes that exited are not counted.
  std::size_t uninspected = 0;
  std::uint64_t own_ipc = 0; ///< the caller's IPC namespace (0: unknown)
};

/// Reads every process under `host.proc` once: its IPC namespace link and the device and
/// inode of its root's /dev/shm (processes without one have no /dev/shm entry). Fails only
/// when the proc directory cannot be read (from_errno).
Result<NamespaceScan> discover_namespaces(const Paths &host = {});

/// The command and container hint of `pid` (best effort: empty when unreadable).
NamespaceMember describe_member(pid_t pid, const Paths &host = {});

/// The Paths that see what process `pid` sees through /proc/PID/root, without a mount
/// namespace switch: its /dev/shm, its root for files, its mount table.
Paths process_paths(pid_t pid, const Paths &host = {});

/// Joins IPC namespaces one after the other and returns to the caller's own (ls -A). setns(2)
/// needs a single-threaded caller. The destructor returns to the caller's namespace.
class IpcNamespaceSwitch {
public:
  /// Keeps an fd on the caller's own IPC namespace. Fails as from_errno() when
  /// /proc/self/ns/ipc cannot be opened.
  static Result<IpcNamespaceSwitch> open(const Paths &host = {});
  IpcNamespaceSwitch(IpcNamespaceSwitch &&other) noexcept;
  IpcNamespaceSwitch &operator=(IpcNamespaceSwitch &&) = delete;
  IpcNamespaceSwitch(const IpcNamespaceSwitch &) = delete;
  IpcNamespaceSwitch &operator=(const IpcNamespaceSwitch &) = delete;
  ~IpcNamespaceSwitch();

  /// Joins the IPC namespace of `pid` if it is still `inode` (nothing to do for our own).
  /// Fails with not_found (the process exited, or its pid now names another namespace),
  /// permission_denied (setns(2) needs CAP_SYS_ADMIN over the namespace's user namespace;
  /// opening the link needs ptrace access) or another Errc of from_errno().
  Result<void> enter(pid_t pid, std::uint64_t inode);
  /// Back to the caller's own namespace. Fails as from_errno() (setns(2)).
  Result<void> leave();

private:
  IpcNamespaceSwitch(int fd, std::uint64_t inode, std::string proc)
      : m_fd(fd), m_own(inode), m_proc(std::move(proc)) {}
  int m_fd = -1;
  std::uint64_t m_own = 0;
  std::uint64_t m_current = 0; ///< 0: our own
  std::string m_proc;
};

} // namespace shmkit
