// Pure parsing of /proc/sysvipc/shm and the shmctl(SHM_INFO/SHM_STAT) fallback; both build
// SegmentInfo rows through sysv_info().
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <sys/shm.h>

#include <cstdint>
#include <functional>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace shmkit {

/// One SysV segment as the kernel reports it, before it becomes a SegmentInfo.
struct SysvRow {
  std::int64_t key = 0; ///< signed in /proc; converted to uint32 by sysv_info()
  int shmid = 0;
  unsigned perms = 0; ///< full mode including SHM_DEST (01000) and SHM_LOCKED (02000)
  std::uint64_t size = 0;
  pid_t cpid = 0;
  pid_t lpid = 0;
  std::uint64_t nattch = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  uid_t cuid = 0;
  gid_t cgid = 0;
  std::int64_t atime = 0;
  std::int64_t dtime = 0;
  std::int64_t ctime = 0;
  std::optional<std::uint64_t> rss;
  std::optional<std::uint64_t> swap;
};

/// Parses the text of /proc/sysvipc/shm. Header-driven (columns found by name in line 1),
/// whitespace-split, 14 or 16 columns, signed keys, perms in octal. Rows that do not parse are
/// skipped; a missing or unknown header fails with invalid_argument.
Result<std::vector<SysvRow>> parse_sysvipc_shm(std::string_view text);

/// The incremental form of parse_sysvipc_shm: feed the text in pieces of any size (read(2)
/// returns /proc files a page at a time) and each complete row goes to `on_row`, so a table of
/// 30,000 rows is never held in memory whole. Same rules and errors as parse_sysvipc_shm.
class SysvipcParser {
public:
  using RowSink = std::function<void(const SysvRow &)>;
  /// Parses what `chunk` completes. Fails with invalid_argument when the header is bad.
  Result<void> feed(std::string_view chunk, const RowSink &on_row);
  /// Parses a last line without a trailing newline. Fails when no header was ever seen.
  Result<void> finish(const RowSink &on_row);
  /// How many non-blank rows after the header did not parse (and were skipped) so far.
  std::uint64_t skipped() const { return m_skipped; }

private:
  Result<void> take_line(std::string_view line, const RowSink &on_row);
  std::string m_partial;
  std::uint64_t m_skipped = 0;
  std::vector<unsigned char> m_columns; ///< column ids from the header (empty until parsed)
};

/// The single function that turns a kernel row into a SegmentInfo (both the /proc and the
/// shmctl paths go through it): decodes SHM_DEST/SHM_LOCKED, sets segment "id:N".
SegmentInfo sysv_info(const SysvRow &row);

/// Converts one shmctl(IPC_STAT/SHM_STAT) result into a row (rss/swap unknown → nullopt).
/// list_sysv_via_shmctl() and SysvBackend::stat() both use it.
SysvRow sysv_row_from_ds(int shmid, const struct shmid_ds &ds);

/// The highest index in use in the kernel's SysV shm id array (not a shmid; 0 when there is no
/// segment), from shmctl(IPC_INFO): as SHM_INFO gives it, without SHM_INFO's pass over every
/// segment to total its memory. -1 with errno set when shmctl fails.
int sysv_highest_index();

/// Lists via shmctl(IPC_INFO) + shmctl(SHM_STAT) when /proc/sysvipc/shm is missing.
Result<std::vector<SysvRow>> list_sysv_via_shmctl();

} // namespace shmkit
