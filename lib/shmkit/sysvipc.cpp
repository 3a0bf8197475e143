#include "shmkit/sysvipc.hpp"

#include <sys/ipc.h>
#include <sys/shm.h>

#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

namespace shmkit {

namespace {

// The columns of /proc/sysvipc/shm as the kernel names them (ipc/shm.c, sysvipc_shm_proc_show).
// rss and swap were added in Linux 4.6; any other name is a column we do not know and skip, so a
// future kernel that appends a column still parses.
enum class Column : unsigned char {
  key,
  shmid,
  perms,
  size,
  cpid,
  lpid,
  nattch,
  uid,
  gid,
  cuid,
  cgid,
  atime,
  dtime,
  ctime,
  rss,
  swap,
  unknown,
};

constexpr std::array<std::string_view, 16> k_column_names = {
    "key", "shmid", "perms", "size",  "cpid",  "lpid",  "nattch", "uid",
    "gid", "cuid",  "cgid",  "atime", "dtime", "ctime", "rss",    "swap",
};
constexpr std::size_t k_required_columns = 14; // key .. ctime; rss and swap are optional

constexpr std::string_view k_parse_what = "cannot parse sysvipc shm table: ";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The kernel pads every column with spaces, so a row is more than half blanks: skipping
// them eight at a time roughly halves the parse time of a 30k-row table.
const char *skip_blanks(const char *p, const char *end) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t k_spaces = 0x2020202020202020ULL;
    while (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, sizeof word);
      std::uint64_t diff = word ^ k_spaces;
      if (diff == 0) {
        p += 8;
        continue;
      }
      p += std::countr_zero(diff) / 8; // the first byte that is not a space
      if (!is_blank(*p))
        return p;
      ++p;
    }
  }
  while (p != end && is_blank(*p))
    ++p;
  return p;
}

const char *skip_token(const char *p, const char *end) {
  while (p != end && !is_blank(*p))
    ++p;
  return p;
}

// Parses one whole whitespace-delimited number at `p` (which points at a non-blank) and
// advances `p` past it. Fails on overflow, on a value outside [lo, hi] and on trailing junk
// ("12x"), so a damaged row is skipped instead of half-read.
template <typename T, typename Wide>
bool take_number(const char *&p, const char *end, T &out, Wide lo, Wide hi, int base = 10) {
  Wide value{};
  auto [ptr, ec] = std::from_chars(p, end, value, base);
  if (ec != std::errc{} || (ptr != end && !is_blank(*ptr)) || value < lo || value > hi)
    return false;
  out = static_cast<T>(value);
  p = ptr;
  return true;
}

template <typename T> bool take_unsigned(const char *&p, const char *end, T &out) {
  static_assert(std::is_unsigned_v<T>);
  return take_number(p, end, out, std::uint64_t{0},
                     static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
}

// pids are printed with %u by the kernel but are non-negative ints.
bool take_pid(const char *&p, const char *end, pid_t &out) {
  return take_number(p, end, out, std::uint64_t{0}, static_cast<std::uint64_t>(INT_MAX));
}

// Times are printed with %llu (time64); keep them representable as int64.
bool take_time(const char *&p, const char *end, std::int64_t &out) {
  return take_number(p, end, out, std::uint64_t{0},
                     static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

bool take_optional(const char *&p, const char *end, std::optional<std::uint64_t> &out) {
  std::uint64_t value = 0;
  if (!take_unsigned(p, end, value))
    return false;
  out = value;
  return true;
}

bool take_field(Column column, const char *&p, const char *end, SysvRow &row) {
  switch (column) {
  case Column::key:
    // key_t is an int printed with %10d, so keys >= 0x80000000 appear negative (-1 is
    // 0xffffffff) and "-2147483648" is wider than its column. Accept the unsigned spelling
    // too, in case a kernel ever prints it that way.
    return take_number(p, end, row.key, std::int64_t{INT32_MIN}, std::int64_t{UINT32_MAX});
  case Column::shmid:
    return take_number(p, end, row.shmid, std::int64_t{0}, std::int64_t{INT_MAX});
  case Column::perms:
    // Octal, with SHM_DEST (01000) and SHM_LOCKED (02000) above the permission bits; the
    // kernel's mode field is 16 bits wide.
    return take_number(p, end, row.perms, std::uint64_t{0}, std::uint64_t{0177777}, 8);
  case Column::size:
    return take_unsigned(p, end, row.size);
  case Column::cpid:
    return take_pid(p, end, row.cpid);
  case Column::lpid:
    return take_pid(p, end, row.lpid);
  case Column::nattch:
    return take_unsigned(p, end, row.nattch);
  case Column::uid:
    return take_unsigned(p, end, row.uid);
  case Column::gid:
    return take_unsigned(p, end, row.gid);
  case Column::cuid:
    return take_unsigned(p, end, row.cuid);
  case Column::cgid:
    return take_unsigned(p, end, row.cgid);
  case Column::atime:
    return take_time(p, end, row.atime);
  case Column::dtime:
    return take_time(p, end, row.dtime);
  case Column::ctime:
    return take_time(p, end, row.ctime);
  case Column::rss:
    return take_optional(p, end, row.rss);
  case Column::swap:
    return take_optional(p, end, row.swap);
  case Column::unknown:
    p = skip_token(p, end);
    return true;
  }
  return false;
}

Result<std::vector<Column>> parse_header(std::string_view line) {
  std::vector<Column> columns;
  std::array<bool, k_column_names.size()> seen{};
  bool any_known = false;
  const char *p = line.data();
  const char *end = line.data() + line.size();
  while ((p = skip_blanks(p, end)) != end) {
    const char *start = p;
    p = skip_token(p, end);
    std::string_view name(start, static_cast<std::size_t>(p - start));
    Column column = Column::unknown;
    for (std::size_t i = 0; i < k_column_names.size(); ++i) {
      if (k_column_names[i] == name) {
        if (seen[i])
          return make_error(Errc::bad_data, std::string(k_parse_what) +
                                                        "duplicate column '" + std::string(name) +
                                                        "'");
        seen[i] = true;
        any_known = true;
        column = static_cast<Column>(i);
        break;
      }
    }
    columns.push_back(column);
  }
  if (!any_known)
    return make_error(Errc::bad_data, std::string(k_parse_what) + "missing header");
  for (std::size_t i = 0; i < k_required_columns; ++i) {
    if (!seen[i])
      return make_error(Errc::bad_data, std::string(k_parse_what) + "missing column '" +
                                                    std::string(k_column_names[i]) + "'");
  }
  return columns;
}

} // namespace

Result<void> SysvipcParser::take_line(std::string_view line, const RowSink &on_row) {
  if (m_columns.empty()) {
    auto columns = parse_header(line);
    if (!columns)
      return std::move(columns).error();
    for (Column c : *columns)
      m_columns.push_back(static_cast<unsigned char>(c));
    return {};
  }
  const char *p = line.data();
  const char *end = line.data() + line.size();
  if (skip_blanks(p, end) == end)
    return {};
  SysvRow row;
  // A row needs exactly one token per header column; anything else is a damaged or foreign
  // line and is skipped. Column ids are stored as bytes.
  static_assert(sizeof(Column) == 1);
  const auto *columns = reinterpret_cast<const Column *>(m_columns.data());
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    p = skip_blanks(p, end);
    if (p == end || !take_field(columns[i], p, end, row)) {
      ++m_skipped;
      return {};
    }
  }
  if (skip_blanks(p, end) == end)
    on_row(row);
  else
    ++m_skipped;
  return {};
}

Result<void> SysvipcParser::feed(std::string_view chunk, const RowSink &on_row) {
  while (!chunk.empty()) {
    const char *eol = static_cast<const char *>(std::memchr(chunk.data(), '\n', chunk.size()));
    if (eol == nullptr) {
      m_partial.append(chunk);
      return {};
    }
    std::string_view piece(chunk.data(), static_cast<std::size_t>(eol - chunk.data()));
    chunk.remove_prefix(piece.size() + 1);
    Result<void> taken;
    if (m_partial.empty()) {
      taken = take_line(piece, on_row);
    } else {
      m_partial.append(piece);
      taken = take_line(m_partial, on_row);
      m_partial.clear();
    }
    if (!taken)
      return taken;
  }
  return {};
}

Result<void> SysvipcParser::finish(const RowSink &on_row) {
  if (!m_partial.empty()) {
    std::string last = std::move(m_partial);
    m_partial.clear();
    if (auto taken = take_line(last, on_row); !taken)
      return taken;
  }
  if (m_columns.empty())
    return make_error(Errc::bad_data, std::string(k_parse_what) + "missing header");
  return {};
}

Result<std::vector<SysvRow>> parse_sysvipc_shm(std::string_view text) {
  // Every line after the header is one segment, 130 to 170 bytes wide as the kernel pads
  // them; reserving up front keeps a 30k-row table to one allocation.
  std::vector<SysvRow> rows;
  rows.reserve(text.size() / 128 + 1);
  SysvipcParser parser;
  auto keep = [&rows](const SysvRow &row) { rows.push_back(row); };
  if (auto fed = parser.feed(text, keep); !fed)
    return std::move(fed).error();
  if (auto done = parser.finish(keep); !done)
    return std::move(done).error();
  return rows;
}

SegmentInfo sysv_info(const SysvRow &row) {
  SegmentInfo info;
  info.kind = Kind::sysv;
  // Once per row of a listing: built in place rather than from two temporary strings.
  char segment[16] = "id:";
  char *end = std::to_chars(segment + 3, segment + sizeof segment, row.shmid).ptr;
  info.segment.assign(segment, static_cast<std::size_t>(end - segment));
  // The kernel's key_t is a signed int: /proc prints 0xffffffff as -1. Keys are shown and
  // addressed as unsigned 32-bit values, so wrap modulo 2^32 (well-defined for unsigned).
  info.key = static_cast<std::uint32_t>(static_cast<std::uint64_t>(row.key));
  info.id = row.shmid;
  info.mode = row.perms & 0777U;
  info.dest = (row.perms & SHM_DEST) != 0;
  info.locked = (row.perms & SHM_LOCKED) != 0;
  // SHM_HUGETLB is a shmget flag, not kept in the mode: neither /proc nor SHM_STAT shows it.
  info.hugetlb = false;
  info.uid = row.uid;
  info.gid = row.gid;
  info.cuid = row.cuid;
  info.cgid = row.cgid;
  info.size = row.size;
  info.rss = row.rss;
  info.swap = row.swap;
  info.nattch = row.nattch;
  // cpid/lpid stay as reported, 0 included: lpid 0 means "never attached" and a pid from
  // outside our pid namespace is 0 too; ipcs and lsipc show both as 0.
  info.cpid = row.cpid;
  info.lpid = row.lpid;
  // A zero atime/dtime means "never attached/detached"; ctime is set at creation.
  if (row.atime != 0)
    info.atime = static_cast<std::time_t>(row.atime);
  if (row.dtime != 0)
    info.dtime = static_cast<std::time_t>(row.dtime);
  info.ctime = static_cast<std::time_t>(row.ctime);
  return info;
}

SysvRow sysv_row_from_ds(int shmid, const struct shmid_ds &ds) {
  SysvRow row;
  row.key = ds.shm_perm.__key;
  row.shmid = shmid;
  row.perms = ds.shm_perm.mode;
  row.size = ds.shm_segsz;
  row.cpid = ds.shm_cpid;
  row.lpid = ds.shm_lpid;
  row.nattch = ds.shm_nattch;
  row.uid = ds.shm_perm.uid;
  row.gid = ds.shm_perm.gid;
  row.cuid = ds.shm_perm.cuid;
  row.cgid = ds.shm_perm.cgid;
  row.atime = ds.shm_atime;
  row.dtime = ds.shm_dtime;
  row.ctime = ds.shm_ctime;
  // Per-segment rss/swap exist only in /proc; SHM_INFO has system-wide totals only.
  return row;
}

int sysv_highest_index() {
  struct shminfo limits {};
  return ::shmctl(0, IPC_INFO, reinterpret_cast<struct shmid_ds *>(&limits));
}

Result<std::vector<SysvRow>> list_sysv_via_shmctl() {
  int max_index = sysv_highest_index();
  if (max_index < 0)
    return from_errno(errno, "cannot list sysv segments: shmctl(IPC_INFO)");

  // SHM_STAT_ANY (Linux 4.17) checks no read permission, like /proc/sysvipc/shm, so listing
  // shows every segment (lib/README.md, kernel facts). Older kernels reject the command itself with
  // EINVAL, which looks like an empty slot; if every slot looked empty although SHM_INFO
  // counted segments, retry with SHM_STAT, which shows only the readable ones.
  std::vector<SysvRow> rows;
  for (int command : {SHM_STAT_ANY, SHM_STAT}) {
    for (int index = 0; index <= max_index; ++index) {
      struct shmid_ds ds {};
      int shmid = shmctl(index, command, &ds);
      if (shmid < 0) {
        // Holes in the id array (EINVAL), segments removed meanwhile (EIDRM) and, for
        // SHM_STAT, segments we may not read (EACCES) are not errors.
        if (errno == EINVAL || errno == EIDRM || errno == EACCES)
          continue;
        return from_errno(errno, "cannot list sysv segments: shmctl(SHM_STAT)");
      }
      rows.push_back(sysv_row_from_ds(shmid, ds));
    }
    if (!rows.empty())
      break;
    // Every slot looked empty: no segment at all, or a kernel without SHM_STAT_ANY, which
    // SHM_INFO tells apart by counting them.
    struct shm_info shm_info {};
    if (shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds *>(&shm_info)) < 0)
      return from_errno(errno, "cannot list sysv segments: shmctl(SHM_INFO)");
    if (shm_info.used_ids == 0)
      break;
  }
  return rows;
}

} // namespace shmkit
