// A move-only view of mapped shared memory that detaches or unmaps itself.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

namespace shmkit {

/// How a Mapping is released: shmdt(2) for SysV attaches, munmap(2) for mmap'ed fds.
enum class Release { shmdt, munmap };

/// Owns one mapping. data() is the first byte of the segment; size() its length in bytes
/// (the segment's size, which may be smaller than the mapped pages).
class Mapping {
public:
  Mapping() = default;
  Mapping(void *base, std::size_t size, std::size_t mapped_length, Release release) noexcept
      : m_base(base), m_size(size), m_mapped(mapped_length), m_release(release) {}
  ~Mapping() { reset(); }
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;
  Mapping(Mapping &&other) noexcept { swap(other); }
  Mapping &operator=(Mapping &&other) noexcept {
    if (this != &other) {
      reset();
      swap(other);
    }
    return *this;
  }

  std::byte *data() const noexcept { return static_cast<std::byte *>(m_base); }
  std::size_t size() const noexcept { return m_size; }
  std::size_t mapped_length() const noexcept { return m_mapped; }
  explicit operator bool() const noexcept { return m_base != nullptr; }

  /// Detaches/unmaps now (idempotent).
  void reset() noexcept;

private:
  void swap(Mapping &other) noexcept {
    std::swap(m_base, other.m_base);
    std::swap(m_size, other.m_size);
    std::swap(m_mapped, other.m_mapped);
    std::swap(m_release, other.m_release);
  }
  void *m_base = nullptr;
  std::size_t m_size = 0;
  std::size_t m_mapped = 0;
  Release m_release = Release::munmap;
};

/// Pinned pages, undone on destruction: munlock(2) of a range, or SHM_UNLOCK of a SysV segment.
/// Made by Handle::lock_pages().
class PageLock {
public:
  PageLock() = default;
  /// Pages of [base, base+length) locked with mlock(2).
  static PageLock mlocked(void *base, std::size_t length) noexcept {
    PageLock lock;
    lock.m_base = base;
    lock.m_length = length;
    return lock;
  }
  /// A SysV segment locked with SHM_LOCK (-1: it was locked before, leave it locked).
  static PageLock shm_locked(int shmid) noexcept {
    PageLock lock;
    lock.m_shmid = shmid;
    return lock;
  }
  PageLock(PageLock &&other) noexcept { swap(other); }
  PageLock &operator=(PageLock &&other) noexcept {
    if (this != &other) {
      release();
      swap(other);
    }
    return *this;
  }
  PageLock(const PageLock &) = delete;
  PageLock &operator=(const PageLock &) = delete;
  ~PageLock() { release(); }

  /// Unlocks now (idempotent). Must run before the mapping goes away.
  void release() noexcept;

private:
  void swap(PageLock &other) noexcept {
    std::swap(m_base, other.m_base);
    std::swap(m_length, other.m_length);
    std::swap(m_shmid, other.m_shmid);
  }
  void *m_base = nullptr;
  std::size_t m_length = 0;
  int m_shmid = -1;
};

/// mlock(2) as a system call: AddressSanitizer replaces the libc function with a no-op that
/// reports success, which would make --lock silently lock nothing in the sanitizer build.
/// Returns 0 or -1 with errno set.
int lock_range(const void *base, std::size_t length) noexcept;

/// RLIMIT_MEMLOCK for messages: "65536 bytes" or "unlimited".
std::string memlock_limit_text();

/// Runs fn(ctx), turning a SIGBUS raised inside it (a POSIX object or file that shrank under a
/// mapping) into a false return instead of a crash: the one SIGBUS guard of lib. fn must not
/// own resources that need destructors (the guard leaves it with siglongjmp). Safe to call from
/// one thread at a time.
bool run_sigbus_guarded(void (*fn)(void *), void *ctx) noexcept;

/// run_sigbus_guarded for a lambda: `sigbus_guarded([&] { value = *p; })`.
template <typename Op> bool sigbus_guarded(Op &&op) noexcept {
  return run_sigbus_guarded(
      [](void *ctx) { (*static_cast<std::remove_reference_t<Op> *>(ctx))(); }, &op);
}

/// Copies n bytes from shared memory, turning a SIGBUS (the object shrank under us) into a
/// false return instead of a crash. Safe to call from one thread at a time.
bool guarded_copy(void *dst, const void *src, std::size_t n) noexcept;

/// Stores `value` into the naturally aligned 1/2/4/8-byte word at p with one atomic store
/// (__atomic_store_n, as a C program's builtin would), turning a SIGBUS (the object was
/// truncated between the caller's size check and the store) into a false return. The caller
/// checks width and alignment (a bad width stores nothing and returns true).
bool guarded_store(void *p, std::uint64_t value, unsigned width) noexcept;

/// Compares n bytes of shared memory with a snapshot; returns -1 on SIGBUS, else 0 when equal
/// and 1 when different.
int guarded_compare(const void *shared, const void *snapshot, std::size_t n) noexcept;

} // namespace shmkit
