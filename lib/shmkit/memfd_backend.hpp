// memfd objects (memfd_create(2)): no name in any directory, only "/memfd:NAME (deleted)" in
// /proc/PID/fd and /proc/PID/maps. Addressed through a holder, memfd:PID:FD, and opened
// through the magic link /proc/PID/fd/FD (ptrace access mode read, proc(5)).
#pragma once

#include "shmkit/backend.hpp"

#include <optional>
#include <string_view>

namespace shmkit {

/// The NAME of a /proc link or maps path "/memfd:NAME (deleted)" (raw bytes, maybe empty);
/// nullopt for any other target. Pure.
std::optional<std::string_view> memfd_link_name(std::string_view target);

/// memfd objects held or mapped by the processes under Paths::proc. Listed only on request
/// (ls --type memfd); never created, never removed.
class MemfdBackend final : public Backend {
public:
  explicit MemfdBackend(Paths paths) : m_paths(std::move(paths)) {}
  Kind kind() const override { return Kind::memfd; }
  /// One row per object (device and inode), whichever processes hold it: SEGMENT is the
  /// lowest pid holding an fd on it, with its lowest such fd; empty when it is only mapped.
  /// Processes whose fds cannot be read, and objects only mapped that cannot be stat'ed, are
  /// counted in report().warnings.
  Result<void> for_each(const std::function<void(SegmentInfo &&)> &visit) override;
  /// The object memfd:PID:FD names, as for_each() lists it. Fails as open().
  Result<SegmentInfo> stat(const SegmentRef &ref) override;
  /// Always fails with invalid_argument: memfd objects are made by their processes.
  Result<SegmentInfo> create(const CreateSpec &spec) override;
  /// Opens /proc/PID/fd/FD after checking that it is a memfd, and again after the open.
  /// Fails with not_found (no such process or fd), permission_denied (no ptrace access; or,
  /// for writing, sealed with F_SEAL_WRITE or F_SEAL_FUTURE_WRITE), invalid_argument (the fd
  /// is not a memfd).
  Result<std::unique_ptr<Handle>> open(const SegmentRef &ref, Access access) override;
  /// Always fails with not_supported: a memfd has no name to unlink.
  Result<void> remove(const SegmentInfo &expected) override;

private:
  Paths m_paths;
};

} // namespace shmkit
