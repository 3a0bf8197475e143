// shmkit create --from: the input of the initial contents.
#include "create_input.hpp"

#include "shmkit/address.hpp"
#include "shmkit/housekeeping.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

namespace shmkit::cli {

namespace {

constexpr std::size_t k_chunk = std::size_t{1} << 20;

} // namespace

Input::~Input() {
  if (m_owned && m_fd >= 0)
    ::close(m_fd);
}

Result<void> Input::open(const std::string &path) {
  if (path == "-") {
    m_fd = STDIN_FILENO;
    name = "standard input";
  } else {
    name = escape_bytes(path);
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (m_fd < 0)
      return from_errno(errno, fmt::format("cannot open {}", name));
    m_owned = true;
  }
  struct stat st {};
  if (::fstat(m_fd, &st) != 0)
    return from_errno(errno, fmt::format("cannot stat {}", name));
  if (S_ISDIR(st.st_mode))
    return make_error(Errc::io, fmt::format("cannot read {}: is a directory", name));
  regular = S_ISREG(st.st_mode);
  if (regular) {
    off_t at = ::lseek(m_fd, 0, SEEK_CUR);
    at = at < 0 ? 0 : at;
    length = st.st_size > at ? static_cast<std::uint64_t>(st.st_size - at) : 0;
  }
  return {};
}

Result<std::size_t> Input::read_some(std::span<std::byte> out) {
  for (;;) {
    ssize_t n = ::read(m_fd, out.data(), out.size());
    if (n >= 0)
      return static_cast<std::size_t>(n);
    if (errno != EINTR)
      return from_errno(errno, fmt::format("cannot read {}", name));
  }
}

Result<void> Input::stage(std::uint64_t limit) {
  auto read = Staging::read_fd(m_fd, limit, name);
  if (!read)
    return std::move(read).error();
  staged = std::move(*read);
  return {};
}

Result<void> fill(Backend &backend, const SegmentInfo &info, Input &input, std::uint64_t size) {
  auto handle = backend.open(address_of(info), Access::read_write);
  if (!handle)
    return std::move(handle).error();
  if (!input.regular)
    return (*handle)->write_at(0, input.staged.bytes());
  std::vector<std::byte> chunk(k_chunk);
  std::uint64_t offset = 0;
  for (;;) {
    auto n = input.read_some(chunk);
    if (!n)
      return std::move(n).error();
    if (*n == 0)
      return {};
    if (*n > size - offset)
      return make_error(
          Errc::past_end,
          fmt::format("{} grew while being read: more than the size {}", input.name, size));
    if (auto ok = (*handle)->write_at(offset, std::span(chunk).first(*n)); !ok)
      return ok;
    offset += *n;
  }
}

} // namespace shmkit::cli
