#include "shmkit/housekeeping.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/parse.hpp"

#include <fmt/format.h>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <string>

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

bool process_alive(pid_t pid) {
  if (pid <= 0)
    return false;
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

std::uint64_t use_count(const SegmentInfo &info, const std::vector<SegmentUser> &users) {
  if (info.kind == Kind::sysv)
    return info.nattch.value_or(0);
  std::vector<pid_t> pids;
  for (const SegmentUser &user : users_of(info, users))
    pids.push_back(user.pid);
  std::sort(pids.begin(), pids.end());
  return static_cast<std::uint64_t>(std::unique(pids.begin(), pids.end()) - pids.begin());
}

bool is_orphaned(const SegmentInfo &info, const std::vector<SegmentUser> &users) {
  // SysV: while the creator lives it may attach again (a segment made to be attached later).
  if (info.kind == Kind::sysv)
    return info.nattch.value_or(1) == 0 && info.cpid && !process_alive(*info.cpid);
  return use_count(info, users) == 0;
}

Result<uid_t> lookup_uid(std::string_view user) {
  if (user.empty())
    return make_error(Errc::invalid_argument, "invalid user: empty");
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
