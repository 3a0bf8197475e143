// The namespace columns of `shmkit ls` (shmkit-ls(1) ALL NAMESPACES): IPCNS, SHMDEV, NSPID,
// NSCOMM and CONTAINER, and the JSON row member "target". Under --all-namespaces each row is
// read in the namespace RowContext::ns names (ls_all.hpp); otherwise in the view of
// system_paths(): our own namespaces, or those of --target.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace shmkit {
struct SegmentInfo;
}

namespace shmkit::cli {

class JsonWriter;
struct Cell;
struct RowContext;

/// The namespace the rows being listed are in, and the process that stands for it.
struct NamespaceView {
  std::optional<std::uint64_t> ipc_ns; ///< IPCNS of SysV rows: the IPC namespace's inode
  std::optional<dev_t> shm_dev;        ///< SHMDEV of POSIX rows: the /dev/shm device
  std::string shm_dev_text;            ///< "major:minor" of shm_dev
  std::optional<pid_t> pid;            ///< NSPID, the JSON "target": a process in it
  std::string command;                 ///< NSCOMM: that process's command
  std::string container;               ///< CONTAINER: its cgroup hint; empty: none
  std::uint32_t order = 0;             ///< its place in the -A walk (the default sort)
};

/// "major:minor" of a device.
std::string device_text(dev_t dev);

/// IPCNS: the IPC namespace of a SysV row (Scope::ipc_namespace); absent for other kinds.
Cell ipcns_cell(const SegmentInfo &s, RowContext &ctx);
/// SHMDEV: the device of the /dev/shm a POSIX row is in (Scope::dev_shm).
Cell shmdev_cell(const SegmentInfo &s, RowContext &ctx);
/// NSPID: the process standing for the row's namespace (-A), or the --target process.
Cell nspid_cell(const SegmentInfo &s, RowContext &ctx);
/// NSCOMM: its command.
Cell nscomm_cell(const SegmentInfo &s, RowContext &ctx);
/// CONTAINER: its container hint (lib's container_hint()).
Cell container_cell(const SegmentInfo &s, RowContext &ctx);

/// The member `"target": PID` of one JSON row: the process to name with --target to act on the
/// row as printed (-A: NSPID; --target: its process); nothing otherwise.
void write_row_target(JsonWriter &json, const SegmentInfo &s, RowContext &ctx);

} // namespace shmkit::cli
