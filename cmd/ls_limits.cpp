#include "ls_limits.hpp"

#include "format.hpp"
#include "json.hpp"
#include "output.hpp"
#include "table.hpp"
#include "target.hpp"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace shmkit::cli {

namespace {

struct Row {
  const char *resource;
  const char *description;
  std::optional<std::uint64_t> limit;
  std::optional<std::uint64_t> used;
  bool bytes; ///< a byte count: human units unless --bytes
};

std::vector<Row> rows_of(const Limits &l) {
  return {
      {"SHMMNI", "Shared memory segments", l.shmmni, l.used_ids, false},
      {"SHMALL", "Shared memory pages", l.shmall, l.used_pages, false},
      {"SHMMAX", "Max size of shared memory segment (bytes)", l.shmmax, std::nullopt, true},
      {"SHMMIN", "Min size of shared memory segment (bytes)", l.shmmin, std::nullopt, true},
      {"DEVSHM", "Size of the /dev/shm filesystem (bytes)", l.devshm_total, l.devshm_used, true},
  };
}

std::optional<double> percent(const Row &r) {
  if (!r.limit || !r.used || *r.limit == 0)
    return std::nullopt;
  return 100.0 * static_cast<double>(*r.used) / static_cast<double>(*r.limit);
}

void render_json(std::string &out, const std::vector<Row> &rows) {
  JsonWriter json(out);
  json.object().key("limits").array(JsonWriter::Layout::lines);
  // SHMALL and SHMMAX default to ULONG_MAX - 2^24, beyond 2^53, where JavaScript and jq 1.6
  // round a JSON number: limit_exact and used_exact carry the same values as decimal strings
  // (issue 8 defect 19g).
  auto number_and_exact = [&](std::string_view name, const std::optional<std::uint64_t> &v) {
    json.key(name);
    v ? json.number(*v) : json.null();
    json.key(fmt::format("{}_exact", name));
    v ? json.string(std::to_string(*v)) : json.null();
  };
  for (const Row &r : rows) {
    json.object().field("resource", r.resource).field("description", r.description);
    number_and_exact("limit", r.limit);
    number_and_exact("used", r.used);
    auto p = percent(r);
    json.key("use_percent");
    p ? json.number_text(fmt::format("{:.2f}", *p)) : json.null();
    json.end();
  }
  json.end().end().line();
}

void render_table(std::string &out, const std::vector<Row> &rows, const LimitsFormat &format) {
  Table table({{"RESOURCE", false}, {"DESCRIPTION", false}, {"LIMIT", true}, {"USED", true},
               {"USE%", true}});
  std::string cell;
  for (const Row &r : rows) {
    table.add_cell(r.resource);
    table.add_cell(r.description);
    for (const auto &v : {r.limit, r.used}) {
      cell.clear();
      if (!v)
        cell += '-';
      else if (r.bytes && !format.bytes)
        append_human_size(cell, *v);
      else
        append_decimal(cell, *v);
      table.add_cell(cell);
    }
    auto p = percent(r);
    table.add_cell(p ? fmt::format("{:.2f}%", *p) : std::string("-"));
  }
  table.render(out, format.raw ? TableStyle::raw : TableStyle::aligned, format.headings,
               format.color && !format.raw);
}

} // namespace

void render_limits(std::string &out, const Limits &limits, const LimitsFormat &format) {
  auto rows = rows_of(limits);
  if (format.json)
    render_json(out, rows);
  else
    render_table(out, rows, format);
}

Result<Outcome> print_limits(const LimitsFormat &format) {
  auto limits = read_limits(system_paths());
  if (!limits)
    return std::move(limits).error();
  render_limits(Stdout::get().buffer(), *limits, format);
  return Outcome::ok;
}

} // namespace shmkit::cli
