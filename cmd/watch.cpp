// shmkit watch: print an event each time a region of a segment changes (shmkit-watch(1)).
// The event lines are formatted in watch_events.cpp.
#include "commands.hpp"
#include "layout_option.hpp"
#include "open_segment.hpp"
#include "output.hpp"
#include "stop_options.hpp"
#include "watch_plan.hpp"

#include "shmkit/parse.hpp"
#include "shmkit/signals.hpp"
#include "shmkit/typed.hpp"
#include "shmkit/watcher.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <new>
#include <optional>
#include <string>

namespace shmkit::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr OptionSpec k_options[] = {
    {k_segment_arg, "The segment to watch (any address form of shmkit(1))", "SEGMENT",
     Arity::positional},
    {"-s,--offset", "Start of the region (default 0)", "OFF"},
    {"-n,--length", "Length of the region (default: to the end)", "LEN"},
    {"--interval", "Time between comparisons, more than 0 (default 100ms)", "DUR"},
    {"-t,--type", "Watch values of type T: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64", "T"},
    {"--layout", "Watch the fields of a C struct: DECLS, or @FILE (shmkit-read(1) LAYOUTS)",
     "DECLS", Arity::one, {}, "--type,--length"},
    {"--struct", "With --layout: the struct NAME among several", "NAME", Arity::one,
     "--layout"},
    {"-c,--count", "Number of values (--type) or records (--layout) to watch (default 1)", "N",
     Arity::one, {}, "--length"},
    {"--endian", "Byte order of values: little, big, native (default)", "E"},
    {"--until", "Exit 0 once a watched value equals VALUE (--type), or FIELD=VALUE (--layout; "
                "also !=, <, >, <=, >=)",
     "VALUE"},
    {"--changes", "Exit 0 after N change events", "N"},
    {"--timeout", "Exit 124 after DUR without another stop", "DUR"},
    {"-J,--json", "One JSON object per event and line (NDJSON)", {}, Arity::flag},
};

// With --type: the region holds whole values, one by default; --until is encoded.
Result<void> plan_values(const Args &args, WatchPlan &plan) {
  SegmentOptions &seg = plan.segment;
  const unsigned width = value_width(*seg.type);
  if (seg.count)
    seg.length = seg.typed_length();
  else if (!seg.length)
    seg.length = width; // one value at --offset
  else if (*seg.length % width != 0)
    return make_error(Errc::invalid_argument,
                      fmt::format("--length {} is not a multiple of the {} size ({} bytes); use "
                                  "--count",
                                  *seg.length, value_type_name(*seg.type), width));
  if (args.has("--until")) {
    auto until = encode_value(args.value("--until"), *seg.type, seg.endian);
    if (!until)
      return std::move(until).error();
    plan.until = *until;
  }
  return {};
}

// With --layout: the region is --count records (one by default) from --offset; --until names
// a field.
Result<void> plan_layout(const Args &args, WatchPlan &plan) {
  auto layout = parse_layout_option(args);
  if (!layout)
    return std::move(layout).error();
  plan.layout = std::move(**layout);
  SegmentOptions &seg = plan.segment;
  auto records = plan_layout_records(*plan.layout, seg, args);
  if (!records)
    return std::move(records).error();
  plan.records = *records;
  if (args.has("--until")) {
    auto until = parse_field_until(args.value("--until"), *plan.layout, plan.records);
    if (!until)
      return std::move(until).error();
    plan.field_until = std::move(*until);
  }
  return {};
}

// --count, --endian and --until describe values: of --type or of --layout.
Result<void> check_value_options(const Args &args) {
  if (args.has("--type") || args.has("--layout"))
    return {};
  for (std::string_view name : {"--count", "--endian", "--until"})
    if (args.has(name))
      return make_error(Errc::invalid_argument,
                        fmt::format("{} needs --type or --layout", name));
  return {};
}

// The error of a region too large to hold in memory, with what to do about it.
Error with_hint(Error error) {
  if (error.code == Errc::no_space)
    error.message += "; watch a part of it with --offset and --length";
  return error;
}

// True when some element of the watched region holds the --until value.
bool reached(const WatchPlan &plan, std::span<const std::byte> bytes) {
  const unsigned width = value_width(*plan.segment.type);
  for (std::size_t at = 0; at + width <= bytes.size(); at += width)
    if (values_equal(bytes.subspan(at, width), *plan.until))
      return true;
  return false;
}

// One watch of an open region, from the first snapshot to the outcome. Every step that can
// take long (the first snapshot, each comparison, waiting for the next tick, writing to a pipe
// that nobody reads) gives way to `stop`: a stop signal ends the watch with status 0 and no
// further output, the deadline (--timeout) with a `timeout` event (if standard output takes it
// at once) and status 124.
class Session {
public:
  Session(const WatchPlan &plan, Stopper &stop, Watcher &watcher, std::string shown)
      : m_plan(plan), m_stop(stop), m_watcher(watcher), m_printer(plan.format, watcher),
        m_shown(std::move(shown)) {
    if (plan.layout)
      m_fields.emplace(*plan.layout, plan.records, plan.segment.offset);
  }

  Result<Outcome> run() {
    // The first snapshot counts against --timeout and gives way to signals: a 10 GiB sparse
    // region takes seconds to copy.
    auto first = m_watcher.take_snapshot(&m_stop);
    if (!first)
      return std::move(first).error();
    if (*first != WatchState::alive)
      return ended(*first);
    if (m_fields) {
      m_fields->start(m_watcher.snapshot());
      if (m_plan.field_until && m_fields->reached(*m_plan.field_until, m_plan.segment.endian))
        return Outcome::ok;
    }
    if (m_plan.until && reached(m_plan, m_watcher.snapshot()))
      return Outcome::ok;
    // Ticks fall on begin + k * interval: a slow tick does not shift the ones after it.
    auto next = Clock::now() + m_plan.interval;
    for (;;) {
      if (m_stop.wait_until(next))
        return stopped();
      const auto now = Clock::now();
      while (next <= now)
        next += m_plan.interval;
      auto state = m_watcher.poll(&m_stop);
      if (!state)
        return with_hint(std::move(state).error());
      if (*state != WatchState::alive)
        return ended(*state);
      if (auto done = print_changes())
        return *done;
    }
  }

private:
  // The outcome for the reason `stop` is due.
  Outcome stopped() {
    if (m_stop.reason() != StopReason::deadline)
      return Outcome::ok;
    m_printer.lifecycle(stamp_now(), "timeout", std::nullopt);
    m_out.flush_if_ready();
    return Outcome::timeout;
  }

  // The event, then the error, for a segment that changed under the watch.
  Result<Outcome> ended(WatchState state) {
    const Stamp when = stamp_now();
    std::string message;
    switch (state) {
    case WatchState::alive:
    case WatchState::stopped:
      return stopped();
    case WatchState::truncated:
      m_printer.lifecycle(when, "truncated", m_watcher.size());
      message = fmt::format("{} was truncated to {} bytes; the watched region ends at {}",
                            m_shown, m_watcher.size(), m_watcher.offset() + m_watcher.length());
      break;
    case WatchState::removed:
      m_printer.lifecycle(when, "removed", std::nullopt);
      message = fmt::format("{} was removed", m_shown);
      break;
    case WatchState::replaced:
      m_printer.lifecycle(when, "replaced", std::nullopt);
      message = fmt::format("{} was replaced by another object", m_shown);
      break;
    }
    m_out.flush();
    if (m_out.abandoned())
      return stopped();
    return make_error(Errc::changed, std::move(message));
  }

  // After one event: whether --until or --changes ends the watch, and how.
  std::optional<Outcome> after_event(bool until_reached) {
    if (m_out.abandoned())
      return stopped();
    ++m_printed;
    if (!until_reached && !(m_plan.changes && m_printed >= *m_plan.changes))
      return std::nullopt;
    m_out.flush();
    return m_out.abandoned() ? stopped() : Outcome::ok;
  }

  // The changes of the last poll by field (--layout); an outcome when the watch is over.
  std::optional<Outcome> print_field_changes(const ChangeSet &set) {
    const Stamp when = stamp_now();
    const Endian endian = m_plan.segment.endian;
    for (const FieldChange &c : m_fields->changed(set)) {
      m_printer.field_change(when, m_fields->path(c), m_fields->offset(c), *c.field,
                             m_fields->old_record(c.record), m_fields->new_record(c.record));
      const bool until = m_plan.field_until && m_fields->reached(*m_plan.field_until, c, endian);
      if (auto done = after_event(until))
        return done;
    }
    m_fields->commit();
    return std::nullopt;
  }

  // Prints the changes of the last poll; an outcome when the watch is over.
  std::optional<Outcome> print_changes() {
    const Stamp when = stamp_now();
    const ChangeSet &set = m_watcher.changes();
    if (m_fields) {
      if (auto done = print_field_changes(set))
        return done;
    } else {
      for (const Change &c : set.changes()) {
        m_printer.change(when, set, c);
        const bool until = m_plan.until && values_equal(set.new_bytes(c), *m_plan.until);
        if (auto done = after_event(until))
          return done;
      }
    }
    if (set.empty())
      return std::nullopt;
    m_out.flush();
    if (m_out.abandoned())
      return stopped();
    // Nobody reads any more (| head): stop; main() stays quiet about EPIPE.
    if (m_out.failed())
      return Outcome::ok;
    return std::nullopt;
  }

  const WatchPlan &m_plan;
  Stopper &m_stop;
  Watcher &m_watcher;
  EventPrinter m_printer;
  std::string m_shown;
  Stdout &m_out = Stdout::get();
  std::uint64_t m_printed = 0;
  std::optional<FieldTracker> m_fields; ///< with --layout
};

// Opens the segment, checks the region and watches it.
Result<Outcome> watch(const WatchPlan &plan, Stopper &stop) {
  const SegmentOptions &seg = plan.segment;
  auto opened = open_segment(seg.ref, Access::read_only);
  if (!opened)
    return std::move(opened).error();
  if (plan.layout)
    if (auto fits = check_layout_fits(*plan.layout, plan.records, seg.offset, opened->size,
                                      opened->shown);
        !fits)
      return std::move(fits).error();
  auto length = fit_region(*opened, seg.offset, seg.length);
  if (!length)
    return std::move(length).error();
  const unsigned width = seg.type ? value_width(*seg.type) : 0;
  auto started = Watcher::open(std::move(opened->handle), seg.offset, *length, width);
  if (!started)
    return with_hint(std::move(started).error());
  Session session(plan, stop, *started, std::move(opened->shown));
  return session.run();
}

// The watch with its stop conditions in charge: signals are blocked and output (errors too)
// waits with the Stopper instead of blocking in write(2) until the watch ends, so every
// failure is printed here, while the Stopper still is.
Outcome run_watch(const WatchPlan &plan) {
  const StopSignals signals;
  const auto launched = Clock::now(); // --timeout counts the first snapshot too
  Stopper stop(signals, plan.timeout ? std::optional(launched + *plan.timeout) : std::nullopt);
  // `stop` does not outlive this function, so main()'s final flush writes plainly (nothing
  // is left).
  Stdout &out = Stdout::get();
  const StopScope stop_scope(stop);
  try {
    auto outcome = watch(plan, stop);
    out.flush();
    if (outcome)
      return *outcome;
    print_error(outcome.error().message);
  } catch (const std::bad_alloc &) {
    out.buffer().clear(); // a part of an event line at most
    // The snapshot is checked by Watcher::open; what is left are the event lines of a huge
    // change (twice its size in hex).
    print_error(fmt::format("cannot hold the events of {} in memory: cannot allocate memory; "
                            "watch a part of it with --offset and --length",
                            escape_bytes(plan.address)));
  }
  return Outcome::failed;
}


} // namespace

Result<WatchPlan> plan_watch(const Args &args) {
  WatchPlan plan;
  auto seg = parse_segment_options(args);
  if (!seg)
    return std::move(seg).error();
  plan.segment = std::move(*seg);
  plan.address = args.value(k_segment_arg);
  auto stops = parse_stop_options(args);
  if (!stops)
    return std::move(stops).error();
  plan.interval = stops->interval.value_or(plan.interval);
  plan.timeout = stops->timeout;
  plan.changes = stops->changes;
  plan.format = {args.count("--json") > 0, plan.segment.type, plan.segment.endian};
  if (auto checked = check_value_options(args); !checked)
    return std::move(checked).error();
  if (plan.segment.type)
    if (auto planned = plan_values(args, plan); !planned)
      return std::move(planned).error();
  if (args.has("--layout"))
    if (auto planned = plan_layout(args, plan); !planned)
      return std::move(planned).error();
  return plan;
}

const Command &watch_command() {
  static const Command command{"watch", "Print an event each time a region of a segment changes",
                               k_options, plan_then<plan_watch, run_watch>};
  return command;
}

} // namespace shmkit::cli
