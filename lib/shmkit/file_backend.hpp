// Plain files mapped MAP_SHARED. Files are never listed; they are shown when named.
#pragma once

#include "shmkit/backend.hpp"

namespace shmkit {

/// Regular files by path; relative paths are made absolute against the current directory, then
/// looked up under Paths::root (--target: the target's root; names never show the prefix).
/// A path whose directory is the POSIX shared memory directory (Paths::dev_shm, reached in
/// any way: symbolic links, bind mounts, "..") gets the POSIX rules for its name: a sem.*
/// entry is a semaphore (rm refuses it without --force; create and opening for writing fail).
class FileBackend final : public Backend {
public:
  explicit FileBackend(Paths paths = {}) : m_paths(std::move(paths)) {}
  Kind kind() const override { return Kind::file; }
  Result<void> for_each(const std::function<void(SegmentInfo &&)> &visit) override;
  Result<SegmentInfo> stat(const SegmentRef &ref) override;
  Result<SegmentInfo> create(const CreateSpec &spec) override;
  Result<std::unique_ptr<Handle>> open(const SegmentRef &ref, Access access) override;
  Result<void> remove(const SegmentInfo &expected) override;
  /// The directory of the file `ref` names (files are never listed: empty without one).
  std::string watch_dir(const SegmentRef *ref) const override;

private:
  Paths m_paths;
};

} // namespace shmkit
