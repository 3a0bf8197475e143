// POSIX shared memory: regular files in /dev/shm (shm_open(3) is open(2) there).
#pragma once

#include "shmkit/backend.hpp"

namespace shmkit {

/// POSIX objects under Paths::dev_shm. Names are validated before any syscall.
class PosixBackend final : public Backend {
public:
  explicit PosixBackend(Paths paths) : m_paths(std::move(paths)) {}
  Kind kind() const override { return Kind::posix; }
  Result<void> for_each(const std::function<void(SegmentInfo &&)> &visit) override;
  Result<SegmentInfo> stat(const SegmentRef &ref) override;
  Result<SegmentInfo> create(const CreateSpec &spec) override;
  Result<std::unique_ptr<Handle>> open(const SegmentRef &ref, Access access) override;
  Result<void> remove(const SegmentInfo &expected) override;
  std::string watch_dir(const SegmentRef *) const override { return m_paths.dev_shm; }

private:
  Paths m_paths;
};

} // namespace shmkit
