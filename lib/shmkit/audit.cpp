#include "shmkit/audit.hpp"

#include "shmkit/fileio.hpp"

#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <set>

namespace shmkit {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The next space-separated field of a mountinfo line.
std::string_view next_field(std::string_view &line) {
  while (!line.empty() && line.front() == ' ')
    line.remove_prefix(1);
  auto end = line.find(' ');
  std::string_view field = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return field;
}

// The kernel escapes space, tab, newline and backslash in mountinfo paths as \ooo (octal).
std::string unescape_octal(std::string_view s) {
  auto oct = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::optional<MountEntry> parse_mount_line(std::string_view line) {
  std::array<std::string_view, 6> head;
  for (auto &field : head) {
    field = next_field(line);
    if (field.empty())
      return std::nullopt;
  }
  // Optional fields (shared:N, master:N, ...) up to the lone "-".
  while (true) {
    std::string_view field = next_field(line);
    if (field.empty())
      return std::nullopt;
    if (field == "-")
      break;
  }
  MountEntry entry;
  entry.mount_point = unescape_octal(head[4]);
  entry.options = std::string(head[5]);
  entry.fs_type = std::string(next_field(line));
  entry.source = unescape_octal(next_field(line));
  entry.super_options = std::string(next_field(line));
  if (entry.fs_type.empty())
    return std::nullopt;
  return entry;
}

bool is_system(uid_t uid, uid_t sys_uid_max) { return uid <= sys_uid_max; }

std::string percent_text(std::uint64_t used, std::uint64_t total) {
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(used) / static_cast<double>(total));
}

bool above_full(std::uint64_t used, std::uint64_t total) {
  return total > 0 &&
         static_cast<double>(used) * 100.0 > static_cast<double>(total) * k_audit_full_percent;
}

// The files of a directory whose names end in ".conf".
std::vector<std::string> conf_names(const std::string &dir) {
  std::vector<std::string> names;
  std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(dir.c_str()), ::closedir);
  if (!d)
    return names;
  while (const dirent *e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".conf" && name.front() != '.')
      names.emplace_back(name);
  }
  return names;
}

bool exists(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void host_findings(const AuditFacts &f, std::vector<Finding> &out);
void limit_findings(const AuditFacts &f, std::vector<Finding> &out);
void segment_findings(const AuditFacts &f, const AuditSegment &s, std::vector<Finding> &out);

} // namespace

bool MountEntry::has_option(std::string_view option) const {
  std::string_view rest = options;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    if (rest.substr(0, comma) == option)
      return true;
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> mounts;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (auto entry = parse_mount_line(line))
      mounts.push_back(std::move(*entry));
  }
  return mounts;
}

const MountEntry *mount_of(const std::vector<MountEntry> &mounts, std::string_view path) {
  const MountEntry *best = nullptr;
  for (const MountEntry &m : mounts) {
    std::string_view mp = m.mount_point;
    bool covers =
        mp == "/" || path == mp ||
        (path.size() > mp.size() && path.substr(0, mp.size()) == mp && path[mp.size()] == '/');
    if (covers && (best == nullptr || mp.size() >= best->mount_point.size()))
      best = &m;
  }
  return best;
}

std::vector<MountEntry> read_mounts(const Paths &paths) {
  std::string text;
  if (!read_whole_file(paths.proc + "/" + paths.mounts_of + "/mountinfo", text))
    return {};
  return parse_mountinfo(text);
}

std::optional<bool> parse_systemd_bool(std::string_view word) {
  std::string w(word);
  std::transform(w.begin(), w.end(), w.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char *yes : {"1", "yes", "y", "true", "t", "on"})
    if (w == yes)
      return true;
  for (const char *no : {"0", "no", "n", "false", "f", "off"})
    if (w == no)
      return false;
  return std::nullopt;
}

std::optional<Setting> parse_remove_ipc(std::span<const ConfigFile> files) {
  std::optional<Setting> setting;
  for (const ConfigFile &file : files) {
    std::string_view text = file.text;
    bool in_login = false;
    while (!text.empty()) {
      auto nl = text.find('\n');
      std::string_view line = trim(text.substr(0, nl));
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      if (line.empty() || line.front() == '#' || line.front() == ';')
        continue;
      if (line.front() == '[') {
        in_login = line == "[Login]";
        continue;
      }
      auto eq = line.find('=');
      if (!in_login || eq == std::string_view::npos || trim(line.substr(0, eq)) != "RemoveIPC")
        continue;
      if (auto value = parse_systemd_bool(trim(line.substr(eq + 1))))
        setting = Setting{*value, file.path};
    }
  }
  return setting;
}

Setting LogindConfig::remove_ipc() const {
  // logind.conf(5): "Defaults to yes."
  return parse_remove_ipc(files).value_or(Setting{true, ""});
}

LogindConfig read_logind_config(const std::string &root) {
  std::string base = root == "/" ? "" : root;
  static constexpr const char *k_dirs[] = {"/etc/systemd", "/run/systemd", "/usr/local/lib/systemd",
                                           "/usr/lib/systemd"};
  LogindConfig config;
  ConfigFile file;
  for (const char *dir : k_dirs) {
    file.path = base + dir + "/logind.conf";
    if (read_whole_file(file.path, file.text)) {
      config.files.push_back(file);
      break;
    }
  }
  // Drop-ins: sorted by name across the directories; the first directory's file wins a name.
  std::map<std::string, std::string> dropins;
  for (const char *dir : k_dirs) {
    std::string d = base + dir + "/logind.conf.d";
    for (auto &name : conf_names(d))
      dropins.emplace(name, d + "/" + name);
  }
  for (const auto &[name, path] : dropins) {
    file.path = path;
    if (read_whole_file(path, file.text))
      config.files.push_back(file);
  }
  config.present = !config.files.empty() || exists(base + "/usr/lib/systemd/systemd-logind") ||
                   exists(base + "/lib/systemd/systemd-logind");
  return config;
}

uid_t parse_sys_uid_max(std::string_view text) {
  std::optional<std::uint64_t> sys_max, uid_min;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    auto space = line.find_first_of(" \t");
    if (line.empty() || line.front() == '#' || space == std::string_view::npos)
      continue;
    std::string_view name = line.substr(0, space), value = trim(line.substr(space));
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc{} || end != value.data() + value.size())
      continue;
    if (name == "SYS_UID_MAX")
      sys_max = v;
    else if (name == "UID_MIN" && v > 0)
      uid_min = v - 1;
  }
  return static_cast<uid_t>(sys_max ? *sys_max : uid_min ? *uid_min : 999);
}

uid_t read_sys_uid_max(const std::string &root) {
  std::string text;
  if (!read_whole_file((root == "/" ? "" : root) + "/etc/login.defs", text))
    return 999;
  return parse_sys_uid_max(text);
}

bool has_passwd_entry(uid_t uid) { return ::getpwuid(uid) != nullptr; }

std::string_view severity_name(Severity severity) {
  switch (severity) {
  case Severity::info:
    return "info";
  case Severity::warning:
    return "warning";
  case Severity::critical:
    return "critical";
  }
  return "info";
}

std::string short_duration(std::int64_t s) {
  if (s < 0)
    s = 0;
  if (s >= 86400)
    return fmt::format("{}d", s / 86400);
  if (s >= 3600)
    return fmt::format("{}h", s / 3600);
  if (s >= 60)
    return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

namespace {

void mount_findings(const AuditFacts &f, std::vector<Finding> &out) {
  if (!f.dev_shm_mount)
    return;
  struct Check {
    std::string_view option, id, why;
    Severity severity;
  };
  static constexpr Check k_checks[] = {
      {"nosuid", "devshm-nosuid", "set-uid programs placed there run with their owner's rights",
       Severity::warning},
      {"nodev", "devshm-nodev", "device files placed there give access to devices",
       Severity::warning},
      {"noexec", "devshm-noexec", "programs placed there can be run", Severity::info},
  };
  for (const Check &c : k_checks)
    if (!f.dev_shm_mount->has_option(c.option))
      out.push_back({f.dev_shm_path, c.severity, c.id,
                     fmt::format("mounted without {}: {}", c.option, c.why)});
}

void host_findings(const AuditFacts &f, std::vector<Finding> &out) {
  mount_findings(f, out);
  if (f.dev_shm_size && f.dev_shm_used && above_full(*f.dev_shm_used, *f.dev_shm_size))
    out.push_back({f.dev_shm_path, Severity::warning, "devshm-full",
                   fmt::format("{} full ({} of {} bytes used)",
                               percent_text(*f.dev_shm_used, *f.dev_shm_size), *f.dev_shm_used,
                               *f.dev_shm_size)});
  limit_findings(f, out);
  std::size_t long_lived = 0, at_risk = 0;
  std::set<std::string> users;
  for (const AuditSegment &s : f.segments) {
    if (s.kind == Kind::sysv && s.ctime && f.now - *s.ctime > f.age.count())
      ++long_lived;
    if (s.kind != Kind::file && !is_system(s.uid, f.sys_uid_max)) {
      ++at_risk;
      users.insert(s.owner);
    }
  }
  if (f.shm_rmid_forced.value_or(false) && long_lived > 0)
    out.push_back({"kernel.shm_rmid_forced", Severity::warning, "shm-rmid-forced",
                   fmt::format("is 1 while {} SysV segment(s) older than {} exist: each is "
                               "destroyed once unattached after its creator exits",
                               long_lived, short_duration(f.age.count()))});
  if (f.logind && f.logind->present && at_risk > 0) {
    Setting remove = f.logind->remove_ipc();
    std::string names;
    for (const auto &u : users)
      names += (names.empty() ? "" : ",") + u;
    if (remove.value)
      out.push_back(
          {"systemd-logind", Severity::warning, "logind-remove-ipc",
           fmt::format("RemoveIPC=yes ({}) removes the {} segment(s) of non-system "
                       "users ({}) when they log out",
                       remove.source.empty() ? "the default" : remove.source, at_risk, names)});
  }
}

void limit_findings(const AuditFacts &f, std::vector<Finding> &out) {
  if (!f.limits)
    return;
  const Limits &l = *f.limits;
  if (above_full(l.used_ids, l.shmmni))
    out.push_back({"kernel.shmmni", Severity::warning, "shmmni-high",
                   fmt::format("{} of SHMMNI used ({} of {} segments)",
                               percent_text(l.used_ids, l.shmmni), l.used_ids, l.shmmni)});
  if (above_full(l.used_pages, l.shmall))
    out.push_back({"kernel.shmall", Severity::warning, "shmall-high",
                   fmt::format("{} of SHMALL used ({} of {} pages)",
                               percent_text(l.used_pages, l.shmall), l.used_pages, l.shmall)});
}

void segment_findings(const AuditFacts &f, const AuditSegment &s, std::vector<Finding> &out) {
  std::string perms = fmt::format("{:04o}", s.mode & 07777);
  if (s.mode & 0002)
    out.push_back({s.segment, Severity::critical, "world-writable",
                   fmt::format("mode {}: any local user can change its contents", perms)});
  else if ((s.mode & 0004) && is_system(s.uid, f.sys_uid_max))
    out.push_back({s.segment, Severity::warning, "world-readable-system",
                   fmt::format("mode {}, owned by system user {}: any local user can read it",
                               perms, s.owner)});
  if (!s.owner_known)
    out.push_back({s.segment, Severity::warning, "owner-unknown",
                   fmt::format("owner uid {} has no passwd entry", s.uid)});
  if (s.unlinked && s.size > k_unlinked_report_size) {
    std::string who;
    for (const std::string &holder : s.holders)
      who += (who.empty() ? "" : ", ") + holder;
    out.push_back({s.segment, Severity::warning, "unlinked-held",
                   fmt::format("unlinked but still held: its {} bytes are freed only when {} "
                               "{}",
                               s.size, who.empty() ? std::string("its holders") : who,
                               s.holders.size() == 1 ? "exits or closes and unmaps it"
                                                     : "exit or close and unmap it")});
  }
  if (s.state == State::orphaned) {
    std::string idle = s.last_activity ? short_duration(f.now - *s.last_activity) : "long";
    out.push_back({s.segment, Severity::warning, "orphaned",
                   fmt::format("orphaned: no user and nothing can come back for it, idle for {} "
                               "(more than {})",
                               idle, short_duration(f.age.count()))});
  }
}

} // namespace

std::vector<Finding> audit(const AuditFacts &facts) {
  std::vector<Finding> findings;
  host_findings(facts, findings);
  for (const AuditSegment &s : facts.segments)
    segment_findings(facts, s, findings);
  return findings;
}

} // namespace shmkit
