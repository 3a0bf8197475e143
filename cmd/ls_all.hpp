// shmkit ls --all-namespaces (shmkit-ls(1) ALL NAMESPACES): one table over every distinct IPC
// namespace and every distinct /dev/shm that running processes use (lib's namespaces.hpp).
// SysV segments are listed inside each IPC namespace, joined in turn with setns(2) (the
// caller is single-threaded) and left for our own after the last; POSIX objects through
// /proc/PID/root/dev/shm of a process that sees that /dev/shm. One /proc scan of holders
// serves every namespace (IpcScope::every).
#pragma once

#include "command.hpp"
#include "ls_run.hpp"

namespace shmkit::cli {

/// Lists every namespace's segments into one table. Namespaces that could not be entered or
/// read, and processes that could not be inspected, are counted in one warning; the outcome
/// stays ok for them. Fails when /proc cannot be read or our own IPC namespace cannot be
/// returned to; a namespace whose listing fails otherwise is reported and makes it `failed`.
Result<Outcome> run_all_namespaces(const ListRequest &request);

} // namespace shmkit::cli
