#include "ls_namespaces.hpp"

#include "json.hpp"
#include "ls_columns.hpp"
#include "target.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/namespaces.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace shmkit::cli {

namespace {

// Without -A: the namespaces of system_paths(), read once: --target's process, or our own
// (no NSPID then: the listing is of the caller's own namespaces).
const NamespaceView &own_view(RowContext &ctx) {
  if (ctx.own_ns)
    return *ctx.own_ns;
  auto view = std::make_shared<NamespaceView>();
  if (const Target *target = target_process()) {
    view->ipc_ns = target->ipc_ns;
    view->shm_dev = target->dev_shm_dev;
    view->pid = target->pid;
    NamespaceMember member = describe_member(target->pid, system_paths());
    view->command = target->command;
    view->container = std::move(member.container);
  } else {
    const std::string self = system_paths().proc + "/self/ns/ipc";
    if (auto inode = read_ipc_link(AT_FDCWD, self.c_str()))
      view->ipc_ns = *inode;
    struct stat st {};
    if (::stat(system_paths().dev_shm.c_str(), &st) == 0)
      view->shm_dev = st.st_dev;
  }
  if (view->shm_dev)
    view->shm_dev_text = device_text(*view->shm_dev);
  ctx.own_ns = std::move(view);
  return *ctx.own_ns;
}

const NamespaceView &view_of(RowContext &ctx) { return ctx.ns != nullptr ? *ctx.ns : own_view(ctx); }

Scope scope_of(const SegmentInfo &s) { return traits_of(s.kind).scope; }

} // namespace

std::string device_text(dev_t dev) { return fmt::format("{}:{}", major(dev), minor(dev)); }

Cell ipcns_cell(const SegmentInfo &s, RowContext &ctx) {
  if (scope_of(s) != Scope::ipc_namespace)
    return {};
  return number_cell(view_of(ctx).ipc_ns);
}

Cell shmdev_cell(const SegmentInfo &s, RowContext &ctx) {
  if (scope_of(s) != Scope::dev_shm)
    return {};
  const NamespaceView &view = view_of(ctx);
  return view.shm_dev ? text_cell(std::string_view(view.shm_dev_text)) : Cell{};
}

Cell nspid_cell(const SegmentInfo &s, RowContext &ctx) {
  if (scope_of(s) == Scope::none)
    return {};
  return number_cell(view_of(ctx).pid);
}

Cell nscomm_cell(const SegmentInfo &s, RowContext &ctx) {
  if (scope_of(s) == Scope::none)
    return {};
  const NamespaceView &view = view_of(ctx);
  return view.pid ? text_cell(std::string_view(view.command)) : Cell{};
}

Cell container_cell(const SegmentInfo &s, RowContext &ctx) {
  if (scope_of(s) == Scope::none)
    return {};
  const NamespaceView &view = view_of(ctx);
  return view.pid && !view.container.empty() ? text_cell(std::string_view(view.container))
                                             : Cell{};
}

void write_row_target(JsonWriter &json, const SegmentInfo &s, RowContext &ctx) {
  if (ctx.ns == nullptr) {
    write_row_target(json); // --target (target.hpp)
    return;
  }
  if (scope_of(s) != Scope::none && ctx.ns->pid)
    json.field("target", *ctx.ns->pid);
}

} // namespace shmkit::cli
