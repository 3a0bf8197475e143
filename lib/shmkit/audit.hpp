// shmkit ls --audit (shmkit-ls(1) AUDIT): findings about segments and about the host, computed
// by a pure function from facts the caller gathers, plus the pure parsers of those facts
// (/proc/self/mountinfo, logind.conf and its drop-ins, login.defs) and the readers of the
// configuration files, which take a root directory so tests can point them at fixtures.
#pragma once

#include "shmkit/housekeeping.hpp"
#include "shmkit/limits.hpp"
#include "shmkit/segment.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit {

/// One line of /proc/PID/mountinfo (proc(5)).
struct MountEntry {
  std::string mount_point;   ///< with the kernel's octal escapes (\040 ...) decoded
  std::string fs_type;       ///< "tmpfs"
  std::string source;        ///< "tmpfs", "/dev/sda1"
  std::string options;       ///< per-mount options: "rw,nosuid,nodev,relatime"
  std::string super_options; ///< per-superblock options: "rw,size=65536k"
  /// Whether `option` is one of the comma-separated per-mount options.
  bool has_option(std::string_view option) const;
};

/// Parses a mountinfo text, in order. Malformed lines (too few fields, no " - " separator) are
/// skipped, so the result is never an error.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

/// The mount that holds `path` (absolute, normalised): the entry whose mount point is the
/// longest prefix of `path` at a '/' boundary; the last such entry, since a later mount on the
/// same point hides an earlier one. nullptr when no entry matches.
const MountEntry *mount_of(const std::vector<MountEntry> &mounts, std::string_view path);

/// parse_mountinfo() of PATHS.proc/PATHS.mounts_of/mountinfo (mount points as that process
/// sees them); empty when it cannot be read.
std::vector<MountEntry> read_mounts(const Paths &paths);

/// A configuration file: where it was read and what it says.
struct ConfigFile {
  std::string path;
  std::string text;
};

/// A boolean setting and the file that set it ("" when it is the built-in default).
struct Setting {
  bool value = false;
  std::string source;
};

/// systemd's boolean words (1/yes/y/true/t/on, 0/no/n/false/f/off, any case); nullopt otherwise.
std::optional<bool> parse_systemd_bool(std::string_view word);

/// RemoveIPC= of the [Login] section, the files read in order (a later one overrides an earlier
/// one, as systemd does). nullopt when no file sets it (or only to a word that is not a boolean).
std::optional<Setting> parse_remove_ipc(std::span<const ConfigFile> files);

/// What is known of systemd-logind under a root directory.
struct LogindConfig {
  bool present = false;          ///< its binary or any of its configuration files exists
  std::vector<ConfigFile> files; ///< in the order systemd applies them
  /// RemoveIPC= as systemd-logind resolves it: the files, else its default, yes.
  Setting remove_ipc() const;
};

/// Reads logind's configuration under `root` ("" or "/" for the real one) the way
/// logind.conf(5) describes: the first of ROOT/{etc,run,usr/local/lib,usr/lib}/systemd/
/// logind.conf, then every logind.conf.d/*.conf of those directories, sorted by file name, a
/// name in an earlier directory masking the same name in a later one. Unreadable files are
/// skipped. Never fails.
LogindConfig read_logind_config(const std::string &root);

/// The highest uid of a system user per login.defs(5): SYS_UID_MAX, else UID_MIN - 1, else 999.
uid_t parse_sys_uid_max(std::string_view login_defs);

/// parse_sys_uid_max() of ROOT/etc/login.defs (999 when it cannot be read).
uid_t read_sys_uid_max(const std::string &root);

/// Whether getpwuid() knows `uid`.
bool has_passwd_entry(uid_t uid);

/// How serious a finding is. Only warning and critical make `ls --audit` exit 1.
enum class Severity : std::uint8_t { info, warning, critical };

/// "info", "warning", "critical".
std::string_view severity_name(Severity severity);

/// One finding of the audit.
struct Finding {
  std::string subject; ///< a segment's canonical address (raw bytes), or a host subject
  Severity severity = Severity::info;
  std::string_view id; ///< a stable word (shmkit-ls(1) AUDIT): "world-writable", ...
  std::string message; ///< one lowercase line, without the subject
};

/// What the audit knows of one segment.
struct AuditSegment {
  std::string segment; ///< canonical address (raw bytes)
  Kind kind = Kind::sysv;
  unsigned mode = 0;
  uid_t uid = 0;
  std::string owner;       ///< the owner's name, or the uid as text
  bool owner_known = true; ///< the uid has a passwd entry
  std::optional<State> state;
  std::optional<std::time_t> ctime;         ///< SysV: roughly when it was created
  std::optional<std::time_t> last_activity; ///< last_activity()
  /// Unlinked but still held (shmkit-ls(1) STATUS unlinked): its size and its holders, as
  /// "PID (COMMAND)" words.
  bool unlinked = false;
  std::uint64_t size = 0;
  std::vector<std::string> holders;
};

/// The size above which an unlinked object still held is reported (unlinked-held): 1 MiB.
inline constexpr std::uint64_t k_unlinked_report_size = 1024 * 1024;

/// Everything the audit looks at; absent facts make no finding.
struct AuditFacts {
  std::vector<AuditSegment> segments;
  std::string dev_shm_path = "/dev/shm";
  std::optional<MountEntry> dev_shm_mount;   ///< from mount_of(), nullopt when unknown
  std::optional<std::uint64_t> dev_shm_size; ///< statvfs, bytes
  std::optional<std::uint64_t> dev_shm_used;
  std::optional<Limits> limits; ///< SHMMNI, SHMALL and their use
  std::optional<bool> shm_rmid_forced;
  std::optional<LogindConfig> logind;
  uid_t sys_uid_max = 999;
  std::time_t now = 0;
  /// ls --grace: a SysV segment older than this is long-lived (shm-rmid-forced); an orphaned
  /// segment idle for longer is reported (orphaned).
  std::chrono::seconds age{3600};
};

/// The share of a limit in use above which a finding is made (devshm-full, shmmni-high,
/// shmall-high): more than 90%.
inline constexpr unsigned k_audit_full_percent = 90;

/// The findings, host findings first (in a fixed order), then per segment in the order of
/// `facts.segments`. See shmkit-ls(1) AUDIT for each id.
std::vector<Finding> audit(const AuditFacts &facts);

/// "45s", "12m", "3h", "2d": the largest whole unit (for messages).
std::string short_duration(std::int64_t seconds);

} // namespace shmkit
