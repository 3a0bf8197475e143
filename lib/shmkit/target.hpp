// shmkit --target PID (shmkit(1) CONTAINERS): work in the namespaces of another process, as
// nsenter -t does. SysV through its IPC namespace (setns(2) on /proc/PID/ns/ipc, while the
// caller is still single-threaded); POSIX objects and files through its root directory,
// /proc/PID/root, which needs no mount-namespace switch (DESIGN.md section 5).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shmkit {

/// A process whose namespaces a command works in, as inspect_target() found it.
struct Target {
  pid_t pid = 0;
  std::string command;              ///< /proc/PID/comm without its newline (raw bytes)
  std::uint64_t ipc_ns = 0;         ///< inode of its IPC namespace ("ipc:[N]")
  std::optional<dev_t> dev_shm_dev; ///< device of its /dev/shm; none when it has no /dev/shm
  bool same_ipc = false;            ///< it shares the caller's IPC namespace: nothing to join
  /// Where its segments are: dev_shm and root under PROC/PID/root, its mount table.
  Paths paths;
};

/// A process id typed on the command line: decimal, from 1, within pid_t. Fails with
/// invalid_argument "invalid OPTION value 'TEXT' (process ids from 1)".
Result<pid_t> parse_pid(std::string_view text, std::string_view option);

/// Looks at process `pid` under `host.proc` without changing anything: that the kernel has IPC
/// namespaces (not_supported), that the process exists (not_found), is neither a zombie nor a
/// kernel thread (not_supported, saying which), and that its namespace and root may be read
/// (permission_denied, naming CAP_SYS_PTRACE). Messages start with "--target PID: ".
Result<Target> inspect_target(pid_t pid, const Paths &host = {});

/// Joins the target's IPC namespace (setns(2), CLONE_NEWIPC) unless it is already ours. Must be
/// called before any other thread exists. Fails with not_found (it exited), permission_denied
/// (naming CAP_SYS_PTRACE or CAP_SYS_ADMIN) or io.
Result<void> enter_ipc_namespace(const Target &target);

/// The table header line that names what a --target listing read, without its newline:
/// "# ipc:[4026532281] /dev/shm of pid 4242 (nginx)" (the command name escaped).
std::string target_header(const Target &target);

/// A path as the process whose root `paths` looks through sees it: `path` without the
/// Paths::root prefix ("/proc/42/root/dev/shm" -> "/dev/shm").
std::string path_in_root(const Paths &paths, const std::string &path);

} // namespace shmkit
