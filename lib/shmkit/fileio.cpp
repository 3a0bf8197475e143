#include "shmkit/fileio.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace shmkit {

Result<void> read_whole_file(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return from_errno(errno, fmt::format("cannot open {}", path));
  // /proc files report st_size 0, so grow as we go. The buffer is not zero-filled first
  // (std::string::resize would be): on an empty system that fill was most of ls's own cost.
  std::size_t capacity = 16384;
  std::size_t used = 0;
  std::unique_ptr<char[]> buffer(new char[capacity]);
  for (;;) {
    if (capacity - used < 4096) {
      std::unique_ptr<char[]> bigger(new char[capacity * 2]);
      std::memcpy(bigger.get(), buffer.get(), used);
      buffer = std::move(bigger);
      capacity *= 2;
    }
    ssize_t n = ::read(fd, buffer.get() + used, capacity - used);
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
  ::close(fd);
  out.assign(buffer.get(), used);
  return {};
}

} // namespace shmkit
