// The backend factory: the only place that names all three backends (DESIGN.md section 1).
#include "shmkit/backend.hpp"

#include "shmkit/file_backend.hpp"
#include "shmkit/posix_backend.hpp"
#include "shmkit/sysv_backend.hpp"

namespace shmkit {

std::unique_ptr<Backend> make_backend(Kind kind, const Paths &paths) {
  switch (kind) {
  case Kind::sysv:
    return std::make_unique<SysvBackend>(paths);
  case Kind::posix:
    return std::make_unique<PosixBackend>(paths);
  case Kind::file:
    return std::make_unique<FileBackend>();
  }
  return nullptr;
}

} // namespace shmkit
