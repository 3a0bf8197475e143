#include "ls_audit.hpp"

#include "json.hpp"
#include "output.hpp"
#include "table.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/housekeeping.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>

namespace shmkit::cli {

namespace {

std::optional<State> state_of(std::string_view word) {
  for (State s : {State::in_use, State::idle, State::orphaned, State::unknown, State::dest})
    if (state_name(s) == word)
      return s;
  return std::nullopt;
}

std::vector<AuditSegment> audit_segments(const Report &report) {
  std::map<uid_t, bool> known;
  std::vector<AuditSegment> segments;
  segments.reserve(report.rows.size());
  for (const ReportRow &row : report.rows) {
    auto [it, inserted] = known.try_emplace(row.uid, true);
    if (inserted)
      it->second = has_passwd_entry(row.uid);
    AuditSegment &s = segments.emplace_back();
    s.segment = row.segment;
    s.kind = row.kind;
    s.mode = row.mode;
    s.uid = row.uid;
    s.owner = row.owner;
    s.owner_known = it->second;
    s.state = state_of(row.state);
    s.ctime = row.ctime;
    s.last_activity = row.last_activity;
    s.unlinked = row.unlinked;
    s.size = row.size;
    s.holders = row.holders;
  }
  return segments;
}

} // namespace

std::vector<Finding> audit_findings(const Report &report, std::chrono::milliseconds grace) {
  const char *env = std::getenv(k_audit_root_env);
  std::string root = env != nullptr ? env : "";
  AuditFacts facts;
  facts.segments = audit_segments(report);
  facts.dev_shm_path = report.dev_shm_path;
  facts.dev_shm_mount = report.dev_shm_mount;
  if (report.limits) {
    facts.limits = report.limits;
    facts.dev_shm_size = report.limits->devshm_total;
    facts.dev_shm_used = report.limits->devshm_used;
  }
  if (auto forced = shm_rmid_forced(system_paths()))
    facts.shm_rmid_forced = *forced;
  facts.logind = read_logind_config(root);
  facts.sys_uid_max = read_sys_uid_max(root);
  facts.now = std::time(nullptr);
  facts.age = std::chrono::duration_cast<std::chrono::seconds>(grace);
  return audit(facts);
}

namespace {

void render_table(std::string &out, const std::vector<Finding> &findings, const ReportFormat &f) {
  if (findings.empty())
    return; // a clean audit prints nothing
  Table table({{"SUBJECT", false}, {"SEVERITY", false}, {"FINDING", false}, {"MESSAGE", false}});
  for (const Finding &finding : findings) {
    table.add_cell(escape_bytes(finding.subject));
    table.add_cell(severity_name(finding.severity));
    table.add_cell(finding.id);
    table.add_cell(escape_message(finding.message));
  }
  table.render(out, f.raw ? TableStyle::raw : TableStyle::aligned, f.headings, f.color && !f.raw);
}

void render_json(std::string &out, const std::vector<Finding> &findings) {
  JsonWriter json(out);
  json.object().key("findings").array(JsonWriter::Layout::lines);
  for (const Finding &finding : findings)
    json.object()
        .text_field("subject", finding.subject)
        .field("severity", severity_name(finding.severity))
        .field("id", finding.id)
        .text_field("message", finding.message)
        .end();
  json.end().end().line();
}

} // namespace

Result<Outcome> run_audit(const ListRequest &request, const ReportFormat &format) {
  auto report = collect_report(request, ReportNeeds{true, true});
  if (!report)
    return std::move(report).error();
  auto findings = audit_findings(*report, request.grace);
  std::string &out = Stdout::get().buffer();
  if (format.json)
    render_json(out, findings);
  else
    render_table(out, findings, format);
  bool serious = std::any_of(findings.begin(), findings.end(),
                             [](const Finding &f) { return f.severity != Severity::info; });
  return serious || !report->listing_ok ? Outcome::failed : Outcome::ok;
}

} // namespace shmkit::cli
