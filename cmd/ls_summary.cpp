#include "ls_summary.hpp"

#include "format.hpp"
#include "json.hpp"
#include "ls_columns.hpp"
#include "output.hpp"
#include "table.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shmkit::cli {

namespace {

constexpr std::string_view k_states[] = {"in-use", "idle", "orphaned", "unknown", "dest"};

std::optional<std::uint64_t> number_of(const Column *column, const SegmentInfo &s,
                                       RowContext &ctx) {
  Cell cell = column->read(s, ctx);
  return cell.present ? std::optional<std::uint64_t>(cell.number) : std::nullopt;
}

ReportRow row_of(const SegmentInfo &s, RowContext &ctx, bool with_state) {
  ReportRow row;
  row.segment = s.segment;
  row.kind = s.kind;
  row.id = s.id ? static_cast<std::uint64_t>(*s.id) : 0;
  row.type = kind_name(s.kind);
  row.uid = s.uid;
  row.owner = ctx.names.user(s.uid);
  row.mode = s.mode;
  row.size = s.size;
  row.alloc = s.alloc;
  // RSS and SWAP through their columns: they measure POSIX and file objects (ls_memory.hpp).
  static const Column *const rss = find_column("rss"), *const swap = find_column("swap"),
                             *const nattch = find_column("nattch"),
                             *const state_column = find_column("state");
  row.rss = number_of(rss, s, ctx);
  row.swap = number_of(swap, s, ctx);
  if (with_state) {
    row.nattch = number_of(nattch, s, ctx);
    Cell state = state_column->read(s, ctx);
    if (state.present)
      row.state = std::string(state.text);
  }
  row.ctime = s.ctime;
  row.last_activity = last_activity(s);
  row.unlinked = s.unlinked;
  if (s.unlinked && with_state) // the audit: who holds it
    for (const SegmentUser *u : holders_of(s, ctx))
      row.holders.push_back(fmt::format("{} ({})", u->pid, escape_bytes(u->comm)));
  return row;
}

// The columns the reports read: the listing fills in what they need (RSS and SWAP from
// /proc/sysvipc/shm, the /proc scan for STATE).
std::vector<const Column *> report_columns(bool with_state) {
  std::vector<const Column *> columns;
  for (auto name : {"segment", "type", "owner", "perms", "size", "alloc", "rss", "swap"})
    columns.push_back(find_column(name));
  if (with_state) // NATTCH and STATE: the /proc scan, once
    for (auto name : {"nattch", "state"})
      columns.push_back(find_column(name));
  return columns;
}

Totals &type_totals(Report &report, std::string_view type) {
  auto it = std::find_if(report.types.begin(), report.types.end(),
                         [&](const auto &t) { return t.first == type; });
  if (it != report.types.end())
    return it->second;
  return report.types.emplace_back(std::string(type), Totals{}).second;
}

void add_optional(std::optional<std::uint64_t> &sum, const std::optional<std::uint64_t> &v) {
  if (v)
    sum = sum.value_or(0) + *v;
}

std::ptrdiff_t type_rank(std::string_view name) {
  auto traits = kind_traits();
  return std::find_if(traits.begin(), traits.end(),
                      [&](const KindTraits &t) { return name == kind_name(t.kind); }) -
         traits.begin();
}

// Types in kind_traits() order; rows as `ls` orders them (named segments: as given).
void sort_report(Report &report, bool sort_rows) {
  std::stable_sort(report.types.begin(), report.types.end(), [](const auto &a, const auto &b) {
    return type_rank(a.first) < type_rank(b.first);
  });
  if (sort_rows)
    std::stable_sort(
        report.rows.begin(), report.rows.end(), [](const ReportRow &a, const ReportRow &b) {
          auto ra = type_rank(a.type), rb = type_rank(b.type);
          return ra != rb ? ra < rb : a.id != b.id ? a.id < b.id : a.segment < b.segment;
        });
}

} // namespace

std::span<const std::string_view> state_words() { return k_states; }

void Totals::add(const ReportRow &row, std::uint64_t page_size) {
  ++segments;
  size += row.size;
  alloc += row.alloc ? *row.alloc : (row.size + page_size - 1) / page_size * page_size;
  add_optional(rss, row.rss);
  add_optional(swap, row.swap);
  if (!row.rss || !row.swap)
    ++unmeasured;
}

Result<Report> collect_report(const ListRequest &request, ReportNeeds needs) {
  Report report;
  const Paths &paths = system_paths();
  report.dev_shm_path = path_in_root(paths, paths.dev_shm); // as the --target process sees it
  if (auto limits = read_limits(paths))
    report.limits = *limits;
  auto mounts = read_mounts(paths);
  if (const MountEntry *m = mount_of(mounts, report.dev_shm_path))
    report.dev_shm_mount = *m;
  std::uint64_t page = report.limits ? report.limits->page_size : 4096;
  // Every kind the listing covers has a line, even with no segment (as ipcs -u).
  for (const KindTraits &t : kind_traits())
    if (request.refs.empty() && lists_kind(t, request.kinds))
      type_totals(report, kind_name(t.kind));
  ListRequest req = request;
  req.format.columns = report_columns(needs.state);
  req.format.sort = nullptr;
  RowContext ctx;
  ctx.grace = request.grace;
  auto ok = visit_listing(req, ctx, [&](const SegmentInfo &info) {
    ReportRow row = row_of(info, ctx, needs.state);
    type_totals(report, row.type).add(row, page);
    auto &owner = report.owners[row.uid];
    owner.first = row.owner;
    owner.second.add(row, page);
    report.total.add(row, page);
    if (row.unlinked)
      report.unlinked.add(row, page);
    if (!row.state.empty())
      ++report.states[row.state];
    if (needs.rows)
      report.rows.push_back(std::move(row));
  });
  if (!ok)
    return std::move(ok).error();
  report.listing_ok = *ok;
  sort_report(report, request.refs.empty());
  return report;
}

void append_size_text(std::string &out, const std::optional<std::uint64_t> &v, bool bytes) {
  if (!v)
    out += '-';
  else if (bytes)
    append_decimal(out, *v);
  else
    append_human_size(out, *v);
}

namespace {

void add_totals_row(Table &table, std::string_view group, std::string_view name, const Totals &t,
                    bool bytes) {
  std::string cell;
  table.add_cell(group);
  table.add_cell(escape_bytes(name));
  table.add_cell(std::to_string(t.segments));
  for (const auto &v : {std::optional(t.size), std::optional(t.alloc), t.rss, t.swap}) {
    cell.clear();
    append_size_text(cell, v, bytes);
    table.add_cell(cell);
  }
}

std::optional<double> use_percent(const std::optional<std::uint64_t> &used,
                                  const std::optional<std::uint64_t> &size) {
  if (!used || !size || *size == 0)
    return std::nullopt;
  return 100.0 * static_cast<double>(*used) / static_cast<double>(*size);
}

void render_table(std::string &out, const Report &r, const ReportFormat &f) {
  TableStyle style = f.raw ? TableStyle::raw : TableStyle::aligned;
  Table totals({{"GROUP", false},
                {"NAME", false},
                {"SEGMENTS", true},
                {"SIZE", true},
                {"ALLOC", true},
                {"RSS", true},
                {"SWAP", true}});
  for (const auto &[type, t] : r.types)
    add_totals_row(totals, "type", type, t, f.bytes);
  for (const auto &[uid, owner] : r.owners)
    add_totals_row(totals, "owner", owner.first, owner.second, f.bytes);
  add_totals_row(totals, "total", "-", r.total, f.bytes);
  // Already in the lines above: the share of them that has no name left (STATUS unlinked).
  if (r.unlinked.segments > 0)
    add_totals_row(totals, "status", "unlinked", r.unlinked, f.bytes);
  totals.render(out, style, f.headings, f.color && !f.raw);
  out += '\n';
  Table fs({{"FILESYSTEM", false},
            {"SIZE", true},
            {"USED", true},
            {"AVAIL", true},
            {"USE%", true},
            {"MOUNTED ON", false}});
  const Limits *l = r.limits ? &*r.limits : nullptr;
  fs.add_cell(r.dev_shm_mount ? escape_bytes(r.dev_shm_mount->source) : std::string("-"));
  std::string cell;
  for (auto v : {l ? l->devshm_total : std::nullopt, l ? l->devshm_used : std::nullopt,
                 l ? l->devshm_avail : std::nullopt}) {
    cell.clear();
    append_size_text(cell, v, f.bytes);
    fs.add_cell(cell);
  }
  auto p = l ? use_percent(l->devshm_used, l->devshm_total) : std::nullopt;
  fs.add_cell(p ? fmt::format("{:.0f}%", *p) : std::string("-"));
  fs.add_cell(escape_bytes(r.dev_shm_path));
  fs.render(out, style, f.headings, f.color && !f.raw);
}

void json_optional(JsonWriter &json, std::string_view key, const std::optional<std::uint64_t> &v) {
  json.key(key);
  v ? json.number(*v) : json.null();
}

void json_totals(JsonWriter &json, const Totals &t) {
  json.field("segments", t.segments).field("size", t.size).field("alloc", t.alloc);
  json_optional(json, "rss", t.rss);
  json_optional(json, "swap", t.swap);
  json.field("unmeasured", t.unmeasured);
}

void render_json(std::string &out, const Report &r) {
  JsonWriter json(out);
  json.object().key("summary").object(JsonWriter::Layout::lines);
  json.key("types").array(JsonWriter::Layout::lines);
  for (const auto &[type, t] : r.types) {
    json.object().field("type", type);
    json_totals(json, t);
    json.end();
  }
  json.end().key("owners").array(JsonWriter::Layout::lines);
  for (const auto &[uid, owner] : r.owners) {
    json.object().text_field("owner", owner.first).field("uid", uid);
    json_totals(json, owner.second);
    json.end();
  }
  json.end().key("total").object();
  json_totals(json, r.total);
  json.end().key("unlinked").object();
  json_totals(json, r.unlinked);
  json.end().key("dev_shm").object().text_field("path", r.dev_shm_path);
  if (r.dev_shm_mount)
    json.text_field("filesystem", r.dev_shm_mount->source);
  else
    json.key("filesystem").null();
  const Limits *l = r.limits ? &*r.limits : nullptr;
  json_optional(json, "size", l ? l->devshm_total : std::nullopt);
  json_optional(json, "used", l ? l->devshm_used : std::nullopt);
  json_optional(json, "avail", l ? l->devshm_avail : std::nullopt);
  auto p = l ? use_percent(l->devshm_used, l->devshm_total) : std::nullopt;
  json.key("use_percent");
  p ? json.number_text(fmt::format("{:.2f}", *p)) : json.null();
  json.end().end().end().line();
}

} // namespace

Result<Outcome> run_summary(const ListRequest &request, const ReportFormat &format) {
  auto report = collect_report(request, ReportNeeds{});
  if (!report)
    return std::move(report).error();
  std::string &out = Stdout::get().buffer();
  if (format.json)
    render_json(out, *report);
  else
    render_table(out, *report, format);
  return report->listing_ok ? Outcome::ok : Outcome::failed;
}

} // namespace shmkit::cli
