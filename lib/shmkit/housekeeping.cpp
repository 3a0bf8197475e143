#include "shmkit/housekeeping.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/parse.hpp"

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

Orphan orphan_status(const SegmentInfo &info, const std::vector<SegmentUser> &users,
                     std::chrono::milliseconds grace, std::int64_t now_ms, pid_t self) {
  if (info.kind == Kind::sysv) {
    if (info.nattch.value_or(1) != 0)
      return Orphan::in_use;
    // While the creator lives it may attach again (a segment made to be attached later).
    if (!info.cpid || process_alive(*info.cpid))
      return Orphan::creator_alive;
  } else if (use_count(info, users, self) > 0) {
    return Orphan::in_use;
  }
  // The creator of anything made by `shmkit create` or ipcmk is gone at once, and a POSIX
  // object is unmapped between its creation and its first user: only idleness tells an
  // abandoned segment from one that is about to be used.
  if (grace.count() > 0) {
    auto last = last_activity(info);
    if (!last)
      return Orphan::recent;
    // One-second timestamps count as the end of their second: never older than they can be.
    std::int64_t youngest_ms = (static_cast<std::int64_t>(*last) + 1) * 1000;
    if (now_ms - youngest_ms < grace.count())
      return Orphan::recent;
  }
  return Orphan::orphaned;
}

bool is_orphaned(const SegmentInfo &info, const std::vector<SegmentUser> &users) {
  return orphan_status(info, users, std::chrono::milliseconds(0), 0) == Orphan::orphaned;
}

SegmentRef address_of(const SegmentInfo &info) {
  SegmentRef ref;
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
  return slash == 0 ? std::string("/") : path.substr(0, slash);
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
