#include "ls_run.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/users.hpp"

#include <algorithm>
#include <ctime>
#include <optional>

namespace shmkit::cli {

namespace {

class Lister {
public:
  Lister(const ListRequest &request, std::optional<uid_t> owner)
      : m_request(request), m_owner(owner), m_sink(request.format, m_ctx) {
    const RowFormat &f = request.format;
    m_wants_users = std::any_of(f.columns.begin(), f.columns.end(),
                                [](const Column *c) { return c->needs_users; }) ||
                    (f.sort != nullptr && f.sort->needs_users);
  }
  /// Every kind listed by default; false when a listing failed.
  bool list_all();
  /// The named segments; false when one failed.
  bool list_named();
  std::size_t rows() const { return m_sink.size(); }
  void render(bool color) { m_sink.render(Stdout::get().buffer(), color); }

private:
  bool shown(const SegmentInfo &s) const {
    return (m_request.all || !m_request.refs.empty() || s.oddity == Oddity::none) &&
           (!m_owner || s.uid == *m_owner) && wants_kind(s.kind);
  }
  bool wants_kind(Kind kind) const {
    const auto &kinds = m_request.kinds;
    return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  }
  bool needs_scan(Kind kind) const {
    return m_wants_users && !traits_of(kind).kernel_counts_attaches;
  }
  void count_mappers();
  void warn_about(const Backend &backend);

  const ListRequest &m_request;
  std::optional<uid_t> m_owner;
  RowContext m_ctx;
  RowSink m_sink;
  BackendSet m_backends;
  MapperCounts m_mappers;
  std::vector<std::string> m_warned;
  bool m_wants_users = false;
};

// Objects whose kernel does not count attaches: count the processes that map them. Only done
// when such rows are shown, since it reads every /proc/PID/maps.
void Lister::count_mappers() {
  if (m_ctx.mappers != nullptr)
    return;
  m_ctx.mappers = &m_mappers;
  auto users = scan_users(Paths{}, false);
  if (!users)
    return;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<pid_t>> pids;
  for (const auto &u : *users)
    if (!u.sysv && u.maps)
      pids[{u.dev, u.ino}].push_back(u.pid);
  for (auto &[k, v] : pids) {
    std::sort(v.begin(), v.end());
    m_mappers[k] = static_cast<std::uint64_t>(std::unique(v.begin(), v.end()) - v.begin());
  }
}

// What a listing worked around (a damaged /proc/sysvipc/shm, say) is a warning, printed once
// even when every named segment hits it.
void Lister::warn_about(const Backend &backend) {
  for (const auto &w : backend.report().warnings)
    if (std::find(m_warned.begin(), m_warned.end(), w) == m_warned.end()) {
      print_warning(w);
      m_warned.push_back(w);
    }
}

bool Lister::list_all() {
  bool ok = true;
  for (const KindTraits &traits : kind_traits()) {
    if (!traits.listed_by_default || !wants_kind(traits.kind))
      continue;
    Backend &backend = m_backends.of(traits.kind);
    Result<void> listed;
    if (!needs_scan(traits.kind)) {
      // Streamed: each row is rendered as it is read.
      listed = backend.for_each([&](SegmentInfo &&info) {
        if (shown(info))
          m_sink.add(info);
      });
    } else {
      std::vector<SegmentInfo> rows;
      listed = backend.for_each([&](SegmentInfo &&info) {
        if (shown(info))
          rows.push_back(std::move(info));
      });
      if (!rows.empty())
        count_mappers();
      for (const auto &row : rows)
        m_sink.add(row);
    }
    warn_about(backend);
    if (!listed) {
      print_error(listed.error().message);
      ok = false;
    }
  }
  return ok;
}

bool Lister::list_named() {
  bool ok = true;
  std::vector<SegmentInfo> rows;
  for (const auto &ref : m_request.refs) {
    Backend &backend = m_backends.of(ref.kind);
    auto info = backend.stat(ref);
    warn_about(backend);
    if (!info) {
      print_error(info.error().message);
      ok = false;
      continue;
    }
    if (shown(*info))
      rows.push_back(std::move(*info));
  }
  if (std::any_of(rows.begin(), rows.end(),
                  [&](const SegmentInfo &s) { return needs_scan(s.kind); }))
    count_mappers();
  for (const auto &row : rows)
    m_sink.add(row);
  return ok;
}

} // namespace

Result<Outcome> run_listing(const ListRequest &request) {
  std::optional<uid_t> owner;
  if (!request.owner.empty()) {
    auto uid = lookup_uid(request.owner);
    if (!uid)
      return std::move(uid).error();
    owner = *uid;
  }
  ListRequest req = request;
  req.format.style.now = std::time(nullptr);
  Lister lister(req, owner);
  bool ok = req.refs.empty() ? lister.list_all() : lister.list_named();
  // Named segments that all failed print only their errors, not an empty table.
  if (!ok && !req.refs.empty() && lister.rows() == 0)
    return Outcome::failed;
  lister.render(use_color(req.color));
  return ok ? Outcome::ok : Outcome::failed;
}

} // namespace shmkit::cli
