#include "ls_detail.hpp"

#include "json.hpp"
#include "ls_columns.hpp"
#include "ls_holders.hpp"
#include "output.hpp"
#include "table.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <ctime>
#include <optional>

namespace shmkit::cli {

namespace {

// HOW: map (read-only mapping), map-w (a writable one), fd:N for each open fd.
std::string how_held(const SegmentUser &user) {
  std::string how;
  auto add = [&how](std::string_view word) {
    if (!how.empty())
      how += ',';
    how += word;
  };
  if (user.maps)
    add(user.writable ? "map-w" : "map");
  for (int fd : user.fds)
    add(fmt::format("fd:{}", fd));
  return how;
}

// RANGE and PERMS: each mapping as /proc/PID/maps prints it, comma-separated; "-" for none.
std::pair<std::string, std::string> mappings_of(const SegmentUser &user) {
  std::string ranges;
  std::string perms;
  for (const MappedRange &r : user.ranges) {
    if (!ranges.empty()) {
      ranges += ',';
      perms += ',';
    }
    ranges += fmt::format("{:x}-{:x}", r.start, r.end);
    perms += r.perms;
  }
  if (ranges.empty())
    return {"-", "-"};
  return {ranges, perms};
}

void print_text(const SegmentInfo &s, RowContext &ctx, const RowFormat &format, std::string &out,
                bool color) {
  std::string value;
  for (const Column &c : k_columns) {
    value.clear();
    append_cell_text(value, c, c.read(s, ctx), format.style);
    out += c.header;
    out += ": ";
    out += value;
    out += '\n';
  }
  const auto &users = holders_of(s, ctx);
  if (users.empty())
    return;
  Table table({{"PID", true}, {"COMMAND", false}, {"HOW", false}, {"RANGE", false},
               {"PERMS", false}});
  for (const SegmentUser *u : users) {
    auto [ranges, perms] = mappings_of(*u);
    table.add_row({std::to_string(u->pid), escape_bytes(u->comm), how_held(*u), ranges, perms});
  }
  out += '\n';
  table.render(out, TableStyle::aligned, format.headings, color);
}

void print_json(const SegmentInfo &s, RowContext &ctx, std::string &out) {
  JsonWriter json(out);
  json.object(JsonWriter::Layout::lines);
  for (const Column &c : k_columns)
    write_cell_json(json, c, c.read(s, ctx));
  write_row_target(json);
  json.key("processes").array(JsonWriter::Layout::lines);
  for (const SegmentUser *u : holders_of(s, ctx))
    write_holder_json(json, *u, true);
  json.end().end().line();
}

} // namespace

Result<Outcome> run_detail(const ListRequest &request) {
  ListRequest req = request;
  req.format.style.now = std::time(nullptr);
  // Every column is shown: the listing fills in what any of them reads.
  req.format.columns.clear();
  for (const Column &c : k_columns)
    req.format.columns.push_back(&c);
  RowContext ctx;
  std::optional<SegmentInfo> found;
  auto ok = visit_listing(req, ctx, [&found](const SegmentInfo &s) {
    if (!found)
      found = s;
  });
  if (!ok)
    return std::move(ok).error();
  if (!found) {
    // The segment exists (a missing one was reported by the listing) but the filters hide it.
    if (*ok)
      print_error("--detail: the segment does not match --type or --owner");
    return Outcome::failed;
  }
  std::string &out = Stdout::get().buffer();
  if (req.format.mode == LsMode::json)
    print_json(*found, ctx, out);
  else
    print_text(*found, ctx, req.format, out, use_color(req.color));
  return *ok ? Outcome::ok : Outcome::failed;
}

} // namespace shmkit::cli
