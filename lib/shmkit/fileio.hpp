// Small file helpers shared inside lib.
#pragma once

#include "shmkit/error.hpp"

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace shmkit {

/// The whole text of a file in one malloc'ed block (grown with realloc, which glibc does with
/// mremap for large blocks: no copies, no pages touched twice).
class FileText {
public:
  std::string_view view() const { return {m_data.get(), m_size}; }

private:
  friend Result<FileText> read_file_text(const std::string &path);
  struct Free {
    void operator()(char *p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> m_data;
  std::size_t m_size = 0;
};

/// Reads a whole file, including /proc files whose st_size is 0 (they return a page per read).
/// Fails with the open/read errno (not_found, permission_denied, io, no_space).
Result<FileText> read_file_text(const std::string &path);

/// Like read_file_text, into a std::string (for small files).
Result<void> read_whole_file(const std::string &path, std::string &out);

/// Raises the capacity of a pipe to 1 MiB (fs.pipe-max-size, allowed without privilege) when
/// it is smaller: 16 times fewer context switches than the 64 KiB default for large copies.
/// Only a hint; does nothing for anything that is not a pipe, and failure is fine.
void widen_pipe(int fd) noexcept;

} // namespace shmkit
