// The reports of `shmkit ls` (shmkit-ls(1) SUMMARY, AUDIT, OPENMETRICS): one pass over the
// listing (visit_listing) that keeps what the reports need of each segment, read through the
// column registry, and adds it up by type and by owner; plus the /dev/shm filesystem and the
// kernel's limits. `ls --summary` prints the totals (it replaces `ipcs -u`).
#pragma once

#include "command.hpp"
#include "ls_limits.hpp"
#include "ls_run.hpp"

#include "shmkit/audit.hpp"
#include "shmkit/limits.hpp"
#include "shmkit/segment.hpp"

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shmkit::cli {

/// How a report is printed: --json, --raw, --noheadings, --bytes, colour.
using ReportFormat = LimitsFormat;

/// What the reports keep of one segment.
struct ReportRow {
  std::string segment; ///< canonical address, raw bytes
  Kind kind{};         ///< handed to lib (audit); never tested here
  std::string type;    ///< kind_name
  uid_t uid = 0;
  std::string owner; ///< name, or the uid as text
  unsigned mode = 0;
  std::uint64_t size = 0;
  std::optional<std::uint64_t> alloc, rss, swap, nattch;
  std::uint64_t id = 0; ///< SysV shmid (the listing order), 0 for the other kinds
  std::string state;    ///< STATE, "" when not read (or absent)
  std::optional<std::time_t> ctime, last_activity;
  /// STATUS unlinked (unlinked but still held), with its holders as "PID (COMMAND)" when
  /// ReportNeeds::rows.
  bool unlinked = false;
  std::vector<std::string> holders;
};

/// Sums over a group of segments.
struct Totals {
  std::uint64_t segments = 0;
  std::uint64_t size = 0;
  /// ALLOC; a segment without one (SysV) counts its size rounded up to whole pages, as the
  /// kernel accounts it (what `ipcs -u` calls pages allocated).
  std::uint64_t alloc = 0;
  std::optional<std::uint64_t> rss, swap; ///< nullopt when no segment's could be measured
  std::uint64_t unmeasured = 0;           ///< segments whose RSS or SWAP is unknown
  void add(const ReportRow &row, std::uint64_t page_size);
};

/// Everything a report needs.
struct Report {
  /// When asked for (ReportNeeds::rows), in the order of `ls`: by type, then by id or address
  /// (SEGMENT arguments: as given).
  std::vector<ReportRow> rows;
  std::vector<std::pair<std::string, Totals>> types;      ///< kind_traits() order
  std::map<uid_t, std::pair<std::string, Totals>> owners; ///< by uid: name, totals
  Totals total;
  Totals unlinked; ///< the objects unlinked but still held (STATUS unlinked), counted in types too
  std::map<std::string, std::uint64_t> states; ///< STATE -> segments (with_state)
  std::optional<Limits> limits;                ///< nullopt when unreadable
  std::optional<MountEntry> dev_shm_mount;     ///< the mount that holds /dev/shm
  std::string dev_shm_path;
  bool listing_ok = true; ///< false when a listing or a named segment failed (reported)
};

/// What collect_report() reads besides the totals.
struct ReportNeeds {
  bool rows = false;  ///< keep every row (audit, --per-segment)
  bool state = false; ///< read STATE (a /proc scan)
};

/// Lists what `request` selects and adds it up. Fails as visit_listing() fails (an unknown
/// --owner); a listing that fails partly is reported and leaves listing_ok false.
Result<Report> collect_report(const ListRequest &request, ReportNeeds needs);

/// The five STATE words, in shmkit-ls(1) order.
std::span<const std::string_view> state_words();

/// ls --summary: prints the totals by type and by owner and the /dev/shm filesystem.
Result<Outcome> run_summary(const ListRequest &request, const ReportFormat &format);

/// Appends a size cell: "-" when absent, bytes with --bytes, else human units.
void append_size_text(std::string &out, const std::optional<std::uint64_t> &v, bool bytes);

} // namespace shmkit::cli
