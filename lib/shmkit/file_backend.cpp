#include "shmkit/file_backend.hpp"

#include "shmkit/fd_object.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

namespace shmkit {

namespace {

Result<FdObject> locate(const SegmentRef &ref) {
  if (ref.kind != Kind::file || ref.by != SegmentRef::By::path || ref.text.empty())
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a file address", ref.to_string()));
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(ref.text, ec);
  if (ec)
    return from_errno(ec.value(), fmt::format("cannot resolve {}", ref.to_string()));
  FdObject object;
  object.kind = Kind::file;
  object.path = absolute.lexically_normal().string();
  // Keep a trailing component as given: lexically_normal() of "x/." would add a slash.
  if (object.path.size() > 1 && object.path.back() == '/')
    object.path.pop_back();
  object.segment = "file:" + object.path;
  object.name = object.path;
  return object;
}

} // namespace

Result<void> FileBackend::for_each(const std::function<void(SegmentInfo &&)> &) { return {}; }

Result<SegmentInfo> FileBackend::stat(const SegmentRef &ref) {
  auto object = locate(ref);
  if (!object)
    return std::move(object).error();
  return stat_fd_object(*object);
}

Result<SegmentInfo> FileBackend::create(const CreateSpec &spec) {
  auto object = locate(spec.ref);
  if (!object)
    return std::move(object).error();
  return create_fd_object(*object, spec);
}

Result<std::unique_ptr<Handle>> FileBackend::open(const SegmentRef &ref, Access access) {
  auto object = locate(ref);
  if (!object)
    return std::move(object).error();
  return open_fd_object(*object, access);
}

Result<void> FileBackend::remove(const SegmentInfo &expected) {
  SegmentRef ref;
  ref.kind = Kind::file;
  ref.by = SegmentRef::By::path;
  ref.text = expected.name.value_or("");
  auto object = locate(ref);
  if (!object)
    return std::move(object).error();
  return remove_fd_object(*object, expected);
}

} // namespace shmkit
