#include "shmkit/file_backend.hpp"

#include "shmkit/fd_object.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

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

Result<FdObject> locate(const SegmentRef &ref, const Paths &paths) {
  if (ref.kind != Kind::file || ref.by != SegmentRef::By::path || ref.text.empty())
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a file address", ref.to_string()));
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
