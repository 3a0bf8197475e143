#include "ls_run.hpp"

#include "ls_holders.hpp"
#include "ls_memory.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/unlinked.hpp"
#include "shmkit/users.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <optional>

namespace shmkit::cli {

namespace {

using Visit = std::function<void(const SegmentInfo &)>;

class Lister {
public:
  Lister(const ListRequest &request, std::optional<uid_t> owner, RowContext &ctx,
         const Visit &visit)
      : m_request(request), m_owner(owner), m_ctx(ctx), m_visit(visit) {
    m_ctx.grace = request.grace; // ls --grace (STATE, REASON)
    m_backends.set_needs(listing_needs(request.format)); // SysV: SHM_STAT_ANY without RSS/SWAP
  }
  /// Every kind listed by default; false when a listing failed.
  bool list_all();
  /// The named segments; false when one failed.
  bool list_named();
  /// --pid: what the processes map or hold; false when a process does not exist.
  bool list_pids();
  /// ls -A: the kinds of `scope` listed by default; the first listing error, not printed.
  Result<void> list_scope(Scope scope);

private:
  bool shown(const SegmentInfo &s) const {
    return (m_request.all || !m_request.refs.empty() || s.oddity == Oddity::none) &&
           (!m_owner || s.uid == *m_owner) && wants_kind(s.kind);
  }
  bool wants_kind(Kind kind) const {
    const auto &kinds = m_request.kinds;
    return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  }
  bool selected(const SegmentInfo &s) {
    return shown(s) && (m_request.pids.empty() || held_by_selected(s, m_ctx));
  }
  void warn_about(const Backend &backend);
  void show(const SegmentInfo &s) {
    if (!m_request.pids.empty()) // only --pid asks what was shown
      if (auto key = user_key(s))
        m_shown.push_back(*key);
    m_visit(s);
  }
  void list_mapped_files();
  void list_unlinked();
  /// Every segment of one kind, through its backend; the listing error, not printed.
  Result<void> list_kind(const KindTraits &traits);

  const ListRequest &m_request;
  std::optional<uid_t> m_owner;
  RowContext &m_ctx;
  const Visit &m_visit;
  BackendSet m_backends{m_ctx.where()}; // system_paths(), or one namespace's under -A
  ListedObjects m_named{m_ctx.where()}; ///< what was listed under a name (unlinked rows)
  std::vector<std::string> m_warned;
  std::vector<UserKey> m_shown; ///< --pid: what was shown, so that files are not shown twice
};

// What a listing worked around (a damaged /proc/sysvipc/shm, say) is a warning, printed once
// even when every named segment hits it.
void Lister::warn_about(const Backend &backend) {
  for (const auto &w : backend.report().warnings)
    if (std::find(m_warned.begin(), m_warned.end(), w) == m_warned.end()) {
      print_warning(w);
      m_warned.push_back(w);
    }
}

// Streamed: each row is visited as it is read. The /proc scan, when a cell needs it, happens
// on the first such row, so no SegmentInfo is kept (a listing may have 30,000).
bool Lister::list_all() {
  bool ok = true;
  for (const KindTraits &traits : kind_traits()) {
    if (!lists_kind(traits, m_request.kinds))
      continue;
    if (Result<void> listed = list_kind(traits); !listed) {
      print_error(listed.error().message);
      ok = false;
    }
  }
  list_unlinked();
  return ok;
}

Result<void> Lister::list_scope(Scope scope) {
  for (const KindTraits &traits : kind_traits()) {
    if (traits.scope != scope || !lists_kind(traits, m_request.kinds))
      continue;
    if (Result<void> listed = list_kind(traits); !listed)
      return listed;
  }
  return {};
}

Result<void> Lister::list_kind(const KindTraits &traits) {
  Backend &backend = m_backends.of(traits.kind);
  Result<void> listed = backend.for_each([&](SegmentInfo &&info) {
    m_named.saw(info);
    if (selected(info))
      show(info);
  });
  warn_about(backend);
  return listed;
}

// Objects unlinked while still mapped or open (STATUS unlinked): one statvfs(2) of the POSIX
// directory tells whether any may exist; only then (or for --type file) is /proc scanned, with
// fds, whatever columns were chosen.
void Lister::list_unlinked() {
  const UnlinkedWanted wanted = unlinked_wanted(m_request.kinds);
  if (!m_request.refs.empty() || !m_named.worth_scanning(wanted))
    return;
  UnlinkedScan found = m_named.find(scan_with_fds(m_ctx), wanted);
  for (const SegmentInfo &info : found.rows)
    if (selected(info))
      show(info);
  if (found.uninspectable > 0)
    print_warning(fmt::format("{} unlinked object{} held only by mappings could not be "
                              "inspected (following /proc/PID/map_files needs CAP_SYS_ADMIN): "
                              "not listed",
                              found.uninspectable, found.uninspectable == 1 ? "" : "s"));
}

bool Lister::list_named() {
  bool ok = true;
  for (const auto &ref : m_request.refs) {
    Backend &backend = m_backends.of(ref.kind);
    auto info = backend.stat(ref);
    warn_about(backend);
    if (!info) {
      print_error(info.error().message);
      ok = false;
      continue;
    }
    if (selected(*info))
      show(*info);
  }
  return ok;
}

// The files the --pid processes map that no listing showed: found by the path their maps give,
// shown only when that path still names the mapped file (same device and inode).
void Lister::list_mapped_files() {
  const UserScan &scan = m_ctx.scan();
  std::vector<UserKey> tried;
  for (const SegmentUser &user : scan.users) {
    UserKey key = user_key(user);
    if (user.sysv || !user.maps || user.path.empty() ||
        !std::binary_search(m_request.pids.begin(), m_request.pids.end(), user.pid) ||
        std::find(m_shown.begin(), m_shown.end(), key) != m_shown.end() ||
        std::find(tried.begin(), tried.end(), key) != tried.end())
      continue;
    tried.push_back(key);
    auto ref = parse_address("file:" + escape_bytes(user.path));
    if (!ref || !wants_kind(ref->kind))
      continue;
    auto info = m_backends.of(ref->kind).stat(*ref);
    if (info && user_key(*info) == key && shown(*info))
      show(*info);
  }
}

bool Lister::list_pids() {
  std::vector<pid_t> alive;
  for (pid_t pid : m_request.pids)
    if (process_alive(pid))
      alive.push_back(pid);
    else
      print_error(fmt::format("no process with pid {}", pid));
  if (alive.empty())
    return false; // like named segments that are all missing: only the errors
  bool ok = alive.size() == m_request.pids.size();
  select_holders(m_ctx, alive);
  ok = list_all() && ok;
  list_mapped_files();
  return ok;
}

} // namespace

namespace {

Result<std::optional<uid_t>> owner_of(const ListRequest &request) {
  if (request.owner.empty())
    return std::optional<uid_t>();
  auto uid = lookup_uid(request.owner);
  if (!uid)
    return std::move(uid).error();
  return std::optional<uid_t>(*uid);
}

// NATTCH alone needs only the maps; every other user of the scan the fds too.
void plan_scan(const ListRequest &req, RowContext &ctx) {
  const RowFormat &f = req.format;
  auto needs_fds = [](const Column *c) {
    return c != nullptr && c->needs_users && c->name != "nattch";
  };
  scan_fds_too(ctx, !req.pids.empty() || f.columns.empty() ||
                        std::any_of(f.columns.begin(), f.columns.end(), needs_fds) ||
                        needs_fds(f.sort));
}

} // namespace

Result<void> visit_scope(const ListRequest &request, RowContext &ctx, Scope scope,
                         const Visit &visit) {
  auto owner = owner_of(request);
  if (!owner)
    return std::move(owner).error();
  plan_scan(request, ctx);
  Lister lister(request, *owner, ctx, visit);
  return lister.list_scope(scope);
}

Result<bool> visit_listing(const ListRequest &request, RowContext &ctx, const Visit &visit) {
  auto owner = owner_of(request);
  if (!owner)
    return std::move(owner).error();
  ListRequest req = request;
  std::sort(req.pids.begin(), req.pids.end());
  plan_scan(req, ctx);
  Lister lister(req, *owner, ctx, visit);
  if (!req.pids.empty())
    return lister.list_pids();
  return req.refs.empty() ? lister.list_all() : lister.list_named();
}

Result<Outcome> run_listing(const ListRequest &request) {
  ListRequest req = request;
  req.format.style.now = std::time(nullptr);
  RowContext ctx;
  RowSink sink(req.format, ctx);
  auto ok = visit_listing(req, ctx, [&](const SegmentInfo &info) { sink.add(info); });
  if (!ok)
    return std::move(ok).error();
  // Named segments (or --pid processes) that all failed print only their errors, not an
  // empty table.
  if (!*ok && (!req.refs.empty() || !req.pids.empty()) && sink.size() == 0)
    return Outcome::failed;
  sink.render(Stdout::get().buffer(), use_color(req.color));
  return *ok ? Outcome::ok : Outcome::failed;
}

} // namespace shmkit::cli
