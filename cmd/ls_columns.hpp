// The columns of `shmkit ls`: ONE row per column holds everything about it (its -o name and
// JSON key, header, alignment, value kind, how it is read from a SegmentInfo, its help). The
// value kind decides how a cell is printed (ls_columns.cpp, format.hpp). Adding a column means
// adding its row here, plus its line in man/shmkit-ls.1.scd and in both completion scripts
// (cmd/README.md); the -o help below is built from the rows at compile time.
#pragma once

#include "format.hpp"
#include "json.hpp"
#include "ls_holders.hpp"
#include "ls_state.hpp"
#include "ls_memory.hpp"
#include "ls_namespaces.hpp"

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/users.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace shmkit::cli {

/// User and group names, each looked up once (getpwuid/getgrgid); the number when unknown.
class NameCache {
public:
  const std::string &user(uid_t uid);
  const std::string &group(gid_t gid);

private:
  std::unordered_map<uid_t, std::string> m_users;
  std::unordered_map<gid_t, std::string> m_groups;
};

struct HolderIndex; // ls_holders.cpp

/// What a column reads besides the SegmentInfo.
struct RowContext {
  NameCache names;
  /// Where /proc and /dev/shm are, for scans; nullptr: system_paths() (target.hpp).
  const Paths *paths = nullptr;
  /// *paths, or system_paths().
  const Paths &where() const;
  /// The /proc scan of holders (mappings and fds), done once on the first call (ls_holders.cpp)
  /// by a column with Column::needs_users; warns once on stderr when processes were unreadable.
  const UserScan &scan();
  /// The scan and its index by segment, made by scan() (ls_holders.hpp).
  std::shared_ptr<HolderIndex> holders;
  /// Whether the unreadable processes were warned about: later scans say nothing (ls --watch
  /// carries it from one context to the next, so a watch warns once, not at every rescan).
  bool warned_unreadable = false;
  /// Storage for the text of a list cell (valid until the next list cell is read).
  std::string list_text;
  /// ls --grace: how long after its last activity a segment without users stays idle (STATE).
  std::chrono::milliseconds grace = k_default_grace;
  /// The time STATE compares with, ms since the epoch; 0: taken by the first STATE cell.
  std::int64_t now_ms = 0;
  /// What the STATE and REASON cells keep between rows (ls_state.hpp), made on first use.
  std::shared_ptr<StateCache> state_cache;
  /// RSS and SWAP of the row measured last (ls_memory.hpp).
  MeasuredRow measured;
  /// ls --all-namespaces: the namespace the rows being listed are in (ls_namespaces.hpp);
  /// nullptr: that of system_paths(), read into own_ns on first use.
  const NamespaceView *ns = nullptr;
  std::shared_ptr<NamespaceView> own_ns;
};

/// How a column's values are printed (shmkit-ls(1) OUTPUT).
enum class ValueKind : std::uint8_t {
  address, ///< escaped in text and in JSON (the canonical address, usable as an argument)
  text,    ///< escaped in text; JSON string (U+FFFD for bad bytes) plus NAME_hex
  key,     ///< 0x%08x in text and JSON (a string)
  count,   ///< decimal; JSON number
  size,    ///< human units unless --bytes; JSON number of bytes
  perms,   ///< symbolic or octal (--numeric-perms); JSON "0640"
  time,    ///< --time-format in text; JSON ISO 8601 UTC string plus NAME_epoch
  list,    ///< comma-separated words, "-" when none; JSON array of strings
  holders, ///< PIDS: text as given; JSON array of objects (Cell::users) plus NAME_partial
};

enum class Align : std::uint8_t { left, right };

/// One value read from a segment; absent values print as "-" and JSON null.
struct Cell {
  bool present = false;
  std::uint64_t number = 0; ///< key, count, size, perms, time (seconds since the epoch)
  std::string_view text;    ///< address, text, list (comma-separated)
  const std::vector<const SegmentUser *> *users = nullptr; ///< holders: the processes
};

Cell number_cell(std::uint64_t v);
template <typename T> Cell number_cell(const std::optional<T> &v) {
  return v ? number_cell(static_cast<std::uint64_t>(*v)) : Cell{};
}
Cell text_cell(std::string_view s);
template <typename T> Cell text_cell(const std::optional<T> &v) {
  return v ? text_cell(std::string_view(*v)) : Cell{};
}
/// A time; 0 ("never") is absent.
Cell time_cell(const std::optional<std::time_t> &t);
/// NATTCH: the kernel's count, else the processes that map the object.
Cell attaches_cell(const SegmentInfo &s, RowContext &ctx);
/// STATUS: dest, locked, hugetlb, semaphore, not-regular, unlinked, then the seals (k_seal_words).
Cell status_cell(const SegmentInfo &s, RowContext &ctx);

struct Column {
  std::string_view name;   ///< -o and --sort name (any case) and JSON key
  std::string_view header; ///< table header and --export key
  Align align;
  ValueKind value;
  std::string_view help; ///< -o help, shmkit-ls(1)
  Cell (*read)(const SegmentInfo &, RowContext &);
  bool by_default = false; ///< in the default set (in registry order)
  bool needs_users = false; ///< may call RowContext::scan() (a /proc scan)
  bool by_namespace = false; ///< in the default set of ls --all-namespaces too (at the end)
};

using SI = const SegmentInfo &;
using RC = RowContext &;

// clang-format off
inline constexpr Column k_columns[] = {
  {"segment", "SEGMENT", Align::left, ValueKind::address, "canonical address, usable as an argument",
   [](SI s, RC) { return s.segment.empty() ? Cell{} : text_cell(s.segment); }, true},
  {"type", "TYPE", Align::left, ValueKind::text, "sysv, posix, file or memfd",
   [](SI s, RC) { return text_cell(kind_name(s.kind)); }, true},
  {"key", "KEY", Align::left, ValueKind::key, "SysV key",
   [](SI s, RC) { return number_cell(s.key); }, true},
  {"id", "ID", Align::right, ValueKind::count, "SysV shmid",
   [](SI s, RC) { return number_cell(s.id); }},
  {"name", "NAME", Align::left, ValueKind::text, "POSIX name, file path or memfd name",
   [](SI s, RC) { return text_cell(s.name); }},
  {"perms", "PERMS", Align::left, ValueKind::perms, "permissions",
   [](SI s, RC) { return number_cell(s.mode); }, true},
  {"owner", "OWNER", Align::left, ValueKind::text, "owner's user name",
   [](SI s, RC c) { return text_cell(c.names.user(s.uid)); }, true},
  {"group", "GROUP", Align::left, ValueKind::text, "owner's group name",
   [](SI s, RC c) { return text_cell(c.names.group(s.gid)); }},
  {"uid", "UID", Align::right, ValueKind::count, "owner's user id",
   [](SI s, RC) { return number_cell(s.uid); }},
  {"gid", "GID", Align::right, ValueKind::count, "owner's group id",
   [](SI s, RC) { return number_cell(s.gid); }},
  {"cuid", "CUID", Align::right, ValueKind::count, "creator's user id (SysV)",
   [](SI s, RC) { return number_cell(s.cuid); }},
  {"cgid", "CGID", Align::right, ValueKind::count, "creator's group id (SysV)",
   [](SI s, RC) { return number_cell(s.cgid); }},
  {"cuser", "CUSER", Align::left, ValueKind::text, "creator's user name (SysV)",
   [](SI s, RC c) { return s.cuid ? text_cell(c.names.user(*s.cuid)) : Cell{}; }},
  {"cgroup", "CGROUP", Align::left, ValueKind::text, "creator's group name (SysV)",
   [](SI s, RC c) { return s.cgid ? text_cell(c.names.group(*s.cgid)) : Cell{}; }},
  {"size", "SIZE", Align::right, ValueKind::size, "size",
   [](SI s, RC) { return number_cell(s.size); }, true},
  {"rss", "RSS", Align::right, ValueKind::size, "resident memory; - where the kernel refuses to say",
   rss_cell},
  {"swap", "SWAP", Align::right, ValueKind::size, "swapped-out memory; - where the kernel refuses to say",
   swap_cell},
  {"alloc", "ALLOC", Align::right, ValueKind::size, "allocated bytes (POSIX, file)",
   [](SI s, RC) { return number_cell(s.alloc); }},
  {"nattch", "NATTCH", Align::right, ValueKind::count, "attaches (SysV) or mapping processes (POSIX, file)",
   attaches_cell, true, true},
  {"cpid", "CPID", Align::right, ValueKind::count, "creator's pid (SysV)",
   [](SI s, RC) { return number_cell(s.cpid); }, true},
  {"lpid", "LPID", Align::right, ValueKind::count, "pid of the last attach or detach (SysV)",
   [](SI s, RC) { return number_cell(s.lpid); }, true},
  {"pids", "PIDS", Align::left, ValueKind::holders, "processes that map or hold it: PID plus m (mapped), w (writable), f (open fd); partial",
   pids_cell, false, true},
  {"command", "COMMAND", Align::left, ValueKind::list, "command names of those processes",
   command_cell, false, true},
  {"status", "STATUS", Align::left, ValueKind::list, "dest, locked, hugetlb, semaphore, not-regular, unlinked; memfd seals: seal-seal, seal-shrink, seal-grow, seal-write, seal-future-write, seal-exec",
   status_cell, true},
  {"state", "STATE", Align::left, ValueKind::text, "in-use, idle, orphaned, unknown or dest (see --grace)",
   state_cell, false, true},
  {"reason", "REASON", Align::left, ValueKind::list, "why that STATE: words such as attached, no-users, creator-dead (shmkit-ls(1))",
   reason_cell, false, true},
  {"atime", "ATIME", Align::left, ValueKind::time, "last attach (SysV) or access time",
   [](SI s, RC) { return time_cell(s.atime); }},
  {"dtime", "DTIME", Align::left, ValueKind::time, "last detach (SysV)",
   [](SI s, RC) { return time_cell(s.dtime); }},
  {"ctime", "CTIME", Align::left, ValueKind::time, "last change",
   [](SI s, RC) { return time_cell(s.ctime); }},
  {"mtime", "MTIME", Align::left, ValueKind::time, "last modification (POSIX, file)",
   [](SI s, RC) { return time_cell(s.mtime); }},
  {"ipcns", "IPCNS", Align::right, ValueKind::count, "IPC namespace (inode) of a SysV segment",
   ipcns_cell, false, false, true},
  {"shmdev", "SHMDEV", Align::left, ValueKind::text, "device (major:minor) of the /dev/shm of a POSIX object",
   shmdev_cell, false, false, true},
  {"nspid", "NSPID", Align::right, ValueKind::count, "a process in that namespace (with -A, the JSON target)",
   nspid_cell, false, false, true},
  {"nscomm", "NSCOMM", Align::left, ValueKind::text, "its command",
   nscomm_cell, false, false, true},
  {"container", "CONTAINER", Align::left, ValueKind::text, "its container: RUNTIME:ID from its cgroup, else the cgroup path",
   container_cell, false, false, true},
};
// clang-format on

/// The columns without -o, in registry order.
std::vector<const Column *> default_columns();
/// The columns of ls --all-namespaces without -o: the default ones, then IPCNS, SHMDEV, NSPID,
/// NSCOMM and CONTAINER.
std::vector<const Column *> namespace_columns();
/// The row named `name` (any case), or nullptr.
const Column *find_column(std::string_view name);
/// -o COLS: comma-separated names; "+COLS" appends to `defaults` (empty: default_columns()). A
/// column named twice is kept once, at its first place. Fails with invalid_argument for an
/// unknown or empty name (the message names `option`, the option the list came from).
Result<std::vector<const Column *>>
parse_columns(std::string_view spec, std::string_view option = "--output",
              const std::vector<const Column *> &defaults = {});

/// How cells become text in tables, --raw and --export.
struct TextStyle {
  bool bytes = false;         ///< --bytes
  bool numeric_perms = false; ///< --numeric-perms
  TimeFormat time = TimeFormat::short_form;
  std::time_t now = 0; ///< what "today" is for the short time format
};
/// Appends the text of `cell` (names escaped: odd bytes never reach a terminal raw).
void append_cell_text(std::string &out, const Column &column, const Cell &cell,
                      const TextStyle &style);
/// Writes the member(s) of `cell` into the current JSON object: "name": value, plus
/// "name_epoch" for times and "name_hex" for text that is not valid UTF-8.
void write_cell_json(JsonWriter &json, const Column &column, const Cell &cell);

// The -o help: a head line, then "  HEADER   help" per row, built at compile time.
namespace detail {
inline constexpr std::string_view k_output_head =
    "Columns to show (+COLS appends to the default). Available:";
inline constexpr std::size_t k_output_name_width = 10;
template <typename F> constexpr void for_each_help_piece(F put) {
  put(k_output_head);
  for (const Column &c : k_columns) {
    put("\n  ");
    put(c.header);
    for (std::size_t i = c.header.size(); i < k_output_name_width; ++i)
      put(" ");
    put(c.help);
  }
}
constexpr std::size_t output_help_size() {
  std::size_t n = 0;
  for_each_help_piece([&](std::string_view piece) { n += piece.size(); });
  return n;
}
constexpr std::array<char, output_help_size()> make_output_help() {
  std::array<char, output_help_size()> text{};
  std::size_t at = 0;
  for_each_help_piece([&](std::string_view piece) {
    for (char ch : piece)
      text[at++] = ch;
  });
  return text;
}
inline constexpr auto k_output_help_text = make_output_help();
} // namespace detail

/// The help of -o/--output: every column with its help.
inline constexpr std::string_view k_output_help{detail::k_output_help_text.data(),
                                                detail::k_output_help_text.size()};

} // namespace shmkit::cli
