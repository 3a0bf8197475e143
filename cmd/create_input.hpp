// shmkit create --from: the input of the initial contents, and how it reaches the new segment
// (shmkit-create(1)).
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/staging.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace shmkit::cli {

/// The input of --from. A regular file is streamed into the new segment after creating it (its
/// size is known, and it may be large); anything else (a pipe, a device) is staged whole first
/// by write's reader, Staging::read_fd, so that input larger than --size is refused before
/// anything is created, and running out of memory is a message, never an abort (issue 8
/// defects 10 and 19d). Closes an fd it opened (never stdin).
class Input {
public:
  Input() = default;
  Input(const Input &) = delete;
  Input &operator=(const Input &) = delete;
  ~Input();

  std::string name;         ///< for messages: the escaped path, or "standard input"
  bool regular = false;     ///< a regular file: streamed after creation
  std::uint64_t length = 0; ///< regular: bytes left from the current offset
  Staging staged;           ///< otherwise: read completely before anything is created

  /// Opens `path` ("-": standard input) and finds out what it is. Fails with not_found,
  /// permission_denied, io (a directory).
  Result<void> open(const std::string &path);
  /// Reads up to out.size() bytes; 0 at the end.
  Result<std::size_t> read_some(std::span<std::byte> out);
  /// Stages everything, at most `limit` bytes: past_end when there is more.
  Result<void> stage(std::uint64_t limit);

private:
  int m_fd = -1;
  bool m_owned = false;
};

/// Writes the initial contents into `info`, a segment of `backend` created a moment ago with
/// `size` bytes. Fails with past_end when a regular file grew meanwhile, or as the open and
/// the writes fail.
Result<void> fill(Backend &backend, const SegmentInfo &info, Input &input, std::uint64_t size);

} // namespace shmkit::cli
