#include "ls_metrics.hpp"

#include "json.hpp"
#include "ls_audit.hpp"
#include "output.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

namespace shmkit::cli {

namespace {

// The length of the valid UTF-8 sequence at the start of s, 0 when it is not one.
std::size_t utf8_length(std::string_view s) {
  auto lead = static_cast<unsigned char>(s.front());
  std::size_t n = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xe  ? 3
                  : (lead >> 3) == 0x1e ? 4
                                        : 0;
  return n != 0 && n <= s.size() && is_valid_utf8(s.substr(0, n)) ? n : 0;
}

void family(std::string &out, std::string_view name, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
}

// One sample: NAME{LABELS} VALUE; `labels` is already escaped ("" for none).
void sample(std::string &out, std::string_view name, std::string_view labels,
            std::string_view value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

void sample(std::string &out, std::string_view name, std::string_view labels, std::uint64_t value) {
  sample(out, name, labels, std::string_view(std::to_string(value)));
}

// name="value" (escaped), after a comma when `labels` is not empty.
void add_label(std::string &labels, std::string_view name, std::string_view value) {
  if (!labels.empty())
    labels += ',';
  labels += name;
  labels += "=\"";
  append_label_value(labels, value);
  labels += '"';
}

std::string ratio_text(std::uint64_t used, std::uint64_t limit) {
  return fmt::format("{}", static_cast<double>(used) / static_cast<double>(limit));
}

struct TotalMetric {
  std::string_view name; ///< after shmkit_ or shmkit_owner_
  std::string_view help;
  std::optional<std::uint64_t> (*get)(const Totals &);
};

constexpr TotalMetric k_totals[] = {
    {"segments", "Shared memory segments",
     [](const Totals &t) { return std::optional(t.segments); }},
    {"size_bytes", "Total size of the segments",
     [](const Totals &t) { return std::optional(t.size); }},
    {"allocated_bytes", "Allocated memory (SysV: the size in whole pages, as ipcs -u counts)",
     [](const Totals &t) { return std::optional(t.alloc); }},
    {"resident_bytes", "Resident memory of the segments that could be measured",
     [](const Totals &t) { return t.rss; }},
    {"swapped_bytes", "Swapped-out memory of the segments that could be measured",
     [](const Totals &t) { return t.swap; }},
    {"unmeasured_segments", "Segments whose resident or swapped memory the kernel would not give",
     [](const Totals &t) { return std::optional(t.unmeasured); }},
};

void render_totals(std::string &out, const Report &r) {
  std::string name, labels;
  for (const TotalMetric &m : k_totals) {
    name = fmt::format("shmkit_{}", m.name);
    family(out, name, fmt::format("{}, by type.", m.help));
    for (const auto &[type, t] : r.types)
      if (auto v = m.get(t)) {
        labels.clear();
        add_label(labels, "type", type);
        sample(out, name, labels, *v);
      }
  }
  for (const TotalMetric &m : k_totals) {
    name = fmt::format("shmkit_owner_{}", m.name);
    family(out, name, fmt::format("{}, by owner.", m.help));
    for (const auto &[uid, owner] : r.owners)
      if (auto v = m.get(owner.second)) {
        labels.clear();
        add_label(labels, "owner", owner.first);
        add_label(labels, "uid", std::to_string(uid));
        sample(out, name, labels, *v);
      }
  }
}

void render_states(std::string &out, const Report &r) {
  family(out, "shmkit_state_segments", "Segments by STATE (shmkit-ls(1) STATE, with --grace).");
  std::string labels;
  for (std::string_view state : state_words()) {
    auto it = r.states.find(std::string(state));
    labels.clear();
    add_label(labels, "state", state);
    sample(out, "shmkit_state_segments", labels, it == r.states.end() ? 0 : it->second);
  }
}

void render_limits_metrics(std::string &out, const Limits &l) {
  family(out, "shmkit_sysv_segments_limit", "SHMMNI: the most SysV segments the kernel allows.");
  sample(out, "shmkit_sysv_segments_limit", "", l.shmmni);
  family(out, "shmkit_sysv_segments_used", "SysV segments in use, counted against SHMMNI.");
  sample(out, "shmkit_sysv_segments_used", "", l.used_ids);
  family(out, "shmkit_sysv_pages_limit", "SHMALL: the most SysV shared memory pages.");
  sample(out, "shmkit_sysv_pages_limit", "", l.shmall);
  family(out, "shmkit_sysv_pages_used", "SysV shared memory pages in use, against SHMALL.");
  sample(out, "shmkit_sysv_pages_used", "", l.used_pages);
  family(out, "shmkit_sysv_segment_max_bytes", "SHMMAX: the largest SysV segment.");
  sample(out, "shmkit_sysv_segment_max_bytes", "", l.shmmax);
  family(out, "shmkit_sysv_limit_use_ratio", "Share of a SysV limit in use (0 to 1).");
  if (l.shmmni > 0)
    sample(out, "shmkit_sysv_limit_use_ratio", "limit=\"shmmni\"",
           ratio_text(l.used_ids, l.shmmni));
  if (l.shmall > 0)
    sample(out, "shmkit_sysv_limit_use_ratio", "limit=\"shmall\"",
           ratio_text(l.used_pages, l.shmall));
}

void render_dev_shm(std::string &out, const Report &r) {
  const Limits *l = r.limits ? &*r.limits : nullptr;
  std::string labels;
  add_label(labels, "path", r.dev_shm_path);
  struct Row {
    std::string_view name, help;
    std::optional<std::uint64_t> value;
  };
  const Row rows[] = {
      {"shmkit_devshm_size_bytes", "Size of the /dev/shm filesystem.",
       l ? l->devshm_total : std::nullopt},
      {"shmkit_devshm_used_bytes", "Bytes used on /dev/shm.", l ? l->devshm_used : std::nullopt},
      {"shmkit_devshm_avail_bytes", "Bytes still available on /dev/shm.",
       l ? l->devshm_avail : std::nullopt},
  };
  for (const Row &row : rows) {
    family(out, row.name, row.help);
    if (row.value)
      sample(out, row.name, labels, *row.value);
  }
  family(out, "shmkit_devshm_use_ratio", "Share of /dev/shm in use (0 to 1).");
  if (l && l->devshm_total && l->devshm_used && *l->devshm_total > 0)
    sample(out, "shmkit_devshm_use_ratio", labels, ratio_text(*l->devshm_used, *l->devshm_total));
}

void render_findings(std::string &out, const std::vector<Finding> &findings) {
  family(out, "shmkit_audit_findings", "Findings of shmkit ls --audit, by severity.");
  std::string labels;
  for (Severity s : {Severity::info, Severity::warning, Severity::critical}) {
    std::uint64_t n = 0;
    for (const Finding &f : findings)
      n += f.severity == s ? 1 : 0;
    labels.clear();
    add_label(labels, "severity", severity_name(s));
    sample(out, "shmkit_audit_findings", labels, n);
  }
}

std::string segment_labels(const ReportRow &row) {
  std::string labels;
  add_label(labels, "segment", row.segment);
  // The exact bytes of an address that is not valid UTF-8 (U+FFFD stands in the label).
  if (!is_valid_utf8(row.segment))
    add_label(labels, "segment_hex", to_hex(row.segment));
  add_label(labels, "type", row.type);
  add_label(labels, "owner", row.owner);
  return labels;
}

void render_segments(std::string &out, const Report &r) {
  std::vector<std::string> labels;
  labels.reserve(r.rows.size());
  for (const ReportRow &row : r.rows)
    labels.push_back(segment_labels(row));
  struct Series {
    std::string_view name, help;
    std::optional<std::uint64_t> (*get)(const ReportRow &);
  };
  static constexpr Series k_series[] = {
      {"shmkit_segment_size_bytes", "Size of one segment.",
       [](const ReportRow &s) { return std::optional(s.size); }},
      {"shmkit_segment_allocated_bytes", "Allocated bytes of one POSIX or file segment.",
       [](const ReportRow &s) { return s.alloc; }},
      {"shmkit_segment_resident_bytes", "Resident memory of one segment.",
       [](const ReportRow &s) { return s.rss; }},
      {"shmkit_segment_swapped_bytes", "Swapped-out memory of one segment.",
       [](const ReportRow &s) { return s.swap; }},
      {"shmkit_segment_attaches", "Attaches (SysV) or mapping processes of one segment.",
       [](const ReportRow &s) { return s.nattch; }},
  };
  for (const Series &series : k_series) {
    family(out, series.name, series.help);
    for (std::size_t i = 0; i < r.rows.size(); ++i)
      if (auto v = series.get(r.rows[i]))
        sample(out, series.name, labels[i], *v);
  }
  family(out, "shmkit_segment_state", "1 for the STATE of one segment.");
  for (std::size_t i = 0; i < r.rows.size(); ++i)
    if (!r.rows[i].state.empty()) {
      std::string with_state = labels[i];
      add_label(with_state, "state", r.rows[i].state);
      sample(out, "shmkit_segment_state", with_state, std::uint64_t{1});
    }
}

} // namespace

void append_label_value(std::string &out, std::string_view value) {
  while (!value.empty()) {
    std::size_t n = utf8_length(value);
    if (n == 0) {
      out += "\xef\xbf\xbd"; // U+FFFD
      n = 1;
    } else if (value.front() == '\\') {
      out += "\\\\";
    } else if (value.front() == '"') {
      out += "\\\"";
    } else if (value.front() == '\n') {
      out += "\\n";
    } else {
      out += value.substr(0, n);
    }
    value.remove_prefix(n);
  }
}

void render_metrics(std::string &out, const Report &report, const std::vector<Finding> &findings,
                    bool per_segment) {
  render_totals(out, report);
  render_states(out, report);
  if (report.limits)
    render_limits_metrics(out, *report.limits);
  render_dev_shm(out, report);
  render_findings(out, findings);
  if (per_segment)
    render_segments(out, report);
  out += "# EOF\n";
}

Result<Outcome> run_metrics(const ListRequest &request, bool per_segment) {
  auto report = collect_report(request, ReportNeeds{true, true});
  if (!report)
    return std::move(report).error();
  auto findings = audit_findings(*report, request.grace);
  render_metrics(Stdout::get().buffer(), *report, findings, per_segment);
  return report->listing_ok ? Outcome::ok : Outcome::failed;
}

Result<Outcome> run_report(const ListRequest &request, ReportFormat format, bool color,
                           ReportKind kind, bool per_segment) {
  format.color = color;
  switch (kind) {
  case ReportKind::summary:
    return run_summary(request, format);
  case ReportKind::audit:
    return run_audit(request, format);
  case ReportKind::metrics:
    break;
  }
  return run_metrics(request, per_segment);
}

} // namespace shmkit::cli
