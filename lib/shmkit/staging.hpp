// Staging: memory that holds the bytes of one `write` before the first of them reaches the
// segment. A write is bounds-checked before it starts (shmkit-write(1)), so input of unknown
// length (a pipe) is read here first, never more than the room available plus one byte.
#pragma once

#include "shmkit/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace shmkit {

class Handle;

/// Anonymous memory holding staged bytes; move-only, unmapped by the destructor. Pages are
/// allocated on first touch, so zeros() costs no memory (writing from it reads the kernel's
/// zero page), and a buffer being filled from a pipe grows with mremap(2), without copying.
class Staging {
public:
  Staging() = default;
  ~Staging();
  Staging(const Staging &) = delete;
  Staging &operator=(const Staging &) = delete;
  Staging(Staging &&other) noexcept;
  Staging &operator=(Staging &&other) noexcept;

  /// The staged bytes.
  std::span<const std::byte> bytes() const noexcept {
    return {static_cast<const std::byte *>(m_base), m_size};
  }
  std::size_t size() const noexcept { return m_size; }

  /// `size` zero bytes. Fails with no_space when the address space cannot hold them (the
  /// message names the size and the limit hit, e.g. RLIMIT_AS).
  static Result<Staging> zeros(std::uint64_t size);

  /// `size` copies of `value`. Fails with no_space.
  static Result<Staging> filled(std::uint64_t size, std::byte value);

  /// Reads `fd` to its end and keeps what it read, at most `limit` bytes. The buffer starts
  /// at what the address space allows and grows as input arrives. Fails with out_of_range as
  /// soon as byte limit+1 arrives (at once, without reading, when `fd` is a regular file with
  /// more than `limit` bytes left), not_supported when `fd` is a terminal (input is never
  /// awaited from one), io or another errno code when a read fails, no_space when memory runs
  /// out (the message names how much was read and the limit hit). `what` names the input.
  static Result<Staging> read_fd(int fd, std::uint64_t limit, std::string_view what);

  /// Opens `path` for reading (never a controlling tty, close-on-exec) and reads it as
  /// read_fd() does. Fails additionally with not_found and permission_denied.
  static Result<Staging> read_file(const std::string &path, std::uint64_t limit);

private:
  Result<void> reserve(std::size_t capacity);
  void release() noexcept;

  void *m_base = nullptr;
  std::size_t m_size = 0;     ///< staged bytes
  std::size_t m_capacity = 0; ///< mapped bytes (a multiple of the page size)
};

/// The input of a write: standard input, or a file opened by name (closed by the destructor).
/// When its length is known before the first byte is read (a regular file), the caller checks
/// the bounds up front and streams it (stream_to) with no staging; otherwise (a pipe) it
/// stages it (Staging::read_fd), which keeps "input too large leaves the segment unchanged".
class InputFile {
public:
  /// Standard input, named "standard input" in messages.
  static InputFile standard_input() noexcept { return InputFile(0, "standard input", false); }
  /// Opens `path` for reading (never a controlling tty, close-on-exec). Fails with not_found,
  /// permission_denied or io: "cannot open PATH: ...".
  static Result<InputFile> open(const std::string &path);
  ~InputFile();
  InputFile(InputFile &&other) noexcept;
  InputFile &operator=(InputFile &&) = delete;
  InputFile(const InputFile &) = delete;

  int fd() const noexcept { return m_fd; }
  /// The input's name for messages ("standard input", or the path escaped).
  const std::string &name() const noexcept { return m_name; }
  /// The bytes left to read when known without reading: a regular file's size minus the
  /// position. nullopt for pipes, terminals, sockets and devices.
  std::optional<std::uint64_t> known_length() const;
  /// Staging::read_fd(fd(), limit, name()).
  Result<Staging> stage(std::uint64_t limit) const;
  /// Copies the next `length` bytes into `handle` at `offset` through one reused buffer (as
  /// cat does), without staging them. The caller has checked the bounds. Returns the bytes
  /// written: fewer when the input ends early (a file that shrank meanwhile); bytes beyond
  /// `length` (a file that grew) are not read. Fails with the read's or Handle::write_at's
  /// error; what was written before stays written.
  Result<std::uint64_t> stream_to(Handle &handle, std::uint64_t offset,
                                  std::uint64_t length) const;

private:
  InputFile(int fd, std::string name, bool owned) noexcept
      : m_fd(fd), m_name(std::move(name)), m_owned(owned) {}
  int m_fd = -1;
  std::string m_name;
  bool m_owned = false;
};

} // namespace shmkit
