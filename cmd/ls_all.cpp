#include "ls_all.hpp"

#include "ls_holders.hpp"
#include "ls_namespaces.hpp"
#include "target.hpp"

#include "shmkit/namespaces.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <cerrno>
#include <ctime>
#include <string>

namespace shmkit::cli {

namespace {

// What could not be listed, for the one warning at the end.
struct Missed {
  std::size_t ipc = 0;     ///< IPC namespaces that could not be joined
  std::size_t dev_shm = 0; ///< /dev/shm directories that could not be read
  std::size_t processes = 0;
};

NamespaceView view_of(const NamespaceMember &member, std::uint32_t order) {
  NamespaceView view;
  view.pid = member.pid;
  view.command = member.command;
  view.container = member.container;
  view.order = order;
  return view;
}

bool refused(const Error &error) { return error.code == Errc::permission_denied; }
bool gone(const Error &error) { return error.code == Errc::not_found; }

void warn(const Missed &missed) {
  std::string parts;
  auto add = [&](std::size_t n, std::string_view one, std::string_view many,
                 std::string_view why) {
    if (n == 0)
      return;
    parts += fmt::format("{}{} {} {}", parts.empty() ? "" : "; ", n, n == 1 ? one : many, why);
  };
  add(missed.ipc, "IPC namespace", "IPC namespaces",
      "could not be entered (setns(2) needs CAP_SYS_ADMIN): their SysV segments are not listed");
  add(missed.dev_shm, "/dev/shm", "/dev/shm directories",
      "could not be read: their POSIX objects are not listed");
  add(missed.processes, "process", "processes",
      "could not be inspected (another user's process needs CAP_SYS_PTRACE): their namespaces "
      "are not listed");
  if (!parts.empty())
    print_warning("--all-namespaces: " + parts);
}

class AllNamespaces {
public:
  AllNamespaces(const ListRequest &request, RowSink &sink, RowContext &ctx)
      : m_request(request), m_sink(sink), m_ctx(ctx) {}
  /// The SysV part, namespace by namespace; fails when our own cannot be returned to.
  Result<void> list_ipc(const std::vector<IpcNamespaceUse> &namespaces);
  /// The POSIX part, /dev/shm by /dev/shm.
  Result<void> list_dev_shm(const std::vector<DevShmUse> &dirs);
  Missed missed;
  bool ok = true;

private:
  /// One namespace's rows; false on an error that is the caller's to count or report.
  Result<void> visit(const NamespaceView &view, Scope scope);

  const ListRequest &m_request;
  RowSink &m_sink;
  RowContext &m_ctx;
  std::uint32_t m_order = 0;
};

Result<void> AllNamespaces::visit(const NamespaceView &view, Scope scope) {
  m_ctx.ns = &view;
  auto listed = visit_scope(m_request, m_ctx, scope, [&](const SegmentInfo &s) { m_sink.add(s); });
  m_ctx.ns = nullptr;
  return listed;
}

Result<void> AllNamespaces::list_ipc(const std::vector<IpcNamespaceUse> &namespaces) {
  auto home = IpcNamespaceSwitch::open(system_paths());
  if (!home)
    return std::move(home).error();
  for (const IpcNamespaceUse &use : namespaces) {
    NamespaceView view = view_of(use.member, m_order++);
    view.ipc_ns = use.inode;
    if (auto entered = home->enter(use.member.pid, use.inode); !entered) {
      if (refused(entered.error()))
        ++missed.ipc;
      else if (!gone(entered.error())) { // a namespace whose last process exited: nothing
        print_error(entered.error().message);
        ok = false;
      }
      continue;
    }
    auto listed = visit(view, Scope::ipc_namespace);
    if (!listed && listed.error().code == Errc::invalid_argument)
      return listed; // an unknown --owner: the same in every namespace
    if (!listed) {
      print_error(listed.error().message);
      ok = false;
    }
  }
  return home->leave();
}

Result<void> AllNamespaces::list_dev_shm(const std::vector<DevShmUse> &dirs) {
  for (const DevShmUse &use : dirs) {
    NamespaceView view = view_of(use.member, m_order++);
    view.shm_dev = use.dev;
    view.shm_dev_text = device_text(use.dev);
    const Paths paths = process_paths(use.member.pid, system_paths());
    // The process may have exited, and its pid been reused, since the discovery.
    struct stat st {};
    if (::stat(paths.dev_shm.c_str(), &st) != 0) {
      if (errno == EACCES || errno == EPERM)
        ++missed.dev_shm;
      continue;
    }
    if (st.st_dev != use.dev || st.st_ino != use.ino)
      continue;
    m_ctx.paths = &paths;
    auto listed = visit(view, Scope::dev_shm);
    m_ctx.paths = nullptr;
    if (!listed && listed.error().code == Errc::invalid_argument)
      return listed;
    if (!listed && refused(listed.error()))
      ++missed.dev_shm;
    else if (!listed && !gone(listed.error())) {
      print_error(listed.error().message);
      ok = false;
    }
  }
  return {};
}

} // namespace

Result<Outcome> run_all_namespaces(const ListRequest &request) {
  ListRequest req = request;
  req.format.style.now = std::time(nullptr);
  auto found = discover_namespaces(system_paths());
  if (!found)
    return std::move(found).error();
  RowContext ctx;
  scan_every_namespace(ctx); // one /proc scan for every namespace's holders
  RowSink sink(req.format, ctx);
  AllNamespaces all(req, sink, ctx);
  if (auto listed = all.list_ipc(found->ipc); !listed)
    return std::move(listed).error();
  if (auto listed = all.list_dev_shm(found->dev_shm); !listed)
    return std::move(listed).error();
  all.missed.processes = found->uninspected;
  warn(all.missed);
  sink.render(Stdout::get().buffer(), use_color(req.color));
  return all.ok ? Outcome::ok : Outcome::failed;
}

} // namespace shmkit::cli
