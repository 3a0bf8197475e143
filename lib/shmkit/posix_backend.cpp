#include "shmkit/posix_backend.hpp"

#include "shmkit/address.hpp"
#include "shmkit/fd_object.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shmkit {

namespace {

FdObject locate(const Paths &paths, std::string_view name) {
  FdObject object;
  object.kind = Kind::posix;
  object.path = paths.dev_shm + "/" + std::string(name);
  object.segment = "posix:/" + std::string(name);
  object.name = "/" + std::string(name);
  object.semaphore = is_semaphore_name(name);
  return object;
}

Result<FdObject> locate(const Paths &paths, const SegmentRef &ref) {
  if (ref.kind != Kind::posix || ref.by != SegmentRef::By::name)
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a posix address", ref.to_string()));
  if (auto ok = validate_posix_name(ref.text); !ok)
    return std::move(ok).error();
  return locate(paths, ref.text);
}

struct DirCloser {
  void operator()(DIR *dir) const { ::closedir(dir); }
};

} // namespace

Result<void> PosixBackend::for_each(const std::function<void(SegmentInfo &&)> &visit) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(m_paths.dev_shm.c_str()));
  if (!dir)
    return from_errno(errno, fmt::format("cannot list {}", m_paths.dev_shm));
  int dfd = ::dirfd(dir.get());
  FdObject object;
  object.kind = Kind::posix;
  while (const dirent *entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..")
      continue;
    struct stat st {};
    if (::fstatat(dfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue; // vanished between readdir and stat
    object.segment.assign("posix:/").append(name);
    object.name.assign("/").append(name);
    SegmentInfo info = fd_object_info(object, st);
    if (info.oddity == Oddity::none && is_semaphore_name(name))
      info.oddity = Oddity::semaphore;
    visit(std::move(info));
  }
  return {};
}

Result<SegmentInfo> PosixBackend::stat(const SegmentRef &ref) {
  auto object = locate(m_paths, ref);
  if (!object)
    return std::move(object).error();
  return stat_fd_object(*object); // sem.* names: oddity semaphore
}

Result<SegmentInfo> PosixBackend::create(const CreateSpec &spec) {
  auto object = locate(m_paths, spec.ref);
  if (!object)
    return std::move(object).error();
  return create_fd_object(*object, spec);
}

Result<std::unique_ptr<Handle>> PosixBackend::open(const SegmentRef &ref, Access access) {
  auto object = locate(m_paths, ref);
  if (!object)
    return std::move(object).error();
  return open_fd_object(*object, access);
}

Result<void> PosixBackend::remove(const SegmentInfo &expected) {
  // expected.name holds the raw bytes ("/NAME"); never re-parse it (that would decode \xHH).
  std::string raw = expected.name.value_or("");
  std::string_view name = raw;
  if (!name.empty() && name[0] == '/')
    name.remove_prefix(1);
  if (auto ok = validate_posix_name(name); !ok)
    return ok;
  return remove_fd_object(locate(m_paths, name), expected);
}

} // namespace shmkit
