// Small file helpers shared inside lib.
#pragma once

#include "shmkit/error.hpp"

#include <unistd.h>

#include <string>
#include <utility>

namespace shmkit {

/// A file descriptor closed when it goes out of scope (move-only; -1 holds nothing).
class OwnedFd {
public:
  explicit OwnedFd(int fd = -1) noexcept : m_fd(fd) {}
  OwnedFd(OwnedFd &&other) noexcept : m_fd(other.release()) {}
  OwnedFd &operator=(OwnedFd &&other) noexcept {
    if (this != &other) {
      reset();
      m_fd = other.release();
    }
    return *this;
  }
  OwnedFd(const OwnedFd &) = delete;
  OwnedFd &operator=(const OwnedFd &) = delete;
  ~OwnedFd() { reset(); }
  int get() const noexcept { return m_fd; }
  int release() noexcept { return std::exchange(m_fd, -1); }
  void reset() noexcept {
    if (m_fd >= 0)
      ::close(m_fd);
    m_fd = -1;
  }

private:
  int m_fd;
};

/// Reads a whole small file, including /proc files whose st_size is 0, into `out`.
/// Fails with the open/read errno (not_found, permission_denied, io).
Result<void> read_whole_file(const std::string &path, std::string &out);

/// Raises the capacity of a pipe to 1 MiB (fs.pipe-max-size, allowed without privilege) when
/// it is smaller: 16 times fewer context switches than the 64 KiB default for large copies.
/// Only a hint; does nothing for anything that is not a pipe, and failure is fine.
void widen_pipe(int fd) noexcept;

} // namespace shmkit
