#include "shmkit/fileio.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace shmkit {

Result<FileText> read_file_text(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return from_errno(errno, fmt::format("cannot open {}", path));
  FileText text;
  std::size_t capacity = 16384;
  text.m_data.reset(static_cast<char *>(std::malloc(capacity)));
  if (!text.m_data) {
    ::close(fd);
    return from_errno(ENOMEM, fmt::format("cannot read {}", path));
  }
  for (;;) {
    if (capacity - text.m_size < 4096) {
      auto *bigger = static_cast<char *>(std::realloc(text.m_data.get(), capacity * 2));
      if (bigger == nullptr) {
        ::close(fd);
        return from_errno(ENOMEM, fmt::format("cannot read {}", path));
      }
      (void)text.m_data.release();
      text.m_data.reset(bigger);
      capacity *= 2;
    }
    ssize_t n = ::read(fd, text.m_data.get() + text.m_size, capacity - text.m_size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return from_errno(err, fmt::format("cannot read {}", path));
    }
    if (n == 0)
      break;
    text.m_size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return text;
}

void widen_pipe(int fd) noexcept {
  constexpr int k_pipe_size = 1 << 20;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && ::fcntl(fd, F_GETPIPE_SZ) < k_pipe_size)
    (void)::fcntl(fd, F_SETPIPE_SZ, k_pipe_size);
}

Result<void> read_whole_file(const std::string &path, std::string &out) {
  auto text = read_file_text(path);
  if (!text)
    return std::move(text).error();
  out.assign(text->view());
  return {};
}

} // namespace shmkit
