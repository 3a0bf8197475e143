// shmkit ls: one table over SysV and POSIX segments (and files named on the command line),
// modelled on lsipc(1): -o/--output, --raw, --json, --export, --noheadings, --bytes, ...
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"
#include "table.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/limits.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/users.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <iterator>
#include <array>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace shmkit::cli {

namespace {

enum class Col {
  segment, type, key, id, name, perms, owner, group, uid, gid, cuid, cgid, cuser, cgroup,
  size, rss, swap, alloc, nattch, cpid, lpid, status, atime, dtime, ctime, mtime,
};

struct ColumnDef {
  Col id;
  const char *name;
  const char *help;
  bool right; // right-aligned in tables (numbers)
};

constexpr std::array k_columns = {
    ColumnDef{Col::segment, "SEGMENT", "canonical address, usable as an argument", false},
    ColumnDef{Col::type, "TYPE", "sysv, posix or file", false},
    ColumnDef{Col::key, "KEY", "SysV key", false},
    ColumnDef{Col::id, "ID", "SysV shmid", true},
    ColumnDef{Col::name, "NAME", "POSIX name or file path", false},
    ColumnDef{Col::perms, "PERMS", "permissions", false},
    ColumnDef{Col::owner, "OWNER", "owner's user name", false},
    ColumnDef{Col::group, "GROUP", "owner's group name", false},
    ColumnDef{Col::uid, "UID", "owner's user id", true},
    ColumnDef{Col::gid, "GID", "owner's group id", true},
    ColumnDef{Col::cuid, "CUID", "creator's user id (SysV)", true},
    ColumnDef{Col::cgid, "CGID", "creator's group id (SysV)", true},
    ColumnDef{Col::cuser, "CUSER", "creator's user name (SysV)", false},
    ColumnDef{Col::cgroup, "CGROUP", "creator's group name (SysV)", false},
    ColumnDef{Col::size, "SIZE", "size", true},
    ColumnDef{Col::rss, "RSS", "resident memory (SysV)", true},
    ColumnDef{Col::swap, "SWAP", "swapped memory (SysV)", true},
    ColumnDef{Col::alloc, "ALLOC", "allocated bytes (POSIX, file)", true},
    ColumnDef{Col::nattch, "NATTCH", "attaches (SysV) or mapping processes (POSIX, file)", true},
    ColumnDef{Col::cpid, "CPID", "creator's pid (SysV)", true},
    ColumnDef{Col::lpid, "LPID", "pid of the last attach or detach (SysV)", true},
    ColumnDef{Col::status, "STATUS", "dest, locked, hugetlb, semaphore, not-regular", false},
    ColumnDef{Col::atime, "ATIME", "last attach (SysV) or access time", false},
    ColumnDef{Col::dtime, "DTIME", "last detach (SysV)", false},
    ColumnDef{Col::ctime, "CTIME", "last change", false},
    ColumnDef{Col::mtime, "MTIME", "last modification (POSIX, file)", false},
};

constexpr std::array k_default_columns = {Col::segment, Col::type,   Col::key,  Col::perms,
                                          Col::owner,   Col::size,   Col::nattch, Col::cpid,
                                          Col::lpid,    Col::status};

const ColumnDef &def(Col c) { return k_columns[static_cast<std::size_t>(c)]; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto &ch : out)
    if (ch >= 'A' && ch <= 'Z')
      ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

std::string uppercase(std::string_view s) {
  std::string out(s);
  for (auto &ch : out)
    if (ch >= 'a' && ch <= 'z')
      ch = static_cast<char>(ch - 'a' + 'A');
  return out;
}

enum class TimeFormat { short_form, full, iso };

struct LsOptions {
  std::vector<std::string> segments;
  std::string output;
  std::string sort;
  std::string types;
  std::string owner;
  std::string time_format = "short";
  std::string color = "auto";
  bool noheadings = false;
  bool raw = false;
  bool json = false;
  bool export_pairs = false;
  bool bytes = false;
  bool numeric_perms = false;
  bool all = false;
  bool limits = false;
};

// A typed cell: what --json prints as is and the other formats turn into text.
struct Cell {
  enum class Kind { null, number, text, time, list, key, perms } kind = Kind::null;
  std::uint64_t number = 0;
  std::string text;
  std::vector<std::string> list;
};

class NameCache {
public:
  const std::string &user(uid_t uid) {
    auto [it, inserted] = m_users.try_emplace(uid);
    if (inserted) {
      const struct passwd *pw = ::getpwuid(uid);
      it->second = pw != nullptr ? pw->pw_name : std::to_string(uid);
    }
    return it->second;
  }
  const std::string &group(gid_t gid) {
    auto [it, inserted] = m_groups.try_emplace(gid);
    if (inserted) {
      const struct group *gr = ::getgrgid(gid);
      it->second = gr != nullptr ? gr->gr_name : std::to_string(gid);
    }
    return it->second;
  }

private:
  std::unordered_map<uid_t, std::string> m_users;
  std::unordered_map<gid_t, std::string> m_groups;
};

struct Context {
  NameCache names;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> mappers; // (dev,ino) → pids
  bool have_mappers = false;
};

Cell number(std::uint64_t v) {
  Cell c;
  c.kind = Cell::Kind::number;
  c.number = v;
  return c;
}

template <typename T> Cell number(const std::optional<T> &v) {
  return v ? number(static_cast<std::uint64_t>(*v)) : Cell{};
}

Cell text(std::string s) {
  Cell c;
  c.kind = Cell::Kind::text;
  c.text = std::move(s);
  return c;
}

Cell time_cell(const std::optional<std::time_t> &t) {
  if (!t || *t == 0)
    return {};
  Cell c;
  c.kind = Cell::Kind::time;
  c.number = static_cast<std::uint64_t>(*t);
  return c;
}

Cell cell(Col col, const SegmentInfo &s, Context &ctx) {
  switch (col) {
  case Col::segment:
    return text(s.segment);
  case Col::type:
    return text(kind_name(s.kind));
  case Col::key:
    if (!s.key)
      return {};
    {
      Cell c = number(*s.key);
      c.kind = Cell::Kind::key;
      return c;
    }
  case Col::id:
    return number(s.id);
  case Col::name:
    return s.name ? text(*s.name) : Cell{};
  case Col::perms: {
    Cell c = number(s.mode);
    c.kind = Cell::Kind::perms;
    return c;
  }
  case Col::owner:
    return text(ctx.names.user(s.uid));
  case Col::group:
    return text(ctx.names.group(s.gid));
  case Col::uid:
    return number(s.uid);
  case Col::gid:
    return number(s.gid);
  case Col::cuid:
    return number(s.cuid);
  case Col::cgid:
    return number(s.cgid);
  case Col::cuser:
    return s.cuid ? text(ctx.names.user(*s.cuid)) : Cell{};
  case Col::cgroup:
    return s.cgid ? text(ctx.names.group(*s.cgid)) : Cell{};
  case Col::size:
    return number(s.size);
  case Col::rss:
    return number(s.rss);
  case Col::swap:
    return number(s.swap);
  case Col::alloc:
    return number(s.alloc);
  case Col::nattch:
    if (s.nattch)
      return number(*s.nattch);
    if (ctx.have_mappers && s.dev && s.ino && s.oddity == Oddity::none) {
      auto it = ctx.mappers.find({static_cast<std::uint64_t>(*s.dev), static_cast<std::uint64_t>(*s.ino)});
      return number(it == ctx.mappers.end() ? 0 : it->second);
    }
    return {};
  case Col::cpid:
    return number(s.cpid);
  case Col::lpid:
    return number(s.lpid);
  case Col::status: {
    Cell c;
    c.kind = Cell::Kind::list;
    if (s.dest)
      c.list.emplace_back("dest");
    if (s.locked)
      c.list.emplace_back("locked");
    if (s.hugetlb)
      c.list.emplace_back("hugetlb");
    if (s.oddity == Oddity::semaphore)
      c.list.emplace_back("semaphore");
    if (s.oddity == Oddity::not_regular)
      c.list.emplace_back("not-regular");
    return c;
  }
  case Col::atime:
    return time_cell(s.atime);
  case Col::dtime:
    return time_cell(s.dtime);
  case Col::ctime:
    return time_cell(s.ctime);
  case Col::mtime:
    return time_cell(s.mtime);
  }
  return {};
}

bool is_size_column(Col c) {
  return c == Col::size || c == Col::rss || c == Col::swap || c == Col::alloc;
}

std::string human_size(std::uint64_t bytes) {
  // Like lsipc and ls -h: one decimal below 10 units (dropped when zero), else whole units,
  // rounded to nearest. Integer arithmetic: this runs once per row.
  static constexpr char k_units[] = "BKMGTPE";
  if (bytes < 1024)
    return std::to_string(bytes) + 'B';
  int unit = 0;
  std::uint64_t scale = 1;
  while (unit < 6 && bytes / scale >= 1024) {
    scale *= 1024;
    ++unit;
  }
  std::uint64_t whole = bytes / scale;
  std::uint64_t rest = bytes % scale;
  std::string out;
  if (whole < 10) {
    // rest < scale <= 2^60, so rest * 10 cannot overflow.
    std::uint64_t tenths = (rest * 10 + scale / 2) / scale;
    if (tenths == 10) {
      ++whole;
      tenths = 0;
    }
    out = std::to_string(whole);
    if (tenths != 0 && whole < 10) {
      out += '.';
      out += static_cast<char>('0' + tenths);
    }
  } else {
    if (rest >= scale - rest)
      ++whole;
    out = std::to_string(whole);
  }
  out += k_units[unit];
  return out;
}

std::string key_text(std::uint64_t key) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "0x00000000";
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(9 - i)] = k_hex[(key >> (4 * i)) & 0xf];
  return out;
}

std::string octal_perms(std::uint64_t mode, bool leading_zero) {
  std::string out = "0000";
  for (int i = 0; i < 4; ++i)
    out[static_cast<std::size_t>(3 - i)] = static_cast<char>('0' + ((mode >> (3 * i)) & 7));
  return leading_zero ? out : out.substr(1);
}

std::string symbolic_perms(unsigned mode) {
  std::string s = "---------";
  static constexpr char k_bits[] = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (mode & (0400u >> i))
      s[static_cast<std::size_t>(i)] = k_bits[i];
  return s;
}

std::string format_time(std::time_t t, TimeFormat format) {
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  const char *pattern = "%Y-%m-%dT%H:%M:%S%z";
  if (format == TimeFormat::full) {
    pattern = "%a %b %e %H:%M:%S %Y";
  } else if (format == TimeFormat::short_form) {
    std::time_t now = std::time(nullptr);
    std::tm today{};
    ::localtime_r(&now, &today);
    if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
      pattern = "%H:%M";
    else if (tm.tm_year == today.tm_year)
      pattern = "%b%d";
    else
      pattern = "%Y-%m-%d";
  }
  std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
  return std::string(buf, n);
}

std::string iso_utc(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

// The text of a cell in tables, --raw and --export (names escaped: odd bytes never reach a
// terminal raw).
std::string cell_text(Col col, const Cell &c, const LsOptions &o, TimeFormat tf) {
  switch (c.kind) {
  case Cell::Kind::null:
    return "-";
  case Cell::Kind::number:
    if (is_size_column(col) && !o.bytes)
      return human_size(c.number);
    return std::to_string(c.number);
  case Cell::Kind::text:
    return escape_bytes(c.text);
  case Cell::Kind::key:
    return key_text(c.number);
  case Cell::Kind::perms:
    return o.numeric_perms ? octal_perms(c.number, false)
                           : symbolic_perms(static_cast<unsigned>(c.number));
  case Cell::Kind::time:
    return format_time(static_cast<std::time_t>(c.number), tf);
  case Cell::Kind::list: {
    if (c.list.empty())
      return "-";
    std::string joined;
    for (const auto &item : c.list) {
      if (!joined.empty())
        joined += ',';
      joined += item;
    }
    return joined;
  }
  }
  return "-";
}

void append_json_cell(std::string &out, Col col, const Cell &c) {
  std::string key = lowercase(def(col).name);
  append_json_string(out, key);
  out += ": ";
  switch (c.kind) {
  case Cell::Kind::null:
    out += "null";
    if (col == Col::atime || col == Col::dtime || col == Col::ctime || col == Col::mtime) {
      out += ", ";
      append_json_string(out, key + "_epoch");
      out += ": null";
    }
    break;
  case Cell::Kind::number:
    out += std::to_string(c.number);
    break;
  case Cell::Kind::key:
    append_json_string(out, key_text(c.number));
    break;
  case Cell::Kind::perms:
    append_json_string(out, octal_perms(c.number, true));
    break;
  case Cell::Kind::text:
    if (col == Col::segment) {
      // The address as the table shows it, not the raw bytes: every command decodes \xHH in
      // an address, so a raw name with a literal "\x41" would name another object (issue 8
      // defect 3). Escaped, it is always valid UTF-8 and needs no segment_hex.
      append_json_string(out, escape_bytes(c.text));
      break;
    }
    append_json_string(out, c.text);
    if (!is_valid_utf8(c.text)) {
      out += ", ";
      append_json_string(out, key + "_hex");
      out += ": ";
      append_json_string(out, to_hex(c.text));
    }
    break;
  case Cell::Kind::time:
    append_json_string(out, iso_utc(static_cast<std::time_t>(c.number)));
    out += ", ";
    append_json_string(out, key + "_epoch");
    out += ": " + std::to_string(c.number);
    break;
  case Cell::Kind::list:
    out += '[';
    for (std::size_t i = 0; i < c.list.size(); ++i) {
      if (i != 0)
        out += ", ";
      append_json_string(out, c.list[i]);
    }
    out += ']';
    break;
  }
}

Result<std::vector<Col>> parse_columns(std::string_view spec) {
  std::vector<Col> cols;
  if (!spec.empty() && spec[0] == '+') {
    cols.assign(k_default_columns.begin(), k_default_columns.end());
    spec.remove_prefix(1);
  }
  while (true) {
    auto comma = spec.find(',');
    std::string name = uppercase(spec.substr(0, comma));
    auto it = std::find_if(k_columns.begin(), k_columns.end(),
                           [&](const ColumnDef &d) { return name == d.name; });
    if (it == k_columns.end())
      return make_error(Errc::invalid_argument,
                        name.empty() ? std::string("empty column name in --output")
                                     : fmt::format("unknown column '{}'", escape_bytes(name)));
    // A column named twice (or appended with + although it is a default) is shown once, at
    // its first place: JSON object keys must be unique (issue 8 defect 19b).
    if (std::find(cols.begin(), cols.end(), it->id) == cols.end())
      cols.push_back(it->id);
    if (comma == std::string_view::npos)
      break;
    spec.remove_prefix(comma + 1);
  }
  return cols;
}

Result<std::optional<uid_t>> parse_owner(const std::string &owner) {
  if (owner.empty())
    return std::optional<uid_t>{};
  auto uid = lookup_uid(owner);
  if (!uid)
    return std::move(uid).error();
  return std::optional<uid_t>{*uid};
}

Result<std::array<bool, 3>> parse_types(const std::string &types) {
  std::array<bool, 3> want{true, true, true};
  if (types.empty())
    return want;
  want = {false, false, false};
  std::string_view rest = types;
  while (true) {
    auto comma = rest.find(',');
    std::string_view t = rest.substr(0, comma);
    if (t == "sysv")
      want[0] = true;
    else if (t == "posix")
      want[1] = true;
    else if (t == "file")
      want[2] = true;
    else
      return make_error(Errc::invalid_argument,
                        fmt::format("unknown type '{}' (use sysv, posix, file)", escape_bytes(t)));
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  return want;
}

int print_limits(const LsOptions &o) {
  auto limits = read_limits(Paths{});
  if (!limits)
    return report(limits.error());
  const Limits &l = *limits;
  struct Row {
    const char *resource;
    const char *description;
    std::optional<std::uint64_t> limit;
    std::optional<std::uint64_t> used;
    bool bytes;
  };
  std::vector<Row> rows = {
      {"SHMMNI", "Shared memory segments", l.shmmni, l.used_ids, false},
      {"SHMALL", "Shared memory pages", l.shmall, l.used_pages, false},
      {"SHMMAX", "Max size of shared memory segment (bytes)", l.shmmax, std::nullopt, true},
      {"SHMMIN", "Min size of shared memory segment (bytes)", l.shmmin, std::nullopt, true},
      {"DEVSHM", "Size of the /dev/shm filesystem (bytes)", l.devshm_total, l.devshm_used, true},
  };
  auto percent = [](const Row &r) -> std::optional<double> {
    if (!r.limit || !r.used || *r.limit == 0)
      return std::nullopt;
    return 100.0 * static_cast<double>(*r.used) / static_cast<double>(*r.limit);
  };
  std::string &out = Stdout::get().buffer();
  if (o.json) {
    out += "{\"limits\": [";
    // SHMALL and SHMMAX default to ULONG_MAX - 2^24, beyond 2^53, where JavaScript and jq 1.6
    // round a JSON number: limit_exact and used_exact carry the same values as decimal
    // strings (issue 8 defect 19g).
    auto number_or_null = [](const std::optional<std::uint64_t> &v) {
      return v ? std::to_string(*v) : std::string("null");
    };
    auto string_or_null = [](const std::optional<std::uint64_t> &v) {
      return v ? fmt::format("\"{}\"", *v) : std::string("null");
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row &r = rows[i];
      out += i == 0 ? "\n  {" : ",\n  {";
      out += fmt::format("\"resource\": \"{}\", \"description\": \"{}\", \"limit\": {}, "
                         "\"limit_exact\": {}, \"used\": {}, \"used_exact\": {}, "
                         "\"use_percent\": {}}}",
                         r.resource, r.description, number_or_null(r.limit),
                         string_or_null(r.limit), number_or_null(r.used),
                         string_or_null(r.used),
                         percent(r) ? fmt::format("{:.2f}", *percent(r)) : "null");
    }
    out += "\n]}\n";
    return k_exit_ok;
  }
  Table table({{"RESOURCE", false}, {"DESCRIPTION", false}, {"LIMIT", true}, {"USED", true},
               {"USE%", true}});
  for (const Row &r : rows) {
    auto show = [&](const std::optional<std::uint64_t> &v) {
      if (!v)
        return std::string("-");
      return r.bytes && !o.bytes ? human_size(*v) : std::to_string(*v);
    };
    auto p = percent(r);
    table.add_row({r.resource, r.description, show(r.limit), show(r.used),
                   p ? fmt::format("{:.2f}%", *p) : std::string("-")});
  }
  table.render(out, o.raw ? TableStyle::raw : TableStyle::aligned, !o.noheadings,
               use_color(o.color == "always" ? ColorMode::always
                         : o.color == "never" ? ColorMode::never
                                              : ColorMode::auto_detect) &&
                   !o.raw);
  return k_exit_ok;
}

enum class Mode { table, json, export_pairs };

// Collects rendered rows in flat buffers plus a sort key each, then prints them in order.
class RowSink {
public:
  RowSink(Mode mode, const std::vector<Col> &cols, const LsOptions &o, TimeFormat tf,
          Context &ctx, std::optional<Col> sort_col, bool default_sort)
      : m_mode(mode), m_cols(cols), m_o(o), m_tf(tf), m_ctx(ctx), m_sort_col(sort_col),
        m_default_sort(default_sort), m_table(headers(cols)) {
    // Large allocations are mmap'ed and cost nothing until touched, while growing by doubling
    // would copy and touch everything twice: reserve for a big listing up front.
    constexpr std::size_t k_expected_rows = 1 << 16;
    if (m_mode == Mode::table)
      m_table.reserve(k_expected_rows);
    m_keys.reserve(k_expected_rows);
  }

  void add(const SegmentInfo &s) {
    if (m_sort_col) {
      m_keys.push_back(key_of(0, cell(*m_sort_col, s, m_ctx)));
    } else if (m_default_sort) {
      auto rank = static_cast<std::uint8_t>(s.kind);
      m_keys.push_back(key_of(rank, s.kind == Kind::sysv ? number(s.id) : text(s.name.value_or(""))));
    }
    ++m_count;
    if (m_mode == Mode::table) {
      for (Col c : m_cols)
        m_table.add_cell(cell_text(c, cell(c, s, m_ctx), m_o, m_tf));
      return;
    }
    if (m_mode == Mode::json) {
      m_text += '{';
      for (std::size_t i = 0; i < m_cols.size(); ++i) {
        if (i != 0)
          m_text += ", ";
        append_json_cell(m_text, m_cols[i], cell(m_cols[i], s, m_ctx));
      }
      m_text += '}';
    } else {
      for (std::size_t i = 0; i < m_cols.size(); ++i) {
        if (i != 0)
          m_text += ' ';
        m_text += def(m_cols[i]).name;
        m_text += "=\"";
        for (char ch : cell_text(m_cols[i], cell(m_cols[i], s, m_ctx), m_o, m_tf)) {
          if (ch == '"' || ch == '$' || ch == '`')
            m_text += fmt::format("\\x{:02x}", static_cast<unsigned char>(ch));
          else
            m_text += ch;
        }
        m_text += '"';
      }
      m_text += '\n';
    }
    m_ends.push_back(m_text.size());
  }

  void render(std::string &out, bool color) {
    std::vector<std::uint32_t> order(m_count);
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = static_cast<std::uint32_t>(i);
    if (!m_keys.empty())
      std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const SortKey &x = m_keys[a];
        const SortKey &y = m_keys[b];
        if (x.rank != y.rank)
          return x.rank < y.rank;
        if (x.kind != y.kind)
          return x.kind < y.kind;
        if (x.number != y.number)
          return x.number < y.number;
        return x.text < y.text;
      });
    if (m_mode == Mode::table) {
      m_table.render(out, m_o.raw ? TableStyle::raw : TableStyle::aligned, !m_o.noheadings,
                     color && !m_o.raw, &order);
      return;
    }
    if (m_mode == Mode::json)
      out += "{\"segments\": [";
    for (std::size_t r = 0; r < order.size(); ++r) {
      std::size_t begin = order[r] == 0 ? 0 : m_ends[order[r] - 1];
      if (m_mode == Mode::json)
        out += r == 0 ? "\n  " : ",\n  ";
      out.append(m_text, begin, m_ends[order[r]] - begin);
      Stdout::get().maybe_flush();
    }
    if (m_mode == Mode::json)
      out += order.empty() ? "]}\n" : "\n]}\n";
  }

private:
  // Compact: a Cell is about 90 bytes and there may be 30,000 keys.
  struct SortKey {
    std::uint8_t rank = 0;
    std::uint8_t kind = 0; // Cell::Kind, absent values first
    std::uint64_t number = 0;
    std::string text;
  };
  static SortKey key_of(std::uint8_t rank, Cell c) {
    SortKey key;
    key.rank = rank;
    key.kind = static_cast<std::uint8_t>(c.kind);
    key.number = c.number;
    if (c.kind == Cell::Kind::text) {
      key.text = std::move(c.text);
    } else if (c.kind == Cell::Kind::list) {
      for (const auto &item : c.list)
        key.text.append(item).push_back(',');
    }
    return key;
  }
  static std::vector<TableColumn> headers(const std::vector<Col> &cols) {
    std::vector<TableColumn> h;
    for (Col c : cols)
      h.push_back({def(c).name, def(c).right});
    return h;
  }
  Mode m_mode;
  const std::vector<Col> &m_cols;
  const LsOptions &m_o;
  TimeFormat m_tf;
  Context &m_ctx;
  std::optional<Col> m_sort_col;
  bool m_default_sort;
  Table m_table;
  std::string m_text;
  std::vector<std::size_t> m_ends;
  std::vector<SortKey> m_keys;
  std::size_t m_count = 0;
};

int run_ls(const LsOptions &o) {
  int modes = int(o.json) + int(o.raw) + int(o.export_pairs);
  if (modes > 1)
    return usage_error("ls", "--json, --raw and --export are mutually exclusive");
  TimeFormat tf = TimeFormat::short_form;
  if (o.time_format == "full")
    tf = TimeFormat::full;
  else if (o.time_format == "iso")
    tf = TimeFormat::iso;
  else if (o.time_format != "short")
    return usage_error("ls", fmt::format("unknown time format '{}' (use short, full, iso)",
                                         escape_bytes(o.time_format)));
  ColorMode color = ColorMode::auto_detect;
  if (o.color == "always")
    color = ColorMode::always;
  else if (o.color == "never")
    color = ColorMode::never;
  else if (o.color != "auto")
    return usage_error("ls", fmt::format("unknown --color value '{}' (use auto, always, never)",
                                         escape_bytes(o.color)));
  if (o.limits) {
    if (!o.segments.empty() || !o.output.empty() || !o.sort.empty() || o.export_pairs)
      return usage_error("ls", "--limits cannot be combined with segments, -o, --sort or --export");
    return print_limits(o);
  }
  std::vector<Col> cols(k_default_columns.begin(), k_default_columns.end());
  if (!o.output.empty()) {
    auto parsed = parse_columns(o.output);
    if (!parsed)
      return usage_error("ls", parsed.error().message);
    cols = std::move(*parsed);
  }
  std::optional<Col> sort_col;
  if (!o.sort.empty()) {
    auto parsed = parse_columns(o.sort);
    if (!parsed || parsed->size() != 1)
      return usage_error("ls", parsed ? "--sort takes one column" : parsed.error().message);
    sort_col = (*parsed)[0];
  }
  auto types = parse_types(o.types);
  if (!types)
    return usage_error("ls", types.error().message);
  auto owner = parse_owner(o.owner);
  if (!owner)
    return usage_error("ls", owner.error().message);
  std::vector<SegmentRef> refs;
  for (const auto &text : o.segments) {
    auto ref = parse_address(text);
    if (!ref)
      return usage_error("ls", ref.error().message);
    refs.push_back(std::move(*ref));
  }

  int status = k_exit_ok;
  Paths paths;
  Context ctx;
  bool wants_nattch = std::find(cols.begin(), cols.end(), Col::nattch) != cols.end() ||
                      sort_col == Col::nattch;
  // POSIX objects and files have no attach count: count the processes that map them. Only
  // done when such rows are shown, since it reads every /proc/PID/maps.
  auto count_mappers = [&] {
    if (ctx.have_mappers || !wants_nattch)
      return;
    ctx.have_mappers = true;
    auto users = scan_users(paths, false);
    if (!users)
      return;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<pid_t>> pids;
    for (const auto &u : *users)
      if (!u.sysv && u.maps)
        pids[{u.dev, u.ino}].push_back(u.pid);
    for (auto &[k, v] : pids) {
      std::sort(v.begin(), v.end());
      ctx.mappers[k] = static_cast<std::uint64_t>(std::unique(v.begin(), v.end()) - v.begin());
    }
  };
  // What a listing worked around (a damaged /proc/sysvipc/shm, say) is a warning, printed once
  // even when every named segment hits it.
  std::vector<std::string> warned;
  auto warn_about = [&](const Backend &backend) {
    for (const auto &w : backend.report().warnings)
      if (std::find(warned.begin(), warned.end(), w) == warned.end()) {
        print_warning(w);
        warned.push_back(w);
      }
  };
  auto shown = [&](const SegmentInfo &s) {
    return (o.all || !refs.empty() || s.oddity == Oddity::none) &&
           (!*owner || s.uid == **owner) && (*types)[static_cast<std::size_t>(s.kind)];
  };

  // Rows are rendered as they arrive, into flat buffers: a SegmentInfo is over 300 bytes and a
  // listing may have 30,000 (the ls benchmark's memory target). Only a sort key is kept.
  Mode mode = o.json ? Mode::json : o.export_pairs ? Mode::export_pairs : Mode::table;
  RowSink sink(mode, cols, o, tf, ctx, sort_col, refs.empty());
  if (refs.empty()) {
    for (Kind kind : {Kind::sysv, Kind::posix}) {
      if (!(*types)[static_cast<std::size_t>(kind)])
        continue;
      auto backend = make_backend(kind, paths);
      Result<void> listed;
      if (kind == Kind::sysv) {
        listed = backend->for_each([&](SegmentInfo &&info) {
          if (shown(info))
            sink.add(info);
        });
      } else {
        std::vector<SegmentInfo> rows;
        listed = backend->for_each([&](SegmentInfo &&info) {
          if (shown(info))
            rows.push_back(std::move(info));
        });
        if (!rows.empty())
          count_mappers();
        for (const auto &row : rows)
          sink.add(row);
      }
      warn_about(*backend);
      if (!listed) {
        print_error(listed.error().message);
        status = k_exit_failure;
      }
    }
  } else {
    std::array<std::unique_ptr<Backend>, 3> backends;
    std::vector<SegmentInfo> rows;
    for (const auto &ref : refs) {
      auto &backend = backends[static_cast<std::size_t>(ref.kind)];
      if (!backend)
        backend = make_backend(ref.kind, paths);
      auto info = backend->stat(ref);
      warn_about(*backend);
      if (!info) {
        print_error(info.error().message);
        status = k_exit_failure;
        continue;
      }
      if (shown(*info))
        rows.push_back(std::move(*info));
    }
    if (std::any_of(rows.begin(), rows.end(), [](const SegmentInfo &s) { return s.kind != Kind::sysv; }))
      count_mappers();
    for (const auto &row : rows)
      sink.add(row);
    // Named segments that all failed print only their errors, not an empty table.
    if (rows.empty() && status != k_exit_ok)
      return status;
  }
  sink.render(Stdout::get().buffer(), use_color(color));
  return status;
}

} // namespace

Runner register_ls(CLI::App &sub, OptionGate &gate) {
  auto o = std::make_shared<LsOptions>();
  sub.add_option("segment", o->segments, "Only these segments (any address form)");
  if (gate.want("-o,--output")) {
    std::string columns_help = "Columns to show (+COLS appends to the default). Available:";
    for (const auto &c : k_columns) {
      columns_help += "\n  ";
      columns_help += c.name;
      columns_help.append(9 - std::char_traits<char>::length(c.name), ' ');
      columns_help += c.help;
    }
    sub.add_option("-o,--output", o->output, columns_help)->type_name("COLS");
  }
  if (gate.want("--noheadings"))
    sub.add_flag("--noheadings", o->noheadings, "Do not print the header line");
  if (gate.want("-r,--raw"))
    sub.add_flag("-r,--raw", o->raw, "Unaligned output, one space between columns");
  if (gate.want("-J,--json"))
    sub.add_flag("-J,--json", o->json, "JSON output: {\"segments\": [...]}, typed values");
  if (gate.want("-e,--export"))
    sub.add_flag("-e,--export", o->export_pairs, "Output as KEY=\"value\" pairs");
  if (gate.want("-b,--bytes"))
    sub.add_flag("-b,--bytes", o->bytes, "Print sizes in bytes, not in human units");
  if (gate.want("--numeric-perms"))
    sub.add_flag("--numeric-perms", o->numeric_perms, "Print permissions in octal");
  if (gate.want("--time-format"))
    sub.add_option("--time-format", o->time_format, "short (default), full or iso")
        ->type_name("FORMAT");
  if (gate.want("--sort"))
    sub.add_option("--sort", o->sort, "Sort by this column")->type_name("COL");
  if (gate.want("-t,--type"))
    sub.add_option("-t,--type", o->types, "Only these kinds: sysv,posix,file")
        ->type_name("TYPES");
  if (gate.want("-u,--owner"))
    sub.add_option("-u,--owner", o->owner, "Only segments owned by this user (name or uid)")
        ->type_name("USER");
  if (gate.want("-a,--all"))
    sub.add_flag("-a,--all", o->all, "Also show POSIX semaphores and odd /dev/shm entries");
  if (gate.want("--limits"))
    sub.add_flag("--limits", o->limits, "Show system limits and their use instead of segments");
  if (gate.want("--color"))
    sub.add_option("--color", o->color, "auto (default), always or never")->type_name("WHEN");
  set_footer(sub, "ls");
  return [o] { return run_ls(*o); };
}

const Command &ls_command() {
  static const Command command{"ls", "List shared memory segments of all kinds", {}, nullptr, register_ls};
  return command;
}

} // namespace shmkit::cli
