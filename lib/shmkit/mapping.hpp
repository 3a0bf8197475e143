// A move-only view of mapped shared memory that detaches or unmaps itself.
#pragma once

#include <cstddef>
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

/// Copies n bytes from shared memory, turning a SIGBUS (the object shrank under us) into a
/// false return instead of a crash. Safe to call from one thread at a time.
bool guarded_copy(void *dst, const void *src, std::size_t n) noexcept;

/// Compares n bytes of shared memory with a snapshot; returns -1 on SIGBUS, else 0 when equal
/// and 1 when different.
int guarded_compare(const void *shared, const void *snapshot, std::size_t n) noexcept;

} // namespace shmkit
