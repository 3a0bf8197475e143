#include "shmkit/staging.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

namespace shmkit {

namespace {

// The first reservation for input of unknown length; it doubles from there. Untouched pages
// cost nothing, so this only bounds the number of mremap calls.
constexpr std::size_t k_first_reserve = std::size_t{64} << 20;

// No staging beyond this: off_t is signed, and it keeps capacity arithmetic from overflowing.
constexpr std::uint64_t k_max_staging = std::uint64_t{1} << 62;

std::size_t page_size() noexcept {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t round_to_pages(std::uint64_t n) noexcept {
  std::size_t page = page_size();
  return static_cast<std::size_t>((n + page - 1) / page * page);
}

Error too_long(std::string_view what, std::uint64_t limit) {
  return make_error(Errc::out_of_range, fmt::format("{} has more than {} bytes", what, limit));
}

} // namespace

Staging::~Staging() { release(); }

Staging::Staging(Staging &&other) noexcept
    : m_base(std::exchange(other.m_base, nullptr)), m_size(std::exchange(other.m_size, 0)),
      m_capacity(std::exchange(other.m_capacity, 0)) {}

Staging &Staging::operator=(Staging &&other) noexcept {
  if (this != &other) {
    release();
    m_base = std::exchange(other.m_base, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
  }
  return *this;
}

void Staging::release() noexcept {
  if (m_base != nullptr)
    ::munmap(m_base, m_capacity);
  m_base = nullptr;
  m_size = 0;
  m_capacity = 0;
}

Result<void> Staging::reserve(std::size_t capacity) {
  capacity = round_to_pages(capacity);
  if (capacity <= m_capacity)
    return {};
  void *base = nullptr;
  if (m_base == nullptr)
    base = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  else
    base = ::mremap(m_base, m_capacity, capacity, MREMAP_MAYMOVE);
  if (base == MAP_FAILED)
    return from_errno(errno, fmt::format("cannot stage {} bytes", capacity));
  // Huge pages make the first touch of a large buffer far cheaper (512 faults per GiB
  // instead of 262144). Only advice: it fails harmlessly where THP is off.
  if (capacity >= (std::size_t{2} << 20))
    ::madvise(base, capacity, MADV_HUGEPAGE);
  m_base = base;
  m_capacity = capacity;
  return {};
}

Result<Staging> Staging::zeros(std::uint64_t size) {
  Staging staging;
  if (size == 0)
    return staging;
  if (size > k_max_staging)
    return make_error(Errc::no_space, fmt::format("cannot stage {} bytes", size));
  if (auto ok = staging.reserve(static_cast<std::size_t>(size)); !ok)
    return std::move(ok).error();
  staging.m_size = static_cast<std::size_t>(size);
  return staging;
}

Result<Staging> Staging::filled(std::uint64_t size, std::byte value) {
  auto staging = zeros(size);
  if (staging && value != std::byte{0})
    std::memset(staging->m_base, std::to_integer<int>(value), staging->m_size);
  return staging;
}

Result<Staging> Staging::read_fd(int fd, std::uint64_t limit, std::string_view what) {
  limit = std::min(limit, k_max_staging);
  // One byte more than the room: that byte arriving is how "too long" is detected.
  std::uint64_t want = limit + 1;
  std::uint64_t first = std::min<std::uint64_t>(want, k_first_reserve);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    if (pos >= 0 && st.st_size >= pos) {
      auto left = static_cast<std::uint64_t>(st.st_size - pos);
      if (left > limit)
        return too_long(what, limit);
      first = left + 1; // room for the EOF probe (or a file that grows meanwhile)
    }
  }
  if (S_ISFIFO(st.st_mode) && limit >= (std::uint64_t{1} << 20) &&
      ::fcntl(fd, F_GETPIPE_SZ) < (1 << 20))
    (void)::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
  Staging staging;
  if (auto ok = staging.reserve(static_cast<std::size_t>(first)); !ok)
    return std::move(ok).error();
  auto *base = static_cast<std::byte *>(staging.m_base);
  std::size_t got = 0;
  for (;;) {
    if (got == staging.m_capacity) {
      if (got >= want)
        return too_long(what, limit);
      std::uint64_t grown = std::min<std::uint64_t>(want, std::uint64_t{got} * 2);
      if (auto ok = staging.reserve(static_cast<std::size_t>(grown)); !ok)
        return std::move(ok).error();
      base = static_cast<std::byte *>(staging.m_base);
    }
    std::size_t room = std::min<std::size_t>(staging.m_capacity - got, std::size_t{1} << 30);
    ssize_t n = ::read(fd, base + got, room);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return from_errno(errno, fmt::format("cannot read {}", what));
    }
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
    if (got > limit)
      return too_long(what, limit);
  }
  staging.m_size = got;
  return staging;
}

Result<Staging> Staging::read_file(const std::string &path, std::uint64_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return from_errno(errno, fmt::format("cannot open {}", escape_bytes(path)));
  auto staging = read_fd(fd, limit, escape_bytes(path));
  ::close(fd);
  return staging;
}

} // namespace shmkit
