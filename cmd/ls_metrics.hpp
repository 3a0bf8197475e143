// shmkit ls --openmetrics (shmkit-ls(1) OPENMETRICS): the totals, STATE counts, limits, /dev/shm
// use and audit finding counts in the OpenMetrics text format, for node_exporter's textfile
// collector; one series per segment only with --per-segment (a machine may hold 30,000).
#pragma once

#include "ls_summary.hpp"

#include "shmkit/audit.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shmkit::cli {

/// Appends `value` as the inside of an OpenMetrics label value: backslash, double quote and
/// newline escaped (\\, \", \n), bytes that are not valid UTF-8 replaced by U+FFFD.
void append_label_value(std::string &out, std::string_view value);

/// Appends the whole exposition, ending in "# EOF".
void render_metrics(std::string &out, const Report &report, const std::vector<Finding> &findings,
                    bool per_segment);

/// ls --openmetrics [--per-segment]. Outcome::failed only when the listing failed.
Result<Outcome> run_metrics(const ListRequest &request, bool per_segment);

/// The report modes of ls.
enum class ReportKind { summary, audit, metrics };

/// Runs one report mode (`color` is the resolved --color).
Result<Outcome> run_report(const ListRequest &request, ReportFormat format, bool color,
                           ReportKind kind, bool per_segment);

} // namespace shmkit::cli
