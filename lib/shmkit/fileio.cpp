#include "shmkit/fileio.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace shmkit {

void widen_pipe(int fd) noexcept {
  constexpr int k_pipe_size = 1 << 20;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && ::fcntl(fd, F_GETPIPE_SZ) < k_pipe_size)
    (void)::fcntl(fd, F_SETPIPE_SZ, k_pipe_size);
}

Result<void> read_whole_file(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return from_errno(errno, fmt::format("cannot open {}", path));
  out.clear();
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return from_errno(err, fmt::format("cannot read {}", path));
    }
    if (n == 0)
      break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return {};
}

} // namespace shmkit
