#include "ls_columns.hpp"
#include "ls_holders.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>

#include <algorithm>

namespace shmkit::cli {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::string uppercase(std::string_view s) {
  std::string out(s);
  for (auto &ch : out)
    if (ch >= 'a' && ch <= 'z')
      ch = static_cast<char>(ch - 'a' + 'A');
  return out;
}

// A JSON key made of the column's name and a suffix ("atime_epoch"), without allocating.
class SuffixedKey {
public:
  SuffixedKey(std::string_view name, std::string_view suffix) {
    m_size = std::min(name.size() + suffix.size(), sizeof m_text);
    std::copy_n(name.begin(), std::min(name.size(), m_size), m_text);
    std::copy_n(suffix.begin(), m_size - std::min(name.size(), m_size), m_text + name.size());
  }
  std::string_view view() const { return {m_text, m_size}; }

private:
  char m_text[32];
  std::size_t m_size;
};

void write_list_json(JsonWriter &json, std::string_view list) {
  json.array();
  while (!list.empty()) {
    auto comma = list.find(',');
    json.string(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  json.end();
}

} // namespace

namespace {

// The entry of `id` in `cache`, looked up with `find` (nullptr when unknown: the number) once.
template <typename Id, typename Find>
const std::string &cached_name(std::unordered_map<Id, std::string> &cache, Id id, Find find) {
  auto [it, inserted] = cache.try_emplace(id);
  if (inserted) {
    const char *name = find(id);
    it->second = name != nullptr ? name : std::to_string(id);
  }
  return it->second;
}

} // namespace

const Paths &RowContext::where() const { return paths != nullptr ? *paths : system_paths(); }

const std::string &NameCache::user(uid_t uid) {
  return cached_name(m_users, uid, [](uid_t id) -> const char * {
    const struct passwd *pw = ::getpwuid(id);
    return pw != nullptr ? pw->pw_name : nullptr;
  });
}

const std::string &NameCache::group(gid_t gid) {
  return cached_name(m_groups, gid, [](gid_t id) -> const char * {
    const struct group *gr = ::getgrgid(id);
    return gr != nullptr ? gr->gr_name : nullptr;
  });
}

Cell number_cell(std::uint64_t v) { return Cell{true, v, {}}; }

Cell text_cell(std::string_view s) { return Cell{true, 0, s}; }

Cell time_cell(const std::optional<std::time_t> &t) {
  if (!t || *t == 0)
    return {};
  return number_cell(static_cast<std::uint64_t>(*t));
}

Cell attaches_cell(const SegmentInfo &s, RowContext &ctx) { return mappers_cell(s, ctx); }

Cell status_cell(const SegmentInfo &s, RowContext &ctx) {
  std::string &text = ctx.list_text;
  text.clear();
  auto add = [&](bool on, std::string_view word) {
    if (!on)
      return;
    if (!text.empty())
      text += ',';
    text += word;
  };
  add(s.dest, "dest");
  add(s.locked, "locked");
  add(s.hugetlb, "hugetlb");
  add(s.oddity == Oddity::semaphore, "semaphore");
  add(s.oddity == Oddity::not_regular, "not-regular");
  add(s.unlinked, "unlinked");
  for (const SealWord &seal : k_seal_words)
    add((s.seals & seal.bit) != 0, seal.word);
  return text_cell(std::string_view(text));
}

std::vector<const Column *> default_columns() {
  std::vector<const Column *> columns;
  for (const Column &c : k_columns)
    if (c.by_default)
      columns.push_back(&c);
  return columns;
}

std::vector<const Column *> namespace_columns() {
  std::vector<const Column *> columns = default_columns();
  for (const Column &c : k_columns)
    if (c.by_namespace)
      columns.push_back(&c);
  return columns;
}

const Column *find_column(std::string_view name) {
  for (const Column &c : k_columns)
    if (same_name(name, c.name))
      return &c;
  return nullptr;
}

Result<std::vector<const Column *>> parse_columns(std::string_view spec, std::string_view option,
                                                  const std::vector<const Column *> &defaults) {
  std::vector<const Column *> columns;
  if (!spec.empty() && spec[0] == '+') {
    columns = defaults.empty() ? default_columns() : defaults;
    spec.remove_prefix(1);
  }
  while (true) {
    auto comma = spec.find(',');
    std::string_view name = spec.substr(0, comma);
    const Column *column = find_column(name);
    if (column == nullptr)
      return make_error(Errc::invalid_argument,
                        name.empty() ? fmt::format("empty column name in {}", option)
                                     : fmt::format("unknown column '{}'",
                                                   escape_bytes(uppercase(name))));
    // A column named twice (or appended with + although it is a default) is shown once, at
    // its first place: JSON object keys must be unique (issue 8 defect 19b).
    if (std::find(columns.begin(), columns.end(), column) == columns.end())
      columns.push_back(column);
    if (comma == std::string_view::npos)
      break;
    spec.remove_prefix(comma + 1);
  }
  return columns;
}

void append_cell_text(std::string &out, const Column &column, const Cell &cell,
                      const TextStyle &style) {
  if (!cell.present ||
      ((column.value == ValueKind::list || column.value == ValueKind::holders) && cell.text.empty())) {
    out += '-';
    return;
  }
  switch (column.value) {
  case ValueKind::address:
  case ValueKind::text:
    out += escape_bytes(cell.text);
    return;
  case ValueKind::list:
  case ValueKind::holders:
    out += cell.text;
    return;
  case ValueKind::key:
    append_key(out, cell.number);
    return;
  case ValueKind::count:
    append_decimal(out, cell.number);
    return;
  case ValueKind::size:
    if (style.bytes)
      append_decimal(out, cell.number);
    else
      append_human_size(out, cell.number);
    return;
  case ValueKind::perms:
    if (style.numeric_perms)
      append_octal_perms(out, static_cast<unsigned>(cell.number), false);
    else
      append_symbolic_perms(out, static_cast<unsigned>(cell.number));
    return;
  case ValueKind::time:
    append_local_time(out, static_cast<std::time_t>(cell.number), style.time, style.now);
    return;
  }
}

void write_cell_json(JsonWriter &json, const Column &column, const Cell &cell) {
  if (column.value == ValueKind::text) {
    if (cell.present)
      json.text_field(column.name, cell.text);
    else
      json.key(column.name).null();
    return;
  }
  json.key(column.name);
  if (column.value == ValueKind::list) {
    write_list_json(json, cell.text);
    return;
  }
  if (column.value == ValueKind::holders) {
    write_holders_json(json, cell);
    json.key(SuffixedKey(column.name, "_partial").view()).boolean(cell.number != 0);
    return;
  }
  if (!cell.present) {
    json.null();
    if (column.value == ValueKind::time)
      json.key(SuffixedKey(column.name, "_epoch").view()).null();
    return;
  }
  std::string &out = json.out();
  switch (column.value) {
  case ValueKind::address:
    // The address as the table shows it, not the raw bytes: every command decodes \xHH in
    // an address, so a raw name with a literal "\x41" would name another object (issue 8
    // defect 3). Escaped, it is always valid UTF-8 and needs no segment_hex.
    json.string(escape_bytes(cell.text));
    return;
  case ValueKind::key:
    json.raw("\"");
    append_key(out, cell.number);
    out += '"';
    return;
  case ValueKind::perms:
    json.raw("\"");
    append_octal_perms(out, static_cast<unsigned>(cell.number), true);
    out += '"';
    return;
  case ValueKind::time:
    json.raw("\"");
    append_utc_time(out, static_cast<std::time_t>(cell.number));
    out += '"';
    json.key(SuffixedKey(column.name, "_epoch").view()).number(cell.number);
    return;
  default:
    json.number(cell.number);
    return;
  }
}

} // namespace shmkit::cli
