// shmkit ls --summary, --audit and --openmetrics in parts (issue 10): the option rules, the
// totals, the OpenMetrics label escaping and exposition.
#include "command.hpp"
#include "commands.hpp"
#include "gate.hpp"
#include "ls_metrics.hpp"
#include "ls_summary.hpp"
#include "options.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <string>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

std::string rule(const std::string &line) {
  CLI::App app{"ls"};
  OptionGate gate;
  auto args = register_options(app, gate, ls_command().options);
  app.parse(line, false);
  auto ok = check_rules(ls_command().options, *args);
  return ok ? std::string() : ok.error().message;
}

std::string label(std::string_view value) {
  std::string out;
  append_label_value(out, value);
  return out;
}

ReportRow row(std::string segment, std::uint64_t size, std::optional<std::uint64_t> alloc) {
  ReportRow r;
  r.segment = std::move(segment);
  r.type = "posix";
  r.owner = "root";
  r.size = size;
  r.alloc = alloc;
  return r;
}

} // namespace

TEST_CASE("shmkit::cli::ls report option rules") {
  CHECK(rule("--summary --json") == "");
  CHECK(rule("--summary --raw --noheadings --bytes") == "");
  CHECK(rule("--summary -o size") == "--summary and --output exclude each other");
  CHECK(rule("--summary --audit") == "--summary and --audit exclude each other");
  CHECK(rule("--audit --json") == "");
  CHECK(rule("--audit --sort size") == "--audit and --sort exclude each other");
  CHECK(rule("--openmetrics --per-segment") == "");
  CHECK(rule("--openmetrics --json") == "--openmetrics and --json exclude each other");
  CHECK(rule("--openmetrics --limits") == "--openmetrics and --limits exclude each other");
  CHECK(rule("--per-segment") == "--per-segment needs --openmetrics");
}

TEST_CASE("shmkit::cli::append_label_value") {
  CHECK(label("plain") == "plain");
  CHECK(label("a\"b") == "a\\\"b");
  CHECK(label("a\\b") == "a\\\\b");
  CHECK(label("a\nb") == "a\\nb");
  CHECK(label("posix:/x\"\\\n") == "posix:/x\\\"\\\\\\n");
  CHECK(label("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(label("bad\xff") == "bad\xef\xbf\xbd");
  CHECK(label("\xc3") == "\xef\xbf\xbd"); // a truncated sequence
  CHECK(label("tab\tok") == "tab\tok");
}

TEST_CASE("shmkit::cli::Totals") {
  Totals t;
  t.add(row("posix:/a", 100, 4096), 4096);
  auto sysv = row("id:1", 5000, std::nullopt);
  sysv.rss = 4096;
  sysv.swap = 0;
  t.add(sysv, 4096);
  CHECK(t.segments == 2);
  CHECK(t.size == 5100);
  CHECK(t.alloc == 4096 + 8192); // SysV: the size in whole pages
  CHECK(t.rss == 4096);
  CHECK(t.swap == 0);
  CHECK(t.unmeasured == 1);
  Totals none;
  none.add(row("posix:/b", 1, 0), 4096);
  CHECK_FALSE(none.rss.has_value());
}

TEST_CASE("shmkit::cli::render_metrics") {
  Report r;
  r.dev_shm_path = "/dev/shm";
  auto hostile = row("posix:/a\"b\\c\nd", 10, 4096);
  hostile.state = "orphaned";
  hostile.nattch = 0;
  r.rows.push_back(hostile);
  r.types.emplace_back("posix", Totals{});
  r.types.back().second.add(hostile, 4096);
  r.owners[0] = {"root", r.types.back().second};
  r.total = r.types.back().second;
  r.states["orphaned"] = 1;
  std::vector<Finding> findings{{"posix:/x", Severity::warning, "orphaned", "m"}};

  std::string out;
  render_metrics(out, r, findings, false);
  CHECK(out.ends_with("# EOF\n"));
  CHECK(out.find("# TYPE shmkit_segments gauge\nshmkit_segments{type=\"posix\"} 1\n") !=
        std::string::npos);
  CHECK(out.find("shmkit_owner_size_bytes{owner=\"root\",uid=\"0\"} 10\n") != std::string::npos);
  CHECK(out.find("shmkit_state_segments{state=\"orphaned\"} 1\n") != std::string::npos);
  CHECK(out.find("shmkit_state_segments{state=\"dest\"} 0\n") != std::string::npos);
  CHECK(out.find("shmkit_audit_findings{severity=\"warning\"} 1\n") != std::string::npos);
  CHECK(out.find("shmkit_resident_bytes{") == std::string::npos); // nothing measured
  CHECK(out.find("shmkit_segment_") == std::string::npos);

  out.clear();
  render_metrics(out, r, findings, true);
  CHECK(out.find("shmkit_segment_size_bytes{segment=\"posix:/a\\\"b\\\\c\\nd\",type=\"posix\","
                 "owner=\"root\"} 10\n") != std::string::npos);
  CHECK(out.find("shmkit_segment_state{segment=\"posix:/a\\\"b\\\\c\\nd\",type=\"posix\","
                 "owner=\"root\",state=\"orphaned\"} 1\n") != std::string::npos);
  CHECK(out.ends_with("# EOF\n"));
}
