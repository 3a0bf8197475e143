// shmkit ls: one table over SysV and POSIX segments (and files named on the command line),
// modelled on lsipc(1): -o/--output, --raw, --json, --export, --noheadings, --bytes, ...
// This file holds the option table and the plan; the columns are ls_columns.hpp, the rows
// ls_rows.hpp, the listing ls_run.hpp, --limits ls_limits.hpp.
#include "commands.hpp"
#include "ls_all.hpp"
#include "ls_columns.hpp"
#include "ls_detail.hpp"
#include "ls_limits.hpp"
#include "ls_metrics.hpp"
#include "ls_rows.hpp"
#include "ls_run.hpp"
#include "ls_watch.hpp"
#include "output.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

// clang-format off
constexpr OptionSpec k_options[] = {
    {"segment", "Only these segments (any address form)", "TEXT", Arity::positionals},
    {"-o,--output", k_output_help, "COLS"},
    {"--noheadings", "Do not print the header line", {}, Arity::flag},
    {"-r,--raw", "Unaligned output, one space between columns", {}, Arity::flag, {}, "--json,--export"},
    {"-J,--json", "JSON output: {\"segments\": [...]}, typed values", {}, Arity::flag, {}, "--raw,--export"},
    {"-e,--export", "Output as KEY=\"value\" pairs", {}, Arity::flag, {}, "--raw,--json"},
    {"-b,--bytes", "Print sizes in bytes, not in human units", {}, Arity::flag},
    {"--numeric-perms", "Print permissions in octal", {}, Arity::flag},
    {"--time-format", "short (default), full or iso", "FORMAT"},
    {"--sort", "Sort by this column", "COL"},
    {"-t,--type", "Only these kinds: sysv,posix,file,memfd (memfd objects are listed only when asked for)", "TYPES"},
    {"-u,--owner", "Only segments owned by this user (name or uid)", "USER"},
    {"-a,--all", "Also show POSIX semaphores and odd /dev/shm entries", {}, Arity::flag},
    {"--limits", "Show system limits and their use instead of segments", {}, Arity::flag, {},
     "segment,--output,--sort,--export"},
    {"--summary", "Totals by type and by owner, and /dev/shm use (replaces ipcs -u)", {},
     Arity::flag, {}, "--output,--sort,--export,--limits,--audit,--openmetrics"},
    {"--audit", "Report risky set-ups and leaks, one line per finding (exit 1 on a warning)", {},
     Arity::flag, {}, "--output,--sort,--export,--limits,--openmetrics"},
    {"--openmetrics", "Totals, states, limits and findings as OpenMetrics text", {}, Arity::flag,
     {}, "--json,--raw,--export,--output,--sort,--limits,--noheadings"},
    {"--per-segment", "With --openmetrics: also one series per segment", {}, Arity::flag,
     "--openmetrics"},
    {"--color", "auto (default), always or never", "WHEN"},
    {"--pid", "Only the segments these processes map or hold (every kind), with PIDS", "PID[,PID...]",
     Arity::one, {}, "segment,--limits"},
    {"--detail", "Every column of one SEGMENT, one per line, then its processes", {}, Arity::flag,
     {}, "--pid,--limits,--output,--sort,--raw,--export"},
    {"--grace", "STATE: how long a segment without users counts as idle after its last activity, "
     "as rm --grace (default 1h; 0s: no wait)", "DURATION"},
    {"-w,--watch", "Print the listing, then one line per change of the set (shmkit-ls(1) WATCHING)",
     {}, Arity::flag, {}, "--sort,--summary,--audit,--openmetrics,--detail,--pid,--limits"},
    {"--interval", "With --watch: how often SysV is listed again, more than 0 (default 1s)", "DUR",
     Arity::one, "--watch"},
    {"--timeout", "With --watch: exit 124 after DUR without another stop", "DUR", Arity::one,
     "--watch"},
    {"--changes", "With --watch: exit 0 after N change events", "N", Arity::one, "--watch"},
    {"-A,--all-namespaces", "Every IPC namespace and /dev/shm that processes use, with IPCNS, "
     "SHMDEV, NSPID, NSCOMM, CONTAINER (shmkit-ls(1) ALL NAMESPACES)", {}, Arity::flag, {},
     "--pid,--detail,--watch,--limits,--summary,--audit,--openmetrics"},
};
// clang-format on

struct LsPlan {
  ListRequest list;
  LimitsFormat limits_format;
};

// --type: a comma-separated list of kind names.
Result<std::vector<Kind>> parse_kinds(std::string_view text) {
  std::vector<Kind> kinds;
  while (true) {
    auto comma = text.find(',');
    std::string_view word = text.substr(0, comma);
    auto traits = kind_traits();
    auto it = std::find_if(traits.begin(), traits.end(),
                           [&](const KindTraits &t) { return word == kind_name(t.kind); });
    if (it == traits.end()) {
      std::string names;
      for (const KindTraits &t : traits)
        names += fmt::format("{}{}", names.empty() ? "" : ", ", kind_name(t.kind));
      return make_error(Errc::invalid_argument,
                        fmt::format("unknown type '{}' (use {})", escape_bytes(word), names));
    }
    if (std::find(kinds.begin(), kinds.end(), it->kind) == kinds.end())
      kinds.push_back(it->kind);
    if (comma == std::string_view::npos)
      return kinds;
    text.remove_prefix(comma + 1);
  }
}

Result<ColorMode> parse_color(std::string_view text) {
  static constexpr std::string_view k_words[] = {"auto", "always", "never"};
  static constexpr ColorMode k_modes[] = {ColorMode::auto_detect, ColorMode::always,
                                          ColorMode::never};
  return parse_choice(text, k_words, k_modes, "--color value");
}

LsMode mode_of(const Args &args) {
  if (args.has("--json"))
    return LsMode::json;
  if (args.has("--export"))
    return LsMode::export_pairs;
  return args.has("--raw") ? LsMode::raw : LsMode::table;
}

// -o, --sort and the text style.
Result<void> plan_format(const Args &args, RowFormat &format) {
  format.mode = mode_of(args);
  format.headings = !args.has("--noheadings");
  format.style.bytes = args.has("--bytes");
  format.style.numeric_perms = args.has("--numeric-perms");
  if (args.has("--time-format")) {
    auto time = parse_time_format(args.value("--time-format"));
    if (!time)
      return std::move(time).error();
    format.style.time = *time;
  }
  const bool every = args.has("--all-namespaces");
  format.columns = every ? namespace_columns() : default_columns();
  // An empty -o or --sort is as if not given (as before issue 9).
  if (!args.value("--output").empty()) {
    auto columns = parse_columns(args.value("--output"), "--output",
                                 every ? format.columns : std::vector<const Column *>{});
    if (!columns)
      return std::move(columns).error();
    format.columns = std::move(*columns);
  }
  if (!args.value("--sort").empty()) {
    auto sort = parse_columns(args.value("--sort"), "--sort");
    if (!sort || sort->size() != 1)
      return make_error(Errc::invalid_argument,
                        sort ? std::string("--sort takes one column") : sort.error().message);
    format.sort = sort->front();
  }
  return {};
}

Result<void> plan_filters(const Args &args, ListRequest &list) {
  if (!args.value("--type").empty()) {
    auto kinds = parse_kinds(args.value("--type"));
    if (!kinds)
      return std::move(kinds).error();
    list.kinds = std::move(*kinds);
  }
  for (const auto &text : args.values("segment")) {
    auto ref = parse_address(text);
    if (!ref)
      return std::move(ref).error();
    list.refs.push_back(std::move(*ref));
  }
  list.format.default_sort = list.refs.empty();
  list.owner = args.value("--owner");
  list.all = args.has("--all");
  if (args.has("--grace")) {
    auto grace = parse_duration(args.value("--grace"), "--grace");
    if (!grace)
      return make_error(Errc::invalid_argument, std::move(grace).error().message);
    list.grace = *grace;
  }
  return {};
}

// --pid: comma-separated process ids, each from 1 (ls_holders.hpp).
Result<std::vector<pid_t>> parse_pids(std::string_view text) {
  std::vector<pid_t> pids;
  while (true) {
    auto comma = text.find(',');
    auto pid = parse_pid(text.substr(0, comma), "--pid");
    if (!pid)
      return std::move(pid).error();
    pids.push_back(*pid);
    if (comma == std::string_view::npos)
      return pids;
    text.remove_prefix(comma + 1);
  }
}

// --pid and --detail (ls_run.hpp, ls_detail.hpp).
Result<void> plan_holders(const Args &args, ListRequest &list) {
  if (args.has("--pid")) {
    auto pids = parse_pids(args.value("--pid"));
    if (!pids)
      return std::move(pids).error();
    list.pids = std::move(*pids);
    // How each is held: PIDS joins the default columns.
    if (args.value("--output").empty())
      list.format.columns.push_back(find_column("pids"));
  }
  if (args.has("--detail") && list.refs.size() != 1)
    return make_error(Errc::invalid_argument,
                      fmt::format("--detail takes one SEGMENT ({} given)", list.refs.size()));
  return {};
}

// -A: not with --target (one process's namespaces against every namespace), and only kinds
// that live in a namespace (KindTraits::scope).
Result<void> plan_all_namespaces(const ListRequest &list) {
  if (requested_target())
    return make_error(Errc::invalid_argument,
                      "--all-namespaces lists every namespace: it cannot be combined with "
                      "--target (use one or the other)");
  if (!list.refs.empty())
    return make_error(Errc::invalid_argument,
                      "--all-namespaces takes no SEGMENT (an address names a segment in one "
                      "namespace: shmkit --target NSPID ls SEGMENT)");
  if (list.kinds.empty())
    return {};
  std::string names;
  for (const KindTraits &t : kind_traits()) {
    if (t.scope == Scope::none || !t.listed_by_default)
      continue;
    if (std::find(list.kinds.begin(), list.kinds.end(), t.kind) != list.kinds.end())
      return {};
    names += fmt::format("{}{}", names.empty() ? "" : " and ", kind_name(t.kind));
  }
  return make_error(Errc::invalid_argument,
                    fmt::format("--all-namespaces lists {} segments: --type names none of them",
                                names));
}

Result<Work> plan(const Args &args) {
  auto p = std::make_shared<LsPlan>();
  if (args.has("--color")) {
    auto color = parse_color(args.value("--color"));
    if (!color)
      return std::move(color).error();
    p->list.color = *color;
  }
  if (auto ok = plan_format(args, p->list.format); !ok)
    return std::move(ok).error();
  if (auto ok = plan_filters(args, p->list); !ok)
    return std::move(ok).error();
  if (auto ok = plan_holders(args, p->list); !ok)
    return std::move(ok).error();
  if (args.has("--all-namespaces")) {
    if (auto ok = plan_all_namespaces(p->list); !ok)
      return std::move(ok).error();
    return Work([p] { return run_all_namespaces(p->list); });
  }
  if (args.has("--watch")) {
    auto watch = plan_ls_watch(args);
    if (!watch)
      return std::move(watch).error();
    return Work([p, w = *watch] { return run_ls_watch(p->list, w); });
  }
  if (args.has("--detail"))
    return Work([p] { return run_detail(p->list); });
  if (args.has("--limits")) {
    const RowFormat &f = p->list.format;
    p->limits_format = {f.mode == LsMode::json, f.mode == LsMode::raw, f.headings, f.style.bytes};
    return Work([p]() -> Result<Outcome> {
      LimitsFormat format = p->limits_format;
      format.color = use_color(p->list.color);
      return print_limits(format);
    });
  }
  if (args.has("--summary") || args.has("--audit") || args.has("--openmetrics")) {
    const RowFormat &f = p->list.format;
    ReportFormat format{f.mode == LsMode::json, f.mode == LsMode::raw, f.headings, f.style.bytes};
    ReportKind kind = args.has("--summary") ? ReportKind::summary
                      : args.has("--audit") ? ReportKind::audit
                                            : ReportKind::metrics;
    bool per_segment = args.has("--per-segment");
    return Work([p, format, kind, per_segment] {
      return run_report(p->list, format, use_color(p->list.color), kind, per_segment);
    });
  }
  return Work([p] { return run_listing(p->list); });
}

} // namespace

const Command &ls_command() {
  static const Command command{"ls", "List shared memory segments of all kinds", k_options, plan};
  return command;
}

} // namespace shmkit::cli
