// shmkit ls --limits: the kernel's shared memory limits and their use (like lsipc --shmems
// --global), as a table or JSON.
#pragma once

#include "command.hpp"

#include "shmkit/limits.hpp"

#include <string>

namespace shmkit::cli {

struct LimitsFormat {
  bool json = false;
  bool raw = false;
  bool headings = true;
  bool bytes = false; ///< --bytes: byte counts instead of human units
  bool color = false;
};

/// Appends the report of `limits` to out.
void render_limits(std::string &out, const Limits &limits, const LimitsFormat &format);

/// Reads the limits (read_limits) and prints the report. Fails with read_limits's error.
Result<Outcome> print_limits(const LimitsFormat &format);

} // namespace shmkit::cli
