#include "ls_watch.hpp"

#include "ls_holders.hpp"
#include "output.hpp"
#include "stop_options.hpp"
#include "target.hpp"
#include "watch_events.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/set_watch.hpp"
#include "shmkit/signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <iterator>

namespace shmkit::cli {

namespace {

using Clock = std::chrono::steady_clock;

// The position of a kind in listing order, for the order of the first listing in NDJSON.
std::size_t kind_rank(Kind kind) {
  auto traits = kind_traits();
  for (std::size_t i = 0; i < traits.size(); ++i)
    if (traits[i].kind == kind)
      return i;
  return traits.size();
}

// The filters of ls that the listings do not apply themselves.
struct Filter {
  const ListRequest &request;
  std::optional<uid_t> owner;

  bool passes(const SegmentInfo &s) const {
    const auto &kinds = request.kinds;
    return (request.all || !request.refs.empty() || s.oddity == Oddity::none) &&
           (!owner || s.uid == *owner) &&
           (kinds.empty() || std::find(kinds.begin(), kinds.end(), s.kind) != kinds.end());
  }
  // A change is shown when the segment passes before or after it (chown out of --owner).
  bool passes(const SetChange &c) const {
    return passes(c.info) || (c.before && passes(*c.before));
  }
};

// The lines of ls --watch: the first listing as ls prints it (as NDJSON `listed` events with
// --json, then a `ready` event), then one line per change: TIME EVENT and the -o cells, the
// same with TIME= and EVENT= in --export, or an NDJSON object of the ls --json fields plus
// time, time_epoch and event.
class Lines {
public:
  explicit Lines(const ListRequest &request) : m_request(request), m_format(request.format) {}

  void listing(std::vector<SegmentInfo> rows, RowContext &ctx) {
    if (m_format.mode != LsMode::json) {
      RowSink sink(m_format, ctx);
      for (const SegmentInfo &s : rows)
        sink.add(s);
      sink.render(Stdout::get().buffer(), use_color(m_request.color));
      return;
    }
    if (m_format.default_sort)
      std::stable_sort(rows.begin(), rows.end(), [](const SegmentInfo &a, const SegmentInfo &b) {
        if (a.kind != b.kind)
          return kind_rank(a.kind) < kind_rank(b.kind);
        if (traits_of(a.kind).ordered_by_id)
          return a.id.value_or(0) < b.id.value_or(0);
        return a.name.value_or("") < b.name.value_or("");
      });
    const Stamp when = stamp_now();
    for (const SegmentInfo &s : rows)
      row(when, "listed", s, ctx);
    marker(when, "ready");
  }

  void row(const Stamp &when, std::string_view event, const SegmentInfo &s, RowContext &ctx) {
    std::string &out = Stdout::get().buffer();
    if (m_format.mode == LsMode::json) {
      JsonWriter json(out);
      head(json, when, event);
      for (const Column *c : m_format.columns)
        write_cell_json(json, *c, c->read(s, ctx));
      write_row_target(json);
      json.end().line();
    } else {
      const bool pairs = m_format.mode == LsMode::export_pairs;
      start(out, when, event);
      for (const Column *c : m_format.columns) {
        out += ' ';
        m_cell.clear();
        append_cell_text(m_cell, *c, c->read(s, ctx), m_format.style);
        if (pairs) {
          out += c->header;
          out += "=\"";
          append_export_value(out, m_cell);
          out += '"';
        } else {
          out += m_cell;
        }
      }
      out += '\n';
    }
    Stdout::get().maybe_flush();
  }

  // A line without a segment: `ready` (NDJSON only), `timeout`.
  void marker(const Stamp &when, std::string_view event) {
    std::string &out = Stdout::get().buffer();
    if (m_format.mode == LsMode::json) {
      JsonWriter json(out);
      head(json, when, event);
      json.end().line();
    } else if (event != "ready") {
      start(out, when, event);
      out += '\n';
    }
  }

private:
  static void head(JsonWriter &json, const Stamp &when, std::string_view event) {
    json.object().field("time", when.iso);
    json.key("time_epoch").number_text(when.epoch);
    json.field("event", event);
  }
  void start(std::string &out, const Stamp &when, std::string_view event) const {
    if (m_format.mode == LsMode::export_pairs)
      fmt::format_to(std::back_inserter(out), "TIME=\"{}\" EVENT=\"{}\"", when.iso, event);
    else
      fmt::format_to(std::back_inserter(out), "{} {}", when.iso, event);
  }

  const ListRequest &m_request;
  const RowFormat &m_format;
  std::string m_cell;
};

// Whether a cell of these columns reads the /proc scan's open fds, not just the mappings
// (as visit_listing decides).
bool needs_fds(const RowFormat &format) {
  return std::any_of(format.columns.begin(), format.columns.end(),
                     [](const Column *c) { return c->needs_users && c->name != "nattch"; });
}

// One ls --watch from the first listing to the outcome. Every wait gives way to `stop`: a stop
// signal ends it with status 0, the deadline with a `timeout` event and 124, as in watch.
class Session {
public:
  Session(const ListRequest &request, const LsWatchPlan &plan, Stopper &stop, int signal_fd)
      : m_request(request), m_plan(plan), m_stop(stop), m_signal_fd(signal_fd), m_lines(request) {}

  Result<Outcome> run(const Filter &filter) {
    SetWatchOptions options;
    options.kinds = m_request.kinds;
    options.refs = m_request.refs;
    options.interval = m_plan.interval;
    options.needs = listing_needs(m_request.format);
    options.paths = system_paths();
    auto watcher = SetWatcher::start(std::move(options));
    if (!watcher)
      return std::move(watcher).error();
    warn(**watcher);
    std::vector<SegmentInfo> rows;
    for (const SegmentInfo &s : (*watcher)->initial())
      if (filter.passes(s))
        rows.push_back(s);
    m_ctx = context();
    m_lines.listing(std::move(rows), m_ctx);
    for (;;) {
      m_out.flush();
      if (m_out.abandoned())
        return stopped();
      if (m_out.failed()) // nobody reads any more (| head): stop; main() stays quiet
        return Outcome::ok;
      auto changes = (*watcher)->next(m_stop, m_signal_fd);
      if (!changes)
        return std::move(changes).error();
      warn(**watcher);
      if (changes->empty())
        return stopped();
      if (auto done = print(*changes, filter))
        return *done;
    }
  }

private:
  // A fresh context (so a new /proc scan, for NATTCH of POSIX objects, PIDS, STATE) at most
  // once per --interval: a scan of every process costs milliseconds, more than finding and
  // printing a change, and a stream of changes must not turn into a stream of scans.
  RowContext context() {
    RowContext ctx;
    ctx.grace = m_request.grace;
    ctx.warned_unreadable = m_ctx.warned_unreadable; // a watch warns once
    scan_fds_too(ctx, needs_fds(m_request.format));
    m_made = Clock::now();
    return ctx;
  }

  void warn(SetWatcher &watcher) {
    for (const auto &w : watcher.take_warnings())
      print_warning(w);
  }

  // Prints a batch of changes; an outcome once --changes events were printed.
  std::optional<Outcome> print(const std::vector<SetChange> &changes, const Filter &filter) {
    const Stamp when = stamp_now();
    if (Clock::now() - m_made >= m_plan.interval)
      m_ctx = context();
    for (const SetChange &c : changes) {
      if (!filter.passes(c))
        continue;
      m_lines.row(when, set_event_name(c.event), c.info, m_ctx);
      if (m_plan.changes && ++m_printed >= *m_plan.changes) {
        m_out.flush();
        return m_out.abandoned() ? stopped() : Outcome::ok;
      }
    }
    return std::nullopt;
  }

  // The outcome for the reason `stop` is due.
  Outcome stopped() {
    if (m_stop.reason() != StopReason::deadline)
      return Outcome::ok;
    m_lines.marker(stamp_now(), "timeout");
    m_out.flush_if_ready();
    return Outcome::timeout;
  }

  const ListRequest &m_request;
  const LsWatchPlan &m_plan;
  Stopper &m_stop;
  int m_signal_fd;
  Lines m_lines;
  RowContext m_ctx;
  Clock::time_point m_made; ///< when m_ctx was made
  Stdout &m_out = Stdout::get();
  std::uint64_t m_printed = 0;
};

} // namespace

Result<LsWatchPlan> plan_ls_watch(const Args &args) {
  LsWatchPlan plan;
  auto stops = parse_stop_options(args);
  if (!stops)
    return std::move(stops).error();
  plan.interval = stops->interval.value_or(plan.interval);
  plan.timeout = stops->timeout;
  plan.changes = stops->changes;
  return plan;
}

// The watch with its stop conditions in charge: signals are blocked, and output (errors too)
// waits with the Stopper instead of blocking in write(2), so every failure is printed here,
// while the Stopper still is (as watch does).
Result<Outcome> run_ls_watch(const ListRequest &request, const LsWatchPlan &plan) {
  std::optional<uid_t> owner;
  if (!request.owner.empty()) {
    auto uid = lookup_uid(request.owner);
    if (!uid)
      return std::move(uid).error();
    owner = *uid;
  }
  ListRequest req = request;
  req.format.style.now = std::time(nullptr);
  const StopSignals signals;
  const auto launched = Clock::now();
  Stopper stop(signals, plan.timeout ? std::optional(launched + *plan.timeout) : std::nullopt);
  Stdout &out = Stdout::get();
  const StopScope stop_scope(stop);
  Session session(req, plan, stop, signals.fd());
  auto outcome = session.run(Filter{req, owner});
  out.flush();
  if (outcome)
    return *outcome;
  print_error(outcome.error().message);
  return Outcome::failed;
}

} // namespace shmkit::cli
