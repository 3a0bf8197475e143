// The holders of segments for `shmkit ls` (shmkit-ls(1) PIDS, COMMAND, NATTCH, --pid): one
// /proc scan per command (RowContext::scan()), indexed by segment, and the cells made from it.
#pragma once

#include "shmkit/segment.hpp"
#include "shmkit/users.hpp"

#include <string>
#include <vector>

namespace shmkit::cli {

class JsonWriter;
struct Cell;
struct RowContext;

/// The processes that map or hold `s` (by pid), from ctx.scan(). With `selected`, only those
/// of the --pid processes (select_holders()). Valid until the next call.
const std::vector<const SegmentUser *> &holders_of(const SegmentInfo &s, RowContext &ctx,
                                                    bool selected = true);
/// Whether any --pid process (or, without --pid, any process) maps or holds `s`.
bool held_by_selected(const SegmentInfo &s, RowContext &ctx);
/// ls --pid: PIDS and COMMAND show only these processes; held_by_selected() tests them.
void select_holders(RowContext &ctx, const std::vector<pid_t> &pids);
/// Scans fds too only when `with_fds` (NATTCH alone needs only the maps); call before scan().
void scan_fds_too(RowContext &ctx, bool with_fds);
/// ls --all-namespaces: the scan keeps the SysV mappings of every IPC namespace, and a SysV
/// row's holders are those in RowContext::ns's namespace; call before scan().
void scan_every_namespace(RowContext &ctx);
/// ctx.scan(), with fds: scans again when the scan was made without (NATTCH alone), so that
/// an object only held open is found (unlinked objects).
const UserScan &scan_with_fds(RowContext &ctx);
/// Whether processes could not be read, so that holders may be missing.
bool holders_partial(RowContext &ctx);

/// NATTCH: the kernel's count, else the processes that map the object.
Cell mappers_cell(const SegmentInfo &s, RowContext &ctx);
/// PIDS: "PID" plus m (mapped), w (a writable mapping), f (open fd), comma-separated, then
/// "partial" when processes could not be read.
Cell pids_cell(const SegmentInfo &s, RowContext &ctx);
/// COMMAND: the command names of those processes, each once, commas escaped.
Cell command_cell(const SegmentInfo &s, RowContext &ctx);
/// The JSON of a PIDS cell: [{"pid", "command", "mapped", "writable", "fds"}...]; the key is
/// written by the caller.
void write_holders_json(JsonWriter &json, const Cell &cell);
/// One holder as an object, with "mappings" [{start, end, perms}] when `ranges` (--detail).
void write_holder_json(JsonWriter &json, const SegmentUser &user, bool ranges);

} // namespace shmkit::cli
