// The work of `shmkit ls` (without --limits): list or stat the segments, filter them, count the
// processes that map those whose kernel does not count attaches, and print the rows.
#pragma once

#include "command.hpp"
#include "ls_rows.hpp"
#include "output.hpp"

#include "shmkit/segment.hpp"

#include <string>
#include <vector>

namespace shmkit::cli {

/// What ls lists and how, as planned from the command line.
struct ListRequest {
  RowFormat format;
  std::vector<SegmentRef> refs; ///< named segments; empty: every kind listed by default
  std::vector<Kind> kinds;      ///< --type; every kind when empty
  std::string owner;            ///< --owner as typed (name or uid); empty: anyone's
  bool all = false;             ///< --all: also odd /dev/shm entries
  ColorMode color = ColorMode::auto_detect;
};

/// Lists and prints. A listing or a named segment that fails is reported at once and makes the
/// outcome `failed`; an unknown --owner fails with invalid_argument (it needs getpwnam).
Result<Outcome> run_listing(const ListRequest &request);

} // namespace shmkit::cli
