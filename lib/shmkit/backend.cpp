// The backend factory: the only place that names all three backends (DESIGN.md section 1).
#include "shmkit/backend.hpp"

#include "shmkit/file_backend.hpp"
#include "shmkit/posix_backend.hpp"
#include "shmkit/sysv_backend.hpp"

namespace shmkit {

Result<std::vector<SegmentInfo>> Backend::list() {
  std::vector<SegmentInfo> rows;
  auto done = for_each([&rows](SegmentInfo &&info) { rows.push_back(std::move(info)); });
  if (!done)
    return std::move(done).error();
  return rows;
}

std::unique_ptr<Backend> make_backend(Kind kind, const Paths &paths) {
  switch (kind) {
  case Kind::sysv:
    return std::make_unique<SysvBackend>(paths);
  case Kind::posix:
    return std::make_unique<PosixBackend>(paths);
  case Kind::file:
    return std::make_unique<FileBackend>(paths);
  }
  return nullptr;
}

} // namespace shmkit
