// Plain files mapped MAP_SHARED. Files are never listed; they are shown when named.
#pragma once

#include "shmkit/backend.hpp"

namespace shmkit {

/// Regular files by path; relative paths are made absolute against the current directory.
class FileBackend final : public Backend {
public:
  Kind kind() const override { return Kind::file; }
  Result<void> for_each(const std::function<void(SegmentInfo &&)> &visit) override;
  Result<SegmentInfo> stat(const SegmentRef &ref) override;
  Result<SegmentInfo> create(const CreateSpec &spec) override;
  Result<std::unique_ptr<Handle>> open(const SegmentRef &ref, Access access) override;
  Result<void> remove(const SegmentInfo &expected) override;
};

} // namespace shmkit
