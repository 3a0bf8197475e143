#include "shmkit/fd_object.hpp"

#include "shmkit/address.hpp"
#include "shmkit/atomic_ops.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>
#include <vector>

namespace shmkit {

namespace {

std::string shown(const FdObject &object) { return escape_bytes(object.segment); }

// An O_PATH directory fd, closed on every return path.
class DirFd {
public:
  explicit DirFd(int fd) : m_fd(fd) {}
  DirFd(const DirFd &) = delete;
  DirFd &operator=(const DirFd &) = delete;
  ~DirFd() {
    if (m_fd >= 0)
      ::close(m_fd);
  }
  int get() const { return m_fd; }

private:
  int m_fd;
};

// A name nobody else can guess or have taken: a dot (hidden from ls(1) and shell globs) and
// 128 random bits, then ".BASE" when it fits (NAME_MAX): the kernel shows an object unlinked
// while still in use under the name it had last (/proc/PID/fd, maps), and unhidden_name()
// gives BASE back from it, so that ls shows the name the user removed.
std::string private_name(const std::string &base) {
  std::array<unsigned char, 16> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  std::string name = ".shmkit-rm-";
  for (unsigned char b : bytes)
    name += fmt::format("{:02x}", b);
  if (got < bytes.size()) // no getrandom: still unique to this process and moment
    name += fmt::format("-{}-{}", ::getpid(), ::time(nullptr));
  constexpr std::size_t k_name_max = 255;
  if (name.size() + 1 + base.size() <= k_name_max)
    name.append(".").append(base);
  return name;
}

Error op_error(int err, std::string_view op, const FdObject &object) {
  return from_errno(err, fmt::format("cannot {} {}", op, shown(object)));
}

class FdHandle final : public Handle {
public:
  FdHandle(FdObject object, int fd, Access access, SegmentInfo info)
      : m_object(std::move(object)), m_fd(fd), m_access(access), m_info(std::move(info)),
        m_size(m_info.size) {}
  ~FdHandle() override { ::close(m_fd); }

  const SegmentInfo &info() const override { return m_info; }
  std::uint64_t size() const override { return m_size; }
  int fd() const override { return m_fd; }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset > m_size)
      return make_error(Errc::past_end, fmt::format("offset {} is past the end of {} ({} bytes)",
                                                        offset, shown(m_object), m_size));
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), m_size - offset));
    std::size_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(m_fd, out.data() + got, want - got, static_cast<off_t>(offset + got));
      if (n < 0) {
        if (errno == EINTR)
          continue;
        return op_error(errno, "read", m_object);
      }
      if (n == 0)
        return truncated_error(offset + got);
      got += static_cast<std::size_t>(n);
    }
    return got;
  }

  Result<void> write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (m_access != Access::read_write)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot write {}: opened read-only", shown(m_object)));
    if (auto ok = allowed(Change::write); !ok)
      return ok;
    if (offset + data.size() > m_size)
      if (auto ok = allowed(Change::grow); !ok)
        return ok;
    // Reserve the pages first where the filesystem can, so a full tmpfs fails before the
    // first byte is written instead of leaving a half-written range.
    if (!data.empty() &&
        ::fallocate(m_fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(data.size())) != 0 &&
        (errno == ENOSPC || errno == EDQUOT))
      return op_error(errno, "write", m_object);
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(m_fd, data.data() + done, data.size() - done,
                           static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR)
          continue;
        return op_error(errno, "write", m_object);
      }
      done += static_cast<std::size_t>(n);
    }
    if (offset + data.size() > m_size)
      m_size = offset + data.size();
    return {};
  }

  Result<void> store_atomic(std::uint64_t offset, std::uint64_t value, unsigned width) override {
    if (m_access != Access::read_write)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot write {}: opened read-only", shown(m_object)));
    if (auto ok = allowed(Change::write); !ok)
      return ok;
    if (auto st = current_size(); !st)
      return std::move(st).error();
    if (width == 0 || offset % width != 0)
      return make_error(Errc::invalid_argument,
                        fmt::format("offset {} is not aligned to {} bytes", offset, width));
    if (offset + width > m_size)
      return make_error(Errc::past_end, fmt::format("{} bytes at offset {} do not fit in {} ({} bytes)",
                                                        width, offset, shown(m_object), m_size));
    // A store into a hole of a sparse object needs a page: on a full tmpfs the store through
    // the mapping would raise SIGBUS, reported as a truncation. Reserve it first, as write_at
    // does, so that a full filesystem is named as such (issue 13 defect F2).
    if (::fallocate(m_fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(width)) != 0 &&
        (errno == ENOSPC || errno == EDQUOT))
      return op_error(errno, "write", m_object);
    long page = ::sysconf(_SC_PAGESIZE);
    std::uint64_t base = offset - offset % static_cast<std::uint64_t>(page);
    void *mem = ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ | PROT_WRITE, MAP_SHARED,
                       m_fd, static_cast<off_t>(base));
    if (mem == MAP_FAILED)
      return op_error(errno, "map", m_object);
    std::byte *p = static_cast<std::byte *>(mem) + (offset - base);
    // The object may be truncated by another process between the size check above and the
    // store: the store then raises SIGBUS, which the guard turns into an error (issue 8
    // defect 11). Nothing was written in that case.
    bool stored = width == 1 || width == 2 || width == 4 || width == 8;
    bool survived = !stored || guarded_store(p, value, width);
    ::munmap(mem, static_cast<std::size_t>(page));
    if (!stored)
      return make_error(Errc::invalid_argument, fmt::format("cannot store {} bytes atomically", width));
    if (!survived)
      return make_error(Errc::changed,
                        fmt::format("cannot write {}: SIGBUS (it was truncated meanwhile, or its filesystem is full)",
                                    shown(m_object)));
    return {};
  }

  Result<std::uint64_t> load_atomic(std::uint64_t offset, unsigned width) override {
    auto page = map_word(offset, width, Access::read_only);
    if (!page)
      return std::move(page).error();
    std::uint64_t value = 0;
    if (!guarded_load_word(page->word, width, value))
      return sigbus_error("read");
    return value;
  }

  Result<AtomicResult> atomic_update(std::uint64_t offset, unsigned width, AtomicOp op,
                                     std::uint64_t operand, std::uint64_t expected) override {
    if (m_access != Access::read_write)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot write {}: opened read-only", shown(m_object)));
    if (auto ok = allowed(Change::write); !ok)
      return std::move(ok).error();
    auto page = map_word(offset, width, Access::read_write);
    if (!page)
      return std::move(page).error();
    // Truncated between the size check and the access: SIGBUS, caught, nothing changed.
    AtomicResult result;
    if (!guarded_apply_word(page->word, width, op, operand, expected, result))
      return sigbus_error("write");
    return result;
  }

  Result<void> resize(std::uint64_t new_size) override {
    if (m_access != Access::read_write)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot resize {}: opened read-only", shown(m_object)));
    if (new_size != m_size)
      if (auto ok = allowed(new_size > m_size ? Change::grow : Change::shrink); !ok)
        return ok;
    if (::ftruncate(m_fd, static_cast<off_t>(new_size)) != 0)
      return op_error(errno, "resize", m_object);
    m_size = new_size;
    return {};
  }

  Result<void> copy_to_fd(int out_fd, std::uint64_t offset, std::uint64_t length) override {
    off_t pos = static_cast<off_t>(offset);
    std::uint64_t left = length;
    bool use_sendfile = true;
    std::vector<std::byte> buffer;
    while (left > 0) {
      std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 30));
      ssize_t n = -1;
      if (use_sendfile) {
        n = ::sendfile(out_fd, m_fd, &pos, chunk);
        if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
          use_sendfile = false;
          continue;
        }
        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0)
          return from_errno(errno, "write error");
      } else {
        if (buffer.empty())
          buffer.resize(1 << 20);
        chunk = std::min(chunk, buffer.size());
        n = ::pread(m_fd, buffer.data(), chunk, pos);
        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0)
          return op_error(errno, "read", m_object);
        if (n > 0) {
          std::size_t done = 0;
          while (done < static_cast<std::size_t>(n)) {
            ssize_t w = ::write(out_fd, buffer.data() + done, static_cast<std::size_t>(n) - done);
            if (w < 0 && errno == EINTR)
              continue;
            if (w < 0)
              return from_errno(errno, "write error");
            done += static_cast<std::size_t>(w);
          }
          pos += n;
        }
      }
      if (n == 0)
        return truncated_error(static_cast<std::uint64_t>(pos));
      left -= static_cast<std::uint64_t>(n);
    }
    return {};
  }

  Result<Mapping> map(Access access) override {
    if (access == Access::read_write && m_access != Access::read_write)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot map {} for writing: opened read-only", shown(m_object)));
    if (access == Access::read_write)
      if (auto ok = allowed(Change::write); !ok)
        return std::move(ok).error();
    if (m_size == 0)
      return make_error(Errc::invalid_argument,
                        fmt::format("cannot map {}: it is empty", shown(m_object)));
    int prot = PROT_READ | (access == Access::read_write ? PROT_WRITE : 0);
    void *mem = ::mmap(nullptr, static_cast<std::size_t>(m_size), prot, MAP_SHARED, m_fd, 0);
    if (mem == MAP_FAILED)
      return op_error(errno, "map", m_object);
    return Mapping(mem, static_cast<std::size_t>(m_size), static_cast<std::size_t>(m_size),
                   Release::munmap);
  }

  Result<PageLock> lock_pages(const Mapping &mapping) const override {
    if (lock_range(mapping.data(), mapping.size()) != 0) {
      int err = errno;
      if (err == EPERM)
        return make_error(Errc::permission_denied,
                          fmt::format("cannot lock {}: permission denied (mlock needs "
                                      "CAP_IPC_LOCK or a non-zero RLIMIT_MEMLOCK)",
                                      shown(m_object)));
      if (err == ENOMEM || err == EAGAIN)
        return make_error(Errc::no_space,
                          fmt::format("cannot lock {}: {} bytes exceed RLIMIT_MEMLOCK ({}) or "
                                      "the memory available",
                                      shown(m_object), mapping.size(), memlock_limit_text()));
      return from_errno(err, fmt::format("cannot lock {}", shown(m_object)));
    }
    return PageLock::mlocked(mapping.data(), mapping.size());
  }

  Result<Liveness> check() override {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
      return op_error(errno, "stat", m_object);
    // A holder's link has no name to lose: the object lives as long as our fd does, whatever
    // the holder does with its own fd or mapping meanwhile.
    if (m_object.holder_link) {
      std::uint64_t now = static_cast<std::uint64_t>(st.st_size);
      bool shrank = now < m_size;
      m_size = now;
      return shrank ? Liveness::truncated : Liveness::alive;
    }
    if (m_object.identity) {
      auto identity = m_object.identity(st);
      if (!identity)
        return identity;
      if (*identity != Liveness::alive)
        return *identity;
      return size_now(st);
    }
    // The name decides between removed and replaced: an object unlinked and recreated under
    // the same name is "replaced" even though our inode's link count is now 0.
    struct stat by_name {};
    if (::lstat(m_object.path.c_str(), &by_name) != 0) {
      if (errno == ENOENT)
        return Liveness::removed;
      return op_error(errno, "stat", m_object);
    }
    if (by_name.st_ino != st.st_ino || by_name.st_dev != st.st_dev)
      return Liveness::replaced;
    if (st.st_nlink == 0)
      return Liveness::removed;
    return size_now(st);
  }

private:
  Liveness size_now(const struct stat &st) {
    std::uint64_t now = static_cast<std::uint64_t>(st.st_size);
    bool shrank = now < m_size;
    m_size = now;
    return shrank ? Liveness::truncated : Liveness::alive;
  }

  Result<void> allowed(Change change) const {
    if (!m_object.allow_change)
      return {};
    return m_object.allow_change(m_fd, change);
  }

  // One page of the object mapped MAP_SHARED around an aligned word; unmapped when destroyed.
  struct WordPage {
    void *base = MAP_FAILED;
    std::size_t length = 0;
    void *word = nullptr;
    WordPage() = default;
    WordPage(const WordPage &) = delete;
    WordPage &operator=(const WordPage &) = delete;
    WordPage(WordPage &&other) noexcept
        : base(std::exchange(other.base, MAP_FAILED)), length(other.length), word(other.word) {}
    ~WordPage() {
      if (base != MAP_FAILED)
        ::munmap(base, length);
    }
  };

  // Checks alignment and bounds against the object's size now, reserves the page of a write
  // (a hole on a full tmpfs: ENOSPC named as such, not a SIGBUS, as in store_atomic) and maps it.
  Result<WordPage> map_word(std::uint64_t offset, unsigned width, Access access) {
    if (auto ok = check_atomic_access(offset, width); !ok)
      return std::move(ok).error();
    if (auto st = current_size(); !st)
      return std::move(st).error();
    if (offset > m_size || width > m_size - offset)
      return make_error(Errc::past_end,
                        fmt::format("{} bytes at offset {} do not fit in {} ({} bytes)", width,
                                    offset, shown(m_object), m_size));
    if (access == Access::read_write &&
        ::fallocate(m_fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(width)) != 0 &&
        (errno == ENOSPC || errno == EDQUOT))
      return op_error(errno, "write", m_object);
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t base = offset - offset % page;
    WordPage mapped;
    mapped.length = static_cast<std::size_t>(page);
    int prot = PROT_READ | (access == Access::read_write ? PROT_WRITE : 0);
    mapped.base = ::mmap(nullptr, mapped.length, prot, MAP_SHARED, m_fd, static_cast<off_t>(base));
    if (mapped.base == MAP_FAILED)
      return op_error(errno, "map", m_object);
    mapped.word = static_cast<std::byte *>(mapped.base) + (offset - base);
    return mapped;
  }

  Error sigbus_error(std::string_view op) const {
    return make_error(Errc::changed,
                      fmt::format("cannot {} {}: SIGBUS (it was truncated meanwhile, or its "
                                  "filesystem is full)",
                                  op, shown(m_object)));
  }

  Result<void> current_size() {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
      return op_error(errno, "stat", m_object);
    m_size = static_cast<std::uint64_t>(st.st_size);
    return {};
  }

  Error truncated_error(std::uint64_t at) const {
    return make_error(Errc::changed,
                      fmt::format("{} was truncated while reading (ended at byte {})",
                                  shown(m_object), at));
  }

  FdObject m_object;
  int m_fd;
  Access m_access;
  SegmentInfo m_info;
  std::uint64_t m_size;
};

} // namespace

std::string_view unhidden_name(std::string_view component) {
  constexpr std::string_view k_prefix = ".shmkit-rm-";
  constexpr std::size_t k_hex = 32;
  if (component.substr(0, k_prefix.size()) != k_prefix)
    return component;
  std::string_view rest = component.substr(k_prefix.size());
  if (rest.size() < k_hex)
    return component;
  for (char c : rest.substr(0, k_hex))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return component;
  rest.remove_prefix(k_hex);
  // "-PID-TIME" where getrandom failed.
  for (int part = 0; part < 2 && !rest.empty() && rest.front() == '-'; ++part) {
    std::size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9')
      ++digits;
    if (digits == 1)
      return component;
    rest.remove_prefix(digits);
  }
  if (rest.size() < 2 || rest.front() != '.')
    return component;
  return rest.substr(1);
}

bool is_semaphore_name(std::string_view name) { return name.substr(0, 4) == "sem."; }

SegmentInfo fd_object_info(const FdObject &object, const struct stat &st) {
  SegmentInfo info;
  info.kind = object.kind;
  info.segment = object.segment;
  info.name = object.name;
  info.mode = st.st_mode & 0777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.alloc = static_cast<std::uint64_t>(st.st_blocks) * 512;
  info.atime = st.st_atime;
  info.ctime = st.st_ctime;
  info.mtime = st.st_mtime;
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  if (!S_ISREG(st.st_mode))
    info.oddity = Oddity::not_regular;
  return info;
}

Result<SegmentInfo> stat_fd_object(const FdObject &object) {
  struct stat st {};
  if ((object.holder_link ? ::stat(object.path.c_str(), &st)
                          : ::lstat(object.path.c_str(), &st)) != 0)
    return op_error(errno, "stat", object);
  SegmentInfo info = fd_object_info(object, st);
  info.unlinked = object.holder_link && st.st_nlink == 0;
  if (object.semaphore && info.oddity == Oddity::none)
    info.oddity = Oddity::semaphore;
  return info;
}

Result<std::unique_ptr<Handle>> open_fd_object(const FdObject &object, Access access) {
  // A write would corrupt the semaphore's futex word for every process that uses it.
  if (object.semaphore && access == Access::read_write)
    return make_error(Errc::not_supported,
                      fmt::format("cannot open {} for writing: it is a POSIX semaphore",
                                  shown(object)));
  int flags = (access == Access::read_write ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC |
              O_NONBLOCK | O_NOCTTY;
  // A holder's link is a symbolic link by design: follow it, but only to the regular file it
  // named a moment before (the holder may close that fd and open another meanwhile).
  struct stat before {};
  if (object.holder_link) {
    if (::stat(object.path.c_str(), &before) != 0)
      return op_error(errno, "open", object);
    if (!S_ISREG(before.st_mode))
      return make_error(Errc::not_supported,
                        fmt::format("cannot open {}: not a regular file", shown(object)));
    flags &= ~O_NOFOLLOW;
  }
  int fd = ::open(object.path.c_str(), flags);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP)
      return make_error(Errc::not_supported,
                        fmt::format("cannot open {}: is a symbolic link", shown(object)));
    return from_errno(err, fmt::format("cannot open {}{}", shown(object),
                                       access == Access::read_write ? " for writing" : ""));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return op_error(err, "stat", object);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::not_supported,
                      fmt::format("cannot open {}: not a regular file", shown(object)));
  }
  if (object.holder_link && (st.st_dev != before.st_dev || st.st_ino != before.st_ino)) {
    ::close(fd);
    return make_error(Errc::changed, fmt::format("cannot open {}: the process replaced it "
                                                 "while it was being opened",
                                                 shown(object)));
  }
  // Regular files ignore O_NONBLOCK for I/O, but clear it anyway: it was only for the open.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  SegmentInfo info = fd_object_info(object, st);
  info.unlinked = object.holder_link && st.st_nlink == 0;
  return std::unique_ptr<Handle>(
      std::make_unique<FdHandle>(object, fd, access, std::move(info)));
}

std::unique_ptr<Handle> adopt_fd_object(FdObject object, int fd, Access access,
                                        const struct stat &st) {
  SegmentInfo info = fd_object_info(object, st);
  return std::make_unique<FdHandle>(std::move(object), fd, access, std::move(info));
}

Result<SegmentInfo> create_fd_object(const FdObject &object, const CreateSpec &spec) {
  if (object.semaphore)
    return make_error(Errc::not_supported,
                      fmt::format("cannot create {}: names starting with 'sem.' in the POSIX "
                                  "shared memory directory belong to POSIX semaphores",
                                  shown(object)));
  int fd = ::open(object.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST && spec.exist_ok) {
      auto existing = stat_fd_object(object);
      if (!existing)
        return existing;
      if (existing->oddity != Oddity::none)
        return make_error(Errc::exists,
                          fmt::format("{} exists and is not a regular file", shown(object)));
      if (existing->size < spec.size)
        return make_error(Errc::exists,
                          fmt::format("{} exists with size {}, smaller than the requested {}",
                                      shown(object), existing->size, spec.size));
      return existing;
    }
    if (err == EEXIST)
      return make_error(Errc::exists, fmt::format("cannot create {}: already exists", shown(object)));
    return op_error(err, "create", object);
  }
  auto fail = [&](int err, std::string_view op) -> Error {
    ::unlink(object.path.c_str());
    ::close(fd);
    return op_error(err, op, object);
  };
  if (::ftruncate(fd, static_cast<off_t>(spec.size)) != 0)
    return fail(errno, "size");
  if (spec.allocate) {
    if (int err = ::posix_fallocate(fd, 0, static_cast<off_t>(spec.size)); err != 0)
      return fail(err, "allocate");
  }
  if (::fchmod(fd, spec.mode) != 0)
    return fail(errno, "chmod");
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return fail(errno, "stat");
  ::close(fd);
  return fd_object_info(object, st);
}

Result<void> remove_fd_object(const FdObject &object, const SegmentInfo &expected) {
  std::string_view path = object.path;
  std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string_view::npos ? std::string(".")
                    : slash == 0                    ? std::string("/")
                                                    : std::string(path.substr(0, slash));
  std::string base(slash == std::string_view::npos ? path : path.substr(slash + 1));
  DirFd dfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0)
    return op_error(errno, "remove", object);
  auto replaced = [&] {
    return make_error(Errc::changed,
                      fmt::format("not removing {}: it was replaced since it was listed",
                                  shown(object)));
  };
  auto same = [&](const struct stat &st) {
    return !(expected.ino && *expected.ino != st.st_ino) &&
           !(expected.dev && *expected.dev != st.st_dev);
  };
  struct stat st {};
  if (::fstatat(dfd.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return op_error(errno, "remove", object);
  if (!same(st))
    return replaced();
  if (S_ISDIR(st.st_mode)) // what unlink(2) says, without moving the directory first
    return op_error(EISDIR, "remove", object);

  // stat-then-unlink by name would remove whatever holds the name at the moment of the
  // unlink. Take the object off its name first: then the inode checked is the one removed.
  std::string hidden;
  int err = EEXIST;
  for (int attempt = 0; attempt < 8 && err == EEXIST; ++attempt) {
    hidden = private_name(base);
    err = ::renameat2(dfd.get(), base.c_str(), dfd.get(), hidden.c_str(), RENAME_NOREPLACE) == 0
              ? 0
              : errno;
  }
  if (err == EINVAL || err == ENOSYS) {
    // A filesystem without RENAME_NOREPLACE: the best left is to check right before unlinking.
    if (::fstatat(dfd.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return op_error(errno, "remove", object);
    if (!same(st))
      return replaced();
    if (::unlinkat(dfd.get(), base.c_str(), 0) != 0)
      return op_error(errno, "remove", object);
    return {};
  }
  if (err != 0)
    return op_error(err, "remove", object);

  // Puts whatever we moved back under its name; reports where it is when that name was
  // taken again meanwhile.
  auto put_back = [&](Error error) -> Error {
    if (::renameat2(dfd.get(), hidden.c_str(), dfd.get(), base.c_str(), RENAME_NOREPLACE) != 0) {
      int back_err = errno;
      std::string where = fmt::format("{}/{}", escape_bytes(dir == "/" ? "" : dir), hidden);
      error.message +=
          back_err == EEXIST
              ? fmt::format(", and its name was taken again before it could be put back: it is "
                            "now {}",
                            where)
              : fmt::format(", and it could not be put back ({}): it is now {}",
                            from_errno(back_err, "rename").message, where);
    }
    return error;
  };
  if (::fstatat(dfd.get(), hidden.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return put_back(op_error(errno, "remove", object));
  if (!same(st))
    return put_back(replaced());
  if (::unlinkat(dfd.get(), hidden.c_str(), 0) != 0)
    return put_back(op_error(errno, "remove", object));
  return {};
}

} // namespace shmkit
