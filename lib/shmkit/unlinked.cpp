#include "shmkit/unlinked.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fd_object.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <tuple>

namespace shmkit {

namespace {

constexpr std::string_view k_proc = "/proc/";
constexpr std::string_view k_deleted = " (deleted)";

// Decimal without sign or leading zeros ("0" itself only where `zero_ok`).
template <typename T> bool parse_decimal(std::string_view text, T &out, bool zero_ok) {
  if (text.empty() || text.front() < '0' || text.front() > '9' ||
      (text.size() > 1 && text.front() == '0') || (!zero_ok && text == "0"))
    return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 10);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

// Lowercase hex without leading zeros, as the kernel prints map_files names ("%lx-%lx").
bool parse_hex(std::string_view text, std::uint64_t &out) {
  if (text.empty() || (text.size() > 1 && text.front() == '0'))
    return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

bool listed(std::span<const UserKey> keys, const UserKey &key) {
  return std::binary_search(keys.begin(), keys.end(), key);
}

std::optional<std::string> read_link(const std::string &path) {
  std::string target(4096, '\0');
  ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
  if (n < 0)
    return std::nullopt;
  target.resize(static_cast<std::size_t>(n));
  return target;
}

bool deleted(std::string_view path) {
  return path.size() > k_deleted.size() && path.substr(path.size() - k_deleted.size()) == k_deleted;
}

bool internal_name(std::string_view path) {
  return path.substr(0, 8) == "/memfd:" || path.substr(0, 5) == "/SYSV";
}

} // namespace

std::optional<HolderLink> parse_holder_link(std::string_view path) {
  if (path.substr(0, k_proc.size()) != k_proc)
    return std::nullopt;
  path.remove_prefix(k_proc.size());
  std::size_t slash = path.find('/');
  if (slash == std::string_view::npos)
    return std::nullopt;
  HolderLink link;
  if (!parse_decimal(path.substr(0, slash), link.pid, false))
    return std::nullopt;
  path.remove_prefix(slash + 1);
  constexpr std::string_view k_fd = "fd/";
  constexpr std::string_view k_map_files = "map_files/";
  if (path.substr(0, k_fd.size()) == k_fd) {
    link.via = HolderLink::Via::fd;
    if (!parse_decimal(path.substr(k_fd.size()), link.fd, true))
      return std::nullopt;
    return link;
  }
  if (path.substr(0, k_map_files.size()) == k_map_files) {
    path.remove_prefix(k_map_files.size());
    std::size_t dash = path.find('-');
    link.via = HolderLink::Via::map_files;
    if (dash == std::string_view::npos || !parse_hex(path.substr(0, dash), link.start) ||
        !parse_hex(path.substr(dash + 1), link.end) || link.start >= link.end)
      return std::nullopt;
    return link;
  }
  return std::nullopt;
}

std::string holder_link_path(const HolderLink &link) {
  if (link.via == HolderLink::Via::fd)
    return fmt::format("/proc/{}/fd/{}", link.pid, link.fd);
  return fmt::format("/proc/{}/map_files/{:x}-{:x}", link.pid, link.start, link.end);
}

std::optional<HolderLink> holder_link_of(const SegmentInfo &info) {
  constexpr std::string_view k_file = "file:";
  std::string_view segment = info.segment;
  if (segment.substr(0, k_file.size()) != k_file)
    return std::nullopt;
  return parse_holder_link(segment.substr(k_file.size()));
}

std::string holder_link_at(const Paths &paths, const HolderLink &link) {
  return paths.proc + holder_link_path(link).substr(k_proc.size() - 1);
}

std::string posix_name_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return "/" + std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string former_path(std::string_view shown) {
  if (shown.size() > k_deleted.size() && shown.substr(shown.size() - k_deleted.size()) == k_deleted)
    shown.remove_suffix(k_deleted.size());
  // shmkit rm moved it to a private name before unlinking it: give the name it had.
  std::size_t slash = shown.rfind('/');
  std::string_view base = slash == std::string_view::npos ? shown : shown.substr(slash + 1);
  std::string_view dir = shown.substr(0, shown.size() - base.size());
  return std::string(dir).append(unhidden_name(base));
}

bool dev_shm_has_unlisted_inodes(const Paths &paths, std::uint64_t listed_entries) {
  struct statvfs fs {};
  if (::statvfs(paths.dev_shm.c_str(), &fs) != 0 || fs.f_files == 0 || fs.f_ffree > fs.f_files)
    return true; // unknown: look
  // tmpfs counts every inode it has not freed: the root directory, each entry, and each
  // object still open or mapped after its last name went (shmem_free_inode at eviction).
  return fs.f_files - fs.f_ffree > listed_entries + 1;
}

UnlinkedScan find_unlinked(const Paths &paths, const UserScan &scan, const UnlinkedQuery &query) {
  UnlinkedScan found;
  const auto &internal = sysv_devices();
  // The users in (dev, ino) order, so that the holders of one object are together.
  std::vector<const SegmentUser *> users;
  for (const SegmentUser &user : scan.users) {
    if (user.sysv || (!user.maps && !user.holds_fd) || internal_name(user.path))
      continue; // a memfd or SysV name ("/memfd:x (deleted)") is never an unlinked object
    const bool on_shm = query.dev_shm_dev && user.dev == *query.dev_shm_dev;
    if (!on_shm &&
        (!query.files || std::find(internal.begin(), internal.end(), user.dev) != internal.end()))
      continue;
    if (!query.listed.empty() && listed(query.listed, user_key(user)))
      continue;
    users.push_back(&user);
  }
  std::stable_sort(users.begin(), users.end(), [](const SegmentUser *a, const SegmentUser *b) {
    return std::tie(a->dev, a->ino, a->pid) < std::tie(b->dev, b->ino, b->pid);
  });
  for (std::size_t i = 0; i < users.size();) {
    std::size_t j = i;
    while (j < users.size() && users[j]->dev == users[i]->dev && users[j]->ino == users[i]->ino)
      ++j;
    std::span<const SegmentUser *const> holders(users.data() + i, j - i);
    i = j;
    const std::uint64_t dev = holders.front()->dev;
    const std::uint64_t ino = holders.front()->ino;
    const bool on_shm = query.dev_shm_dev && dev == *query.dev_shm_dev;
    bool mapped = false;
    const SegmentUser *by_fd = nullptr;
    const SegmentUser *by_map = nullptr;
    for (const SegmentUser *u : holders) {
      mapped = mapped || u->maps;
      if (u->holds_fd && !u->fds.empty() && by_fd == nullptr)
        by_fd = u;
      if (u->maps && by_map == nullptr)
        by_map = u;
    }
    if (!on_shm && !mapped)
      continue; // a file merely held open is not shared memory
    // A mapping shows whether its file still has a name ("... (deleted)" when it has none):
    // an object mapped under a name needs no stat.
    if (std::any_of(holders.begin(), holders.end(), [](const SegmentUser *u) {
          return u->maps && !u->path.empty() && !deleted(u->path);
        }))
      continue;
    if (by_fd == nullptr && by_map == nullptr)
      continue;
    HolderLink link;
    if (by_fd != nullptr) {
      link.pid = by_fd->pid;
      link.fd = by_fd->fds.front();
    } else {
      link.pid = by_map->pid;
      link.via = HolderLink::Via::map_files;
      link.start = by_map->start;
      link.end = by_map->end;
    }
    const std::string at = holder_link_at(paths, link);
    struct stat st {};
    if (::stat(at.c_str(), &st) != 0) {
      // map_files needs CAP_SYS_ADMIN (EPERM); a holder that exited since the scan: ENOENT.
      if (link.via == HolderLink::Via::map_files && (errno == EPERM || errno == EACCES)) {
        // Mapped only, by a name that still exists: not unlinked at all.
        ++found.uninspectable;
      }
      continue;
    }
    if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_dev) != dev ||
        static_cast<std::uint64_t>(st.st_ino) != ino || st.st_nlink != 0)
      continue; // another object by now, or one that still has a name (a subdirectory's)
    std::string shown;
    if (link.via == HolderLink::Via::fd) {
      auto target = read_link(at);
      if (!target)
        continue;
      shown = std::move(*target);
    } else {
      shown = by_map->path;
    }
    const std::string former = former_path(shown);
    FdObject object;
    object.kind = on_shm ? Kind::posix : Kind::file;
    object.segment = "file:" + holder_link_path(link);
    object.name = on_shm ? posix_name_of(former) : std::string(former);
    SegmentInfo info = fd_object_info(object, st);
    info.unlinked = true;
    found.rows.push_back(std::move(info));
  }
  return found;
}

UnlinkedWanted unlinked_wanted(std::span<const Kind> kinds) {
  auto has = [&](Kind kind) { return std::find(kinds.begin(), kinds.end(), kind) != kinds.end(); };
  return UnlinkedWanted{kinds.empty() || has(Kind::posix), has(Kind::file)};
}

ListedObjects::ListedObjects(const Paths &paths) : m_paths(paths) {
  struct stat st {};
  if (::stat(m_paths.dev_shm.c_str(), &st) == 0)
    m_dev_shm_dev = static_cast<std::uint64_t>(st.st_dev);
}

void ListedObjects::saw(const SegmentInfo &info) {
  if (m_dev_shm_dev && info.dev && *info.dev == *m_dev_shm_dev)
    ++m_on_dev_shm;
}

bool ListedObjects::worth_scanning(const UnlinkedWanted &wanted) const {
  if (wanted.files)
    return true;
  return wanted.posix && m_dev_shm_dev && dev_shm_has_unlisted_inodes(m_paths, m_on_dev_shm);
}

UnlinkedScan ListedObjects::find(const UserScan &scan, const UnlinkedWanted &wanted) const {
  UnlinkedQuery query;
  query.dev_shm_dev = m_dev_shm_dev; // POSIX objects are never file rows (the caller filters)
  query.files = wanted.files;
  return find_unlinked(m_paths, scan, query);
}

Result<void> check_not_holder_link(const SegmentInfo &info) {
  if (!holder_link_of(info))
    return {};
  if (info.unlinked)
    return make_error(Errc::not_supported,
                      fmt::format("cannot remove {}: it is already unlinked (it has no name "
                                  "left); it is freed when the processes that hold it (PIDS) "
                                  "exit or close and unmap it",
                                  escape_bytes(info.segment)));
  return make_error(Errc::not_supported,
                    fmt::format("cannot remove {}: it is a process's handle on a file, not its "
                                "name; remove the file by its path",
                                escape_bytes(info.segment)));
}

} // namespace shmkit
