#include "shmkit/fileio.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace shmkit {

Result<void> read_whole_file(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return from_errno(errno, fmt::format("cannot open {}", path));
  out.clear();
  std::size_t used = 0;
  if (out.capacity() < 65536)
    out.reserve(65536);
  for (;;) {
    if (out.capacity() - used < 16384)
      out.reserve(out.capacity() * 2);
    out.resize(out.capacity());
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      out.clear();
      return from_errno(err, fmt::format("cannot read {}", path));
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  out.resize(used);
  ::close(fd);
  return {};
}

} // namespace shmkit
