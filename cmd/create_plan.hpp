// shmkit create: what a checked command line holds (shmkit-create(1)).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace shmkit::cli {

class Args;

/// A checked create command line.
struct CreatePlan {
  CreateSpec spec;                   ///< spec.size is filled in by the work when --size is absent
  std::optional<std::uint64_t> size; ///< --size
  std::optional<std::string> from;   ///< --from FILE or "-"
  bool exist_ok = false;
};

/// Checks a create command line without any system call (ftok: is resolved by the backend, when
/// creating). Fails with invalid_argument (a usage error): a bad address or one create refuses
/// (an id, a sem.* POSIX name), a bad --size or --mode, no --size and no --from, an empty
/// --from, an option the kind does not take, --from with a mode the owner cannot write.
Result<CreatePlan> plan_create(const Args &args);

} // namespace shmkit::cli
