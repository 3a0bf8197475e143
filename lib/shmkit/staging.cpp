#include "shmkit/staging.hpp"

#include "shmkit/fileio.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

namespace shmkit {

namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older glibc headers lack it
#endif

// Input of unknown length gets one reservation of the whole room when the room is at most
// this (address space only: untouched pages cost nothing), else this much to start with,
// doubled by mremap as input arrives.
constexpr std::size_t k_max_first_reserve = std::size_t{64} << 30;
constexpr std::size_t k_fallback_reserve = std::size_t{64} << 20;

// No staging beyond this: off_t is signed, and it keeps capacity arithmetic from overflowing.
constexpr std::uint64_t k_max_staging = std::uint64_t{1} << 62;

// Reads take at most this much: a pipe read copies under the pipe's lock, and the writer on
// the other side waits for that lock, so shorter holds keep both sides moving.
constexpr std::size_t k_read_chunk = std::size_t{1} << 20;

// The pages of the buffer are faulted in this far ahead of the data, with one madvise,
// so that the copy out of a pipe never takes a page fault (zeroing a huge page) while it holds
// the pipe's lock. Measured on 1 GiB from a pipe: from 0.6-3.5 s down to a steady ~0.55 s.
constexpr std::size_t k_populate_ahead = std::size_t{8} << 20;

constexpr std::size_t k_huge_page = std::size_t{2} << 20;

std::size_t page_size() noexcept {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// Pages, and whole huge pages from 2 MiB on: the kernel aligns anonymous mappings whose
// length is a multiple of the huge page size, and only aligned ranges get huge pages.
std::size_t round_capacity(std::uint64_t n) noexcept {
  std::size_t unit = n >= k_huge_page ? k_huge_page : page_size();
  return static_cast<std::size_t>((n + unit - 1) / unit * unit);
}

Error too_long(std::string_view what, std::uint64_t limit) {
  return make_error(Errc::past_end, fmt::format("{} has more than {} bytes", what, limit));
}

// Why memory for `bytes` more bytes was refused, naming the limit that was hit: an allocation
// failure is reported, never thrown (issue 8 defect 10).
std::string no_memory_reason() {
  struct rlimit as {};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
    return fmt::format("the address space is limited to {} bytes (RLIMIT_AS, ulimit -v)",
                       as.rlim_cur);
  return "out of memory";
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
  capacity = round_capacity(capacity);
  if (capacity <= m_capacity)
    return {};
  void *base = nullptr;
  if (m_base == nullptr)
    base = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  else
    base = ::mremap(m_base, m_capacity, capacity, MREMAP_MAYMOVE);
  if (base == MAP_FAILED) {
    if (errno == ENOMEM)
      return make_error(Errc::no_space, fmt::format("cannot stage {} bytes in memory: {}",
                                                    capacity, no_memory_reason()));
    return from_errno(errno, fmt::format("cannot stage {} bytes", capacity));
  }
  // Huge pages make the first touch of a large buffer far cheaper (512 faults per GiB
  // instead of 262144; 1 GiB from a pipe 1.17 s -> 0.78 s). Only advice: it fails harmlessly
  // where THP is off.
  if (capacity >= k_huge_page)
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
    return make_error(Errc::no_space, fmt::format("cannot stage {} bytes in memory: larger than "
                                                  "{} bytes",
                                                  size, k_max_staging));
  if (auto ok = staging.reserve(static_cast<std::size_t>(size)); !ok) {
    if (ok.error().code == Errc::no_space)
      return make_error(Errc::no_space, fmt::format("cannot stage {} bytes in memory: {}", size,
                                                    no_memory_reason()));
    return std::move(ok).error();
  }
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
  const std::uint64_t want = limit + 1;
  std::uint64_t first = std::min<std::uint64_t>(want, k_max_first_reserve);
  struct stat st {};
  const bool have_stat = ::fstat(fd, &st) == 0;
  if (have_stat && S_ISREG(st.st_mode)) {
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    if (pos >= 0 && st.st_size >= pos) {
      auto left = static_cast<std::uint64_t>(st.st_size - pos);
      if (left > limit)
        return too_long(what, limit);
      first = left + 1; // room for the EOF probe (or a file that grows meanwhile)
    }
  } else if (have_stat && S_ISFIFO(st.st_mode) && limit >= k_read_chunk) {
    widen_pipe(fd);
  }
  if (::isatty(fd) == 1)
    return make_error(Errc::not_supported,
                      fmt::format("cannot read {}: it is a terminal (pipe the data in, or name a "
                                  "file)",
                                  what));
  // The room may be far larger than the input (a pipe into a 1 GiB segment, or --grow): the
  // stage starts at the room when the address space allows, else at what it allows (ulimit -v,
  // vm.overcommit_memory=2), and grows as input arrives, never beyond the room plus one byte
  // (issue 8 defect 19c).
  Staging staging;
  if (auto ok = staging.reserve(static_cast<std::size_t>(first)); !ok) {
    if (ok.error().code != Errc::no_space)
      return std::move(ok).error();
    bool reserved = false;
    for (std::size_t size = std::min<std::uint64_t>(first / 2, k_fallback_reserve);
         !reserved && size >= page_size(); size /= 2)
      reserved = static_cast<bool>(staging.reserve(size));
    if (!reserved)
      return make_error(Errc::no_space, fmt::format("cannot stage {} in memory: {}", what,
                                                    no_memory_reason()));
  }
  std::size_t got = 0;
  std::size_t populated = 0;
  for (;;) {
    if (got == staging.m_capacity) {
      if (got >= want)
        return too_long(what, limit);
      // Double; when the address space runs short, grow by a read, then by a page.
      bool grown = false;
      for (std::uint64_t step : {std::uint64_t{got}, std::uint64_t{k_read_chunk},
                                 std::uint64_t{page_size()}}) {
        if (staging.reserve(static_cast<std::size_t>(std::min(want, got + step)))) {
          grown = true;
          break;
        }
      }
      if (!grown)
        return make_error(Errc::no_space,
                          fmt::format("cannot stage more than {} bytes of {} in memory: {}", got,
                                      what, no_memory_reason()));
    }
    auto *base = static_cast<std::byte *>(staging.m_base);
    std::size_t room = std::min(staging.m_capacity - got, k_read_chunk);
    if (got + room > populated) {
      std::size_t ahead = std::min(staging.m_capacity - populated, k_populate_ahead);
      ::madvise(base + populated, ahead, MADV_POPULATE_WRITE); // advice: may fail on old kernels
      populated += ahead;
    }
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

// Streaming reads and writes this much at a time: large enough for few system calls, small
// enough to stay in the cache between the read and the write.
constexpr std::size_t k_stream_chunk = std::size_t{256} << 10;

Result<InputFile> InputFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return from_errno(errno, fmt::format("cannot open {}", escape_bytes(path)));
  return InputFile(fd, escape_bytes(path), true);
}

InputFile::~InputFile() {
  if (m_owned && m_fd >= 0)
    ::close(m_fd);
}

InputFile::InputFile(InputFile &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_name(std::move(other.m_name)),
      m_owned(std::exchange(other.m_owned, false)) {}

std::optional<std::uint64_t> InputFile::known_length() const {
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  off_t pos = ::lseek(m_fd, 0, SEEK_CUR);
  if (pos < 0 || st.st_size < pos)
    return std::nullopt;
  return static_cast<std::uint64_t>(st.st_size - pos);
}

Result<Staging> InputFile::stage(std::uint64_t limit) const {
  return Staging::read_fd(m_fd, limit, m_name);
}

Result<std::uint64_t> InputFile::stream_to(Handle &handle, std::uint64_t offset,
                                           std::uint64_t length) const {
  // Reserve the whole range before the first chunk, where the filesystem can (tmpfs, ext4):
  // a full filesystem then fails before any byte is written, instead of after some chunks,
  // leaving a mix of old and new bytes that restoring the size (--grow) cannot undo (issue 13
  // defect F1). Handle::write_at reserves each chunk again, which then costs nothing.
  const int fd = handle.fd();
  if (fd >= 0 && length > 0 &&
      ::fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) != 0 &&
      (errno == ENOSPC || errno == EDQUOT))
    return from_errno(errno, fmt::format("cannot write {}", escape_bytes(handle.info().segment)));
  std::vector<std::byte> buffer(
      static_cast<std::size_t>(std::min<std::uint64_t>(length, k_stream_chunk)));
  std::uint64_t done = 0;
  while (done < length) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length - done, buffer.size()));
    ssize_t n = ::read(m_fd, buffer.data(), want);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return from_errno(errno, fmt::format("cannot read {}", m_name));
    }
    if (n == 0)
      break; // the file shrank meanwhile
    auto written =
        handle.write_at(offset + done, std::span(buffer.data(), static_cast<std::size_t>(n)));
    if (!written)
      return std::move(written).error();
    done += static_cast<std::uint64_t>(n);
  }
  return done;
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
