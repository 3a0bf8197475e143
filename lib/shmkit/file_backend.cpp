#include "shmkit/file_backend.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fd_object.hpp"
#include "shmkit/unlinked.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <filesystem>
#include <system_error>

namespace shmkit {

namespace {

// Whether the directory part of the absolute `path` is the directory `dev_shm`: the same
// directory inode, so that /run/shm/x, a bind mount of /dev/shm or /dev/shm/a/../x all count.
bool in_directory(const std::string &path, const std::string &dev_shm) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return false;
  std::string dir = slash == 0 ? std::string("/") : path.substr(0, slash);
  struct stat here {};
  struct stat shm {};
  return ::stat(dir.c_str(), &here) == 0 && ::stat(dev_shm.c_str(), &shm) == 0 &&
         here.st_dev == shm.st_dev && here.st_ino == shm.st_ino;
}

// file:/proc/PID/fd/FD or file:/proc/PID/map_files/START-END (unlinked.hpp): the object a
// process holds, named by that process's link in our /proc (pids are ours, also with
// --target), and its former name read from the link. Following the link needs ptrace access
// to PID (fd), or CAP_SYS_ADMIN (map_files): proc(5).
Result<FdObject> locate_holder_link(const HolderLink &link, const Paths &paths) {
  FdObject object;
  object.kind = Kind::file;
  object.holder_link = true;
  object.segment = "file:" + holder_link_path(link);
  object.path = holder_link_at(paths, link);
  std::string target(4096, '\0');
  ssize_t n = ::readlink(object.path.c_str(), target.data(), target.size());
  if (n < 0) {
    const int err = errno;
    const std::string shown = escape_bytes(object.segment);
    if (err == ENOENT || err == ESRCH)
      return make_error(Errc::not_found,
                        fmt::format("cannot open {}: no process {} with such a{}", shown,
                                    link.pid,
                                    link.via == HolderLink::Via::fd ? "n open fd" : " mapping"));
    if (err == EACCES || err == EPERM)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot open {}: permission denied ({})", shown,
                                         link.via == HolderLink::Via::fd
                                             ? "another user's process: it needs ptrace "
                                               "access, as its owner or with CAP_SYS_PTRACE"
                                             : "map_files links need CAP_SYS_ADMIN"));
    return from_errno(err, fmt::format("cannot open {}", shown));
  }
  target.resize(static_cast<std::size_t>(n));
  object.name = former_path(target);
  // An object of the POSIX directory's tmpfs is a POSIX object, as ls lists it (TYPE posix,
  // NAME /NAME), whatever address reached it.
  struct stat st {};
  struct stat shm {};
  if (::stat(object.path.c_str(), &st) == 0 && ::stat(paths.dev_shm.c_str(), &shm) == 0 &&
      st.st_dev == shm.st_dev) {
    object.kind = Kind::posix;
    object.name = posix_name_of(object.name);
  }
  return object;
}

Result<FdObject> locate(const SegmentRef &ref, const Paths &paths) {
  if (ref.kind != Kind::file || ref.by != SegmentRef::By::path || ref.text.empty())
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a file address", ref.to_string()));
  if (auto link = parse_holder_link(ref.text))
    return locate_holder_link(*link, paths);
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(ref.text, ec);
  if (ec)
    return from_errno(ec.value(), fmt::format("cannot resolve {}", ref.to_string()));
  FdObject object;
  object.kind = Kind::file;
  object.name = absolute.lexically_normal().string();
  // Keep a trailing component as given: lexically_normal() of "x/." would add a slash.
  if (object.name.size() > 1 && object.name.back() == '/')
    object.name.pop_back();
  // --target: the path as that process sees it, looked up under its root (Paths::root). The
  // normal form has no ".." left to climb out of the root with.
  object.path = paths.root + object.name;
  object.segment = "file:" + object.name;
  // file:/dev/shm/sem.NAME is the semaphore posix:/sem.NAME: the same rules apply, whatever
  // the address form.
  std::size_t slash = object.path.rfind('/');
  object.semaphore = is_semaphore_name(std::string_view(object.path).substr(slash + 1)) &&
                     in_directory(object.path, paths.dev_shm);
  return object;
}

} // namespace

Result<void> FileBackend::for_each(const std::function<void(SegmentInfo &&)> &) { return {}; }

Result<SegmentInfo> FileBackend::stat(const SegmentRef &ref) {
  auto object = locate(ref, m_paths);
  if (!object)
    return std::move(object).error();
  return stat_fd_object(*object);
}

Result<SegmentInfo> FileBackend::create(const CreateSpec &spec) {
  auto object = locate(spec.ref, m_paths);
  if (!object)
    return std::move(object).error();
  return create_fd_object(*object, spec);
}

Result<std::unique_ptr<Handle>> FileBackend::open(const SegmentRef &ref, Access access) {
  auto object = locate(ref, m_paths);
  if (!object)
    return std::move(object).error();
  return open_fd_object(*object, access);
}

std::string FileBackend::watch_dir(const SegmentRef *ref) const {
  if (ref == nullptr)
    return {};
  auto object = locate(*ref, m_paths);
  if (!object)
    return {};
  std::size_t slash = object->path.rfind('/');
  return slash == 0 ? std::string("/") : object->path.substr(0, slash);
}

Result<void> FileBackend::remove(const SegmentInfo &expected) {
  SegmentRef ref;
  ref.kind = Kind::file;
  ref.by = SegmentRef::By::path;
  ref.text = expected.name.value_or("");
  auto object = locate(ref, m_paths);
  if (!object)
    return std::move(object).error();
  return remove_fd_object(*object, expected);
}

} // namespace shmkit
