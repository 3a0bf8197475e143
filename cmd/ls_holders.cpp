#include "ls_holders.hpp"

#include "json.hpp"
#include "ls_columns.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace shmkit::cli {

/// The scan of RowContext::scan() and its index: (sysv, dev, ino) -> users, sorted.
struct HolderIndex {
  bool with_fds = true;
  IpcScope scope = IpcScope::own; ///< every: ls -A, SysV users keyed by their namespace
  bool scanned = false;
  bool failed = false; ///< /proc itself could not be read
  UserScan scan;
  std::vector<std::pair<UserKey, std::uint32_t>> index; ///< sorted
  std::vector<pid_t> selected; ///< --pid; empty: every process
  std::vector<const SegmentUser *> row; ///< holders_of()'s result
};

namespace {

HolderIndex &index_of(RowContext &ctx) {
  if (!ctx.holders)
    ctx.holders = std::make_shared<HolderIndex>();
  return *ctx.holders;
}

void warn_unreadable(std::size_t count) {
  print_warning(fmt::format("{} process{} could not be read (permission denied or no access): "
                            "PIDS, COMMAND, NATTCH and STATE may miss holders",
                            count, count == 1 ? "" : "es"));
}

bool is_selected(const HolderIndex &holders, pid_t pid) {
  return holders.selected.empty() ||
         std::binary_search(holders.selected.begin(), holders.selected.end(), pid);
}

} // namespace

const UserScan &RowContext::scan() {
  HolderIndex &h = index_of(*this);
  if (h.scanned)
    return h.scan;
  h.scanned = true;
  auto result = scan_holders(where(), h.with_fds, h.scope);
  if (!result) {
    // Without /proc nobody's absence is proven: count it as one unreadable process, so that
    // rows are partial and STATE never says orphaned.
    print_warning(result.error().message);
    h.failed = true;
    h.scan.unreadable = 1;
    return h.scan;
  }
  h.scan = std::move(*result);
  if (h.scan.unreadable > 0 && !warned_unreadable) {
    warn_unreadable(h.scan.unreadable);
    warned_unreadable = true;
  }
  h.index.reserve(h.scan.users.size());
  for (std::size_t i = 0; i < h.scan.users.size(); ++i) {
    h.index.emplace_back(user_key(h.scan.users[i]), static_cast<std::uint32_t>(i));
  }
  std::sort(h.index.begin(), h.index.end());
  return h.scan;
}

const std::vector<const SegmentUser *> &holders_of(const SegmentInfo &s, RowContext &ctx,
                                                    bool selected) {
  const UserScan &scan = ctx.scan();
  HolderIndex &h = *ctx.holders;
  h.row.clear();
  auto key = user_key(s);
  if (!key)
    return h.row;
  // ls -A: a shmid means something only in its IPC namespace, the one being listed.
  if (std::get<0>(*key) && h.scope == IpcScope::every)
    std::get<1>(*key) = ctx.ns != nullptr ? ctx.ns->ipc_ns.value_or(0) : 0;
  auto first = std::lower_bound(h.index.begin(), h.index.end(), *key,
                                [](const auto &entry, const UserKey &k) { return entry.first < k; });
  for (auto it = first; it != h.index.end() && it->first == *key; ++it) {
    const SegmentUser &user = scan.users[it->second];
    if (!selected || is_selected(h, user.pid))
      h.row.push_back(&user);
  }
  // The index is sorted by key and then by position, and users are sorted by pid.
  return h.row;
}

bool held_by_selected(const SegmentInfo &s, RowContext &ctx) {
  return !holders_of(s, ctx, true).empty();
}

void select_holders(RowContext &ctx, const std::vector<pid_t> &pids) {
  HolderIndex &h = index_of(ctx);
  h.selected = pids;
  std::sort(h.selected.begin(), h.selected.end());
}

void scan_fds_too(RowContext &ctx, bool with_fds) { index_of(ctx).with_fds = with_fds; }

void scan_every_namespace(RowContext &ctx) { index_of(ctx).scope = IpcScope::every; }

const UserScan &scan_with_fds(RowContext &ctx) {
  HolderIndex &h = index_of(ctx);
  if (h.scanned && !h.with_fds) {
    // Rows already printed keep what they showed; the rest use the fuller scan.
    std::vector<pid_t> selected = std::move(h.selected);
    *ctx.holders = HolderIndex{};
    ctx.holders->selected = std::move(selected);
  }
  h.with_fds = true;
  return ctx.scan();
}

bool holders_partial(RowContext &ctx) { return ctx.scan().unreadable > 0; }

Cell mappers_cell(const SegmentInfo &s, RowContext &ctx) {
  if (s.nattch)
    return number_cell(*s.nattch);
  if (!s.dev || !s.ino || s.oddity != Oddity::none)
    return {};
  const auto &users = holders_of(s, ctx, false);
  return number_cell(static_cast<std::uint64_t>(
      std::count_if(users.begin(), users.end(), [](const SegmentUser *u) { return u->maps; })));
}

Cell pids_cell(const SegmentInfo &s, RowContext &ctx) {
  const auto &users = holders_of(s, ctx);
  std::string &text = ctx.list_text;
  text.clear();
  for (const SegmentUser *u : users) {
    if (!text.empty())
      text += ',';
    text += std::to_string(u->pid);
    if (u->maps)
      text += 'm';
    if (u->writable)
      text += 'w';
    if (u->holds_fd)
      text += 'f';
  }
  bool partial = holders_partial(ctx);
  if (partial)
    text += text.empty() ? "partial" : ",partial";
  Cell cell = text_cell(std::string_view(text));
  cell.number = partial ? 1 : 0;
  cell.users = &users;
  return cell;
}

Cell command_cell(const SegmentInfo &s, RowContext &ctx) {
  const auto &users = holders_of(s, ctx);
  std::string &text = ctx.list_text;
  text.clear();
  std::vector<std::string_view> seen;
  for (const SegmentUser *u : users) {
    if (std::find(seen.begin(), seen.end(), u->comm) != seen.end())
      continue;
    seen.push_back(u->comm);
    if (!text.empty())
      text += ',';
    // The list is comma-separated (a JSON array): a comma in a name is escaped like odd bytes.
    for (char ch : escape_bytes(u->comm)) {
      if (ch == ',')
        text += "\\x2c";
      else
        text += ch;
    }
  }
  return text_cell(std::string_view(text));
}

void write_holder_json(JsonWriter &json, const SegmentUser &user, bool ranges) {
  json.object();
  json.field("pid", static_cast<std::int64_t>(user.pid));
  json.text_field("command", user.comm);
  json.key("mapped").boolean(user.maps);
  json.key("writable").boolean(user.writable);
  json.key("fds").array();
  for (int fd : user.fds)
    json.number(static_cast<std::int64_t>(fd));
  json.end();
  if (ranges) {
    json.key("mappings").array();
    for (const MappedRange &r : user.ranges) {
      json.object();
      json.field("start", fmt::format("0x{:x}", r.start));
      json.field("end", fmt::format("0x{:x}", r.end));
      json.field("perms", r.perms);
      json.end();
    }
    json.end();
  }
  json.end();
}

void write_holders_json(JsonWriter &json, const Cell &cell) {
  json.array();
  if (cell.users != nullptr)
    for (const SegmentUser *u : *cell.users)
      write_holder_json(json, *u, false);
  json.end();
}

} // namespace shmkit::cli
