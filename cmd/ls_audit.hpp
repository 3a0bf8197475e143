// shmkit ls --audit (shmkit-ls(1) AUDIT): gathers the facts lib's audit() judges (the listed
// segments, /dev/shm's mount and use, the limits, kernel.shm_rmid_forced, systemd-logind's
// RemoveIPC, login.defs) and prints one line per finding, or JSON.
#pragma once

#include "ls_summary.hpp"

#include "shmkit/audit.hpp"

#include <chrono>
#include <vector>

namespace shmkit::cli {

/// The environment variable that moves the root under which the audit reads configuration
/// (/etc/systemd, /run/systemd, /usr/lib/systemd, /etc/login.defs): for tests (shmkit-ls(1)
/// ENVIRONMENT).
inline constexpr const char *k_audit_root_env = "SHMKIT_AUDIT_ROOT";

/// The findings about `report` (made with rows and STATE) and the host; `grace` is ls --grace.
std::vector<Finding> audit_findings(const Report &report, std::chrono::milliseconds grace);

/// ls --audit: prints the findings. Outcome::failed when one is a warning or critical, or when
/// the listing failed.
Result<Outcome> run_audit(const ListRequest &request, const ReportFormat &format);

} // namespace shmkit::cli
