// System V shared memory (shmget(2), shmat(2), shmctl(2)).
#pragma once

#include "shmkit/backend.hpp"

namespace shmkit {

/// SysV segments; listing reads Paths::sysvipc_shm (falling back to shmctl(SHM_STAT_ANY) when
/// it is missing or damaged), or shmctl(SHM_STAT_ANY) alone when RSS and SWAP are not needed
/// (Backend::set_needs).
class SysvBackend final : public Backend {
public:
  explicit SysvBackend(Paths paths) : m_paths(std::move(paths)) {}
  Kind kind() const override { return Kind::sysv; }
  Result<void> for_each(const std::function<void(SegmentInfo &&)> &visit) override;
  Result<SegmentInfo> stat(const SegmentRef &ref) override;
  Result<SegmentInfo> create(const CreateSpec &spec) override;
  Result<std::unique_ptr<Handle>> open(const SegmentRef &ref, Access access) override;
  Result<void> remove(const SegmentInfo &expected) override;

private:
  Paths m_paths;
};

} // namespace shmkit
