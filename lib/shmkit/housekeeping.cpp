#include "shmkit/housekeeping.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/unlinked.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <limits>
#include <string>
#include <utility>

namespace shmkit {

Result<bool> shm_rmid_forced(const Paths &paths) {
  std::string text;
  std::string path = paths.proc + "/sys/kernel/shm_rmid_forced";
  if (auto read = read_whole_file(path, text); !read)
    return std::move(read).error();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  if (text == "0")
    return false;
  if (text == "1")
    return true;
  return make_error(Errc::io, fmt::format("unexpected content in {}", path));
}

bool dies_with_creator(const SegmentInfo &fresh, const Paths &paths) {
  if (fresh.kind != Kind::sysv)
    return false;
  auto forced = shm_rmid_forced(paths);
  return forced && *forced;
}

bool process_alive(pid_t pid) {
  if (pid <= 0)
    return false;
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

pid_t proc_self_pid(const Paths &paths) {
  // /proc/self is a symlink to the pid in the pid namespace of that /proc mount.
  std::string link = paths.proc + "/self";
  std::array<char, 32> target{};
  ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (n > 0) {
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(target.data(), target.data() + n, pid);
    if (ec == std::errc{} && end == target.data() + n && pid > 0)
      return pid;
  }
  return ::getpid();
}

Usage usage_of(const SegmentInfo &info, const std::vector<SegmentUser> &users, pid_t self) {
  Usage usage;
  if (info.kind == Kind::sysv) {
    usage.attaches = info.nattch.value_or(0);
    return usage;
  }
  // pid -> maps; a process that maps it counts as mapping even if it also holds it open.
  std::vector<std::pair<pid_t, bool>> pids;
  for (const SegmentUser &user : users_of(info, users))
    if (self == 0 || user.pid != self)
      pids.emplace_back(user.pid, user.maps);
  std::sort(pids.begin(), pids.end());
  for (std::size_t i = 0; i < pids.size(); ++i) {
    bool maps = pids[i].second;
    while (i + 1 < pids.size() && pids[i + 1].first == pids[i].first)
      maps = maps || pids[++i].second;
    ++(maps ? usage.mapping : usage.holding);
  }
  return usage;
}

std::uint64_t use_count(const SegmentInfo &info, const std::vector<SegmentUser> &users,
                        pid_t self) {
  return usage_of(info, users, self).total();
}

std::optional<std::time_t> last_activity(const SegmentInfo &info) {
  std::optional<std::time_t> newest;
  auto take = [&newest](const std::optional<std::time_t> &t) {
    if (t && (!newest || *t > *newest))
      newest = t;
  };
  if (info.kind == Kind::sysv) {
    take(info.ctime);
    take(info.atime);
    take(info.dtime);
  } else {
    // Not atime: reading (relatime, noatime) is no sign of life anyone can rely on.
    take(info.mtime);
    take(info.ctime);
  }
  return newest;
}

std::string_view state_name(State state) {
  switch (state) {
  case State::in_use:
    return "in-use";
  case State::idle:
    return "idle";
  case State::orphaned:
    return "orphaned";
  case State::unknown:
    return "unknown";
  case State::dest:
    return "dest";
  }
  return "unknown";
}

namespace {

constexpr std::pair<Reason, std::string_view> k_reason_words[] = {
    {Reason::marked, "marked"},
    {Reason::attached, "attached"},
    {Reason::mapped, "mapped"},
    {Reason::open, "open"},
    {Reason::no_users, "no-users"},
    {Reason::creator_alive, "creator-alive"},
    {Reason::creator_dead, "creator-dead"},
    {Reason::creator_pid_reused, "creator-pid-reused"},
    {Reason::recent, "recent"},
    {Reason::cannot_read_proc, "cannot-read-proc"},
};

// Whether the last activity lies within `grace` of `now_ms`; an unknown time counts as recent.
bool is_recent(const SegmentInfo &info, std::chrono::milliseconds grace, std::int64_t now_ms) {
  if (grace.count() <= 0)
    return false;
  auto last = last_activity(info);
  if (!last)
    return true;
  // One-second timestamps count as the end of their second: never older than they can be.
  std::int64_t youngest_ms = (static_cast<std::int64_t>(*last) + 1) * 1000;
  return now_ms - youngest_ms < grace.count();
}

// The fields after the command name of a /proc/PID/stat text: field 3 (state) first.
std::optional<std::string_view> stat_fields(std::string_view stat) {
  std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 1 >= stat.size())
    return std::nullopt;
  return stat.substr(close + 1);
}

} // namespace

std::string_view reason_name(Reason reason) {
  for (const auto &[r, word] : k_reason_words)
    if (r == reason)
      return word;
  return "";
}

std::string Reasons::text() const {
  std::string out;
  for (const auto &[r, word] : k_reason_words)
    if (has(r)) {
      if (!out.empty())
        out += ',';
      out += word;
    }
  return out;
}

std::optional<std::string_view> stat_field(std::string_view stat, int wanted) {
  auto rest = stat_fields(stat);
  if (!rest || wanted < 3)
    return std::nullopt;
  // Field 3 is the first word after ')'.
  std::string_view line = *rest;
  std::string_view word;
  for (int field = 3; field <= wanted; ++field) {
    std::size_t start = line.find_first_not_of(" \n");
    if (start == std::string_view::npos)
      return std::nullopt;
    line.remove_prefix(start);
    std::size_t stop = std::min(line.find_first_of(" \n"), line.size());
    word = line.substr(0, stop);
    line.remove_prefix(stop);
  }
  return word;
}

std::optional<std::uint64_t> parse_stat_starttime(std::string_view stat) {
  auto field = stat_field(stat, 22); // starttime
  if (!field)
    return std::nullopt;
  std::string_view word = *field;
  std::uint64_t ticks = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), ticks);
  if (ec != std::errc{} || end != word.data() + word.size())
    return std::nullopt;
  return ticks;
}

std::optional<std::int64_t> parse_btime(std::string_view stat) {
  constexpr std::string_view k_key = "btime ";
  std::size_t at = 0;
  while (at < stat.size()) {
    std::size_t eol = std::min(stat.find('\n', at), stat.size());
    std::string_view line = stat.substr(at, eol - at);
    if (line.substr(0, k_key.size()) == k_key) {
      line.remove_prefix(k_key.size());
      std::int64_t btime = 0;
      auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), btime);
      if (ec != std::errc{} || end != line.data() + line.size() || btime <= 0)
        return std::nullopt;
      return btime;
    }
    at = eol + 1;
  }
  return std::nullopt;
}

CreatorCheck::CreatorCheck(Paths paths, bool (*alive)(pid_t))
    : m_paths(std::move(paths)), m_alive(alive != nullptr ? alive : process_alive) {}

std::optional<std::int64_t> CreatorCheck::start_ms(pid_t pid) {
  if (auto known = m_starts.find(pid); known != m_starts.end())
    return known->second;
  std::optional<std::int64_t> &start = m_starts[pid];
  start = read_start_ms(pid);
  return start;
}

std::optional<std::int64_t> CreatorCheck::read_start_ms(pid_t pid) {
  if (!m_btime_read) {
    m_btime_read = true;
    std::string text;
    if (read_whole_file(m_paths.proc + "/stat", text))
      m_btime = parse_btime(text);
  }
  static const long k_ticks = ::sysconf(_SC_CLK_TCK);
  if (!m_btime || k_ticks <= 0)
    return std::nullopt;
  std::string text;
  if (!read_whole_file(fmt::format("{}/{}/stat", m_paths.proc, pid), text))
    return std::nullopt;
  auto ticks = parse_stat_starttime(text);
  if (!ticks)
    return std::nullopt;
  // Rounded down, like btime: never later than the true start.
  auto ms = *ticks * 1000 / static_cast<std::uint64_t>(k_ticks);
  return *m_btime * 1000 + static_cast<std::int64_t>(ms);
}

Creator CreatorCheck::creator(std::optional<pid_t> cpid, std::optional<std::time_t> ctime) {
  if (!cpid || *cpid <= 0)
    return Creator::unknown;
  if (!m_alive(*cpid))
    return Creator::dead;
  if (m_proc_ours < 0)
    m_proc_ours = proc_self_pid(m_paths) == ::getpid() ? 1 : 0;
  if (!ctime || m_proc_ours == 0)
    return Creator::alive;
  auto started = start_ms(*cpid);
  if (started && *started >= (static_cast<std::int64_t>(*ctime) + 1) * 1000)
    return Creator::pid_reused;
  return Creator::alive;
}

Classification classify(const SegmentInfo &info, const UserScan &scan,
                        const ClassifyOptions &options, CreatorCheck &creators) {
  std::vector<const SegmentUser *> users;
  if (info.kind != Kind::sysv)
    for (const SegmentUser &user : scan.users)
      if (!user.sysv && info.dev && info.ino && user.dev == static_cast<std::uint64_t>(*info.dev) &&
          user.ino == static_cast<std::uint64_t>(*info.ino))
        users.push_back(&user);
  return classify(info, users, scan.unreadable, options, creators);
}

Classification classify(const SegmentInfo &info, const std::vector<const SegmentUser *> &users,
                        std::size_t unreadable, const ClassifyOptions &options,
                        CreatorCheck &creators) {
  Classification c;
  const bool sysv = info.kind == Kind::sysv;
  if (sysv && info.dest)
    c.reasons.add(Reason::marked);
  if (sysv && info.nattch.value_or(0) > 0)
    c.reasons.add(Reason::attached);
  // POSIX/file: by the processes found in /proc other than ourselves; a process may both map
  // it and hold it open.
  for (const SegmentUser *user : users) {
    if (sysv || (options.self != 0 && user->pid == options.self))
      continue;
    if (user->maps)
      c.reasons.add(Reason::mapped);
    if (user->holds_fd)
      c.reasons.add(Reason::open);
  }
  if (c.reasons.has(Reason::marked)) {
    c.state = State::dest;
    return c;
  }
  if (!c.reasons.empty()) {
    c.state = State::in_use;
    return c;
  }
  c.reasons.add(Reason::no_users);
  bool unknown = false;
  bool alive = false;
  if (sysv) {
    switch (creators.creator(info.cpid, info.ctime)) {
    case Creator::alive:
      c.reasons.add(Reason::creator_alive);
      alive = true;
      break;
    case Creator::dead:
      c.reasons.add(Reason::creator_dead);
      break;
    case Creator::pid_reused:
      c.reasons.add(Reason::creator_pid_reused);
      break;
    case Creator::unknown:
      unknown = true;
      break;
    }
  } else {
    unknown = unreadable > 0;
  }
  bool recent = is_recent(info, options.grace, options.now_ms);
  if (recent)
    c.reasons.add(Reason::recent);
  if (unknown) {
    c.reasons.add(Reason::cannot_read_proc);
    c.state = State::unknown;
  } else {
    c.state = alive || recent ? State::idle : State::orphaned;
  }
  return c;
}

SegmentRef address_of(const SegmentInfo &info) {
  SegmentRef ref;
  // Reached through a holder's link (unlinked.hpp): that link is the address, not a name.
  if (holder_link_of(info)) {
    ref.kind = Kind::file;
    ref.by = SegmentRef::By::path;
    ref.text = info.segment.substr(5);
    return ref;
  }
  ref.kind = info.kind;
  switch (info.kind) {
  case Kind::sysv:
    ref.by = SegmentRef::By::id;
    ref.number = static_cast<std::uint64_t>(info.id.value_or(-1));
    break;
  case Kind::posix: {
    ref.by = SegmentRef::By::name;
    std::string_view name = info.name ? std::string_view(*info.name) : std::string_view();
    if (!name.empty() && name.front() == '/')
      name.remove_prefix(1);
    ref.text = std::string(name);
    break;
  }
  case Kind::file:
    ref.by = SegmentRef::By::path;
    ref.text = info.name.value_or("");
    break;
  case Kind::memfd:
    // memfd:PID:FD, as the listing printed it (empty: held by no fd, not addressable).
    if (auto parsed = parse_address(info.segment); parsed && parsed->kind == Kind::memfd)
      return *parsed;
    ref.by = SegmentRef::By::memfd;
    break;
  }
  return ref;
}

namespace {

// Whether the calling thread has capability `cap` in its effective set. Without an answer
// from capget(2), root counts as having every capability, as it traditionally does.
bool has_capability(int cap) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0)
    return ::geteuid() == 0;
  auto word = static_cast<std::size_t>(cap / 32);
  return word < data.size() && ((data[word].effective >> (cap % 32)) & 1u) != 0;
}

// The directory that holds a POSIX object or file: what unlink(2) needs permission on.
std::string parent_directory(const SegmentInfo &info, const Paths &paths) {
  if (info.kind == Kind::posix)
    return paths.dev_shm;
  const std::string &path = info.name.value_or("");
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return paths.root + (slash == 0 ? std::string("/") : path.substr(0, slash));
}

Error cannot_remove(int err, const SegmentInfo &info) {
  return from_errno(err, fmt::format("cannot remove {}", escape_bytes(info.segment)));
}

} // namespace

Result<void> check_remove_permission(const SegmentInfo &info, const Paths &paths) {
  const uid_t euid = ::geteuid();
  if (info.kind == Kind::sysv) {
    // ipc/util.c ipcctl_obtain_check(): the owner, the creator, or CAP_SYS_ADMIN.
    if (euid == info.uid || (info.cuid && euid == *info.cuid) || has_capability(CAP_SYS_ADMIN))
      return {};
    return cannot_remove(EPERM, info);
  }
  // fs/namei.c may_delete(): write and search permission on the directory (EACCES), then the
  // sticky-bit rule (EPERM). rm renames before it unlinks, which asks the same of the
  // same directory.
  std::string dir = parent_directory(info, paths);
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    return cannot_remove(errno, info);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    return cannot_remove(errno, info);
  if ((st.st_mode & S_ISVTX) != 0 && euid != info.uid && euid != st.st_uid &&
      !has_capability(CAP_FOWNER))
    return cannot_remove(EPERM, info);
  return {};
}

Result<void> check_removal(Backend &backend, const SegmentInfo &expected, const Paths &paths) {
  auto now = backend.stat(address_of(expected));
  if (!now) {
    // A real removal of a POSIX object or file that vanished fails in its rename(2).
    if (expected.kind != Kind::sysv && now.error().code == Errc::not_found)
      return cannot_remove(ENOENT, expected);
    return std::move(now).error();
  }
  // The same identity tests as the backends' remove().
  if (expected.kind == Kind::sysv) {
    bool same = now->cpid == expected.cpid && now->ctime == expected.ctime &&
                (now->dest || expected.dest || now->key == expected.key);
    if (!same)
      return make_error(Errc::changed,
                        fmt::format("not removing id:{}: it changed since it was listed",
                                    expected.id.value_or(-1)));
  } else if ((expected.ino && now->ino != expected.ino) ||
             (expected.dev && now->dev != expected.dev)) {
    return make_error(Errc::changed,
                      fmt::format("not removing {}: it was replaced since it was listed",
                                  escape_bytes(expected.segment)));
  }
  return check_remove_permission(*now, paths);
}

Result<void> check_user_text(std::string_view user) {
  if (user.empty())
    return make_error(Errc::invalid_argument, "invalid user: empty");
  return {};
}

Result<uid_t> lookup_uid(std::string_view user) {
  if (auto ok = check_user_text(user); !ok)
    return std::move(ok).error();
  // A name first, as find(1) -user and chown(1) do; then a number.
  std::string name(user);
  errno = 0;
  if (const struct passwd *pw = ::getpwnam(name.c_str()); pw != nullptr)
    return pw->pw_uid;
  int err = errno;
  if (user.find_first_not_of("0123456789") == std::string_view::npos) {
    // (uid_t)-1 means "no change" to chown(2) and is never a real owner.
    auto uid = parse_uint(user, "uid", std::numeric_limits<uid_t>::max() - 1);
    if (!uid)
      return make_error(Errc::invalid_argument, std::move(uid).error().message);
    return static_cast<uid_t>(*uid);
  }
  if (err != 0 && err != ENOENT && err != ESRCH && err != EBADF && err != EPERM)
    return from_errno(err, fmt::format("cannot look up user '{}'", escape_bytes(name)));
  return make_error(Errc::invalid_argument, fmt::format("unknown user '{}'", escape_bytes(name)));
}

} // namespace shmkit
