// shmkit watch: print an event each time a region of a segment changes (shmkit-watch(1)).
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/signals.hpp"
#include "shmkit/typed.hpp"
#include "shmkit/watcher.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <string>

namespace shmkit::cli {

namespace {

constexpr std::string_view k_sub = "watch";
constexpr std::chrono::milliseconds k_default_interval{100};

using Clock = std::chrono::steady_clock;

struct WatchOptions {
  std::string segment;
  std::string offset = "0";
  std::string length;
  std::string interval = "100ms";
  std::string type;
  std::string count;
  std::string endian = "native";
  std::string until;
  std::string changes;
  std::string timeout;
  bool json = false;
  CLI::Option *length_option = nullptr;
  CLI::Option *type_option = nullptr;
  CLI::Option *count_option = nullptr;
  CLI::Option *endian_option = nullptr;
  CLI::Option *until_option = nullptr;
  CLI::Option *changes_option = nullptr;
  CLI::Option *timeout_option = nullptr;
};

// Everything run() needs, parsed and checked before the segment is opened.
struct Plan {
  SegmentRef ref;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
  std::chrono::milliseconds interval = k_default_interval;
  std::optional<ValueType> type;
  Endian endian = Endian::native;
  std::optional<EncodedValue> until;
  std::optional<std::uint64_t> changes;
  std::optional<std::chrono::milliseconds> timeout;
  bool json = false;
};


// Turns the options into a Plan; on a usage error prints it and returns the status.
std::optional<int> make_plan(const WatchOptions &opt, Plan &plan) {
  auto ref = parse_address(opt.segment);
  if (!ref) {
    if (ref.error().code == Errc::invalid_argument || ref.error().code == Errc::out_of_range)
      return usage_error(k_sub, ref.error().message);
    return report(ref.error());
  }
  plan.ref = *ref;
  auto offset = parse_byte_count(opt.offset, "offset");
  if (!offset)
    return usage_error(k_sub, offset.error().message);
  plan.offset = *offset;
  if (given(opt.length_option)) {
    auto length = parse_byte_count(opt.length, "length");
    if (!length)
      return usage_error(k_sub, length.error().message);
    if (*length == 0)
      return usage_error(k_sub, fmt::format("invalid length '{}': must be positive", opt.length));
    plan.length = *length;
  }
  auto interval = parse_duration(opt.interval, "interval");
  if (!interval)
    return usage_error(k_sub, interval.error().message);
  if (interval->count() == 0)
    return usage_error(k_sub, fmt::format("invalid interval '{}': must be positive", opt.interval));
  plan.interval = *interval;
  if (given(opt.timeout_option)) {
    auto timeout = parse_duration(opt.timeout, "timeout");
    if (!timeout)
      return usage_error(k_sub, timeout.error().message);
    if (timeout->count() == 0)
      return usage_error(k_sub, fmt::format("invalid timeout '{}': must be positive", opt.timeout));
    plan.timeout = *timeout;
  }
  if (given(opt.changes_option)) {
    auto changes = parse_uint(opt.changes, "number of changes");
    if (!changes)
      return usage_error(k_sub, changes.error().message);
    if (*changes == 0)
      return usage_error(
          k_sub, fmt::format("invalid number of changes '{}': must be positive", opt.changes));
    plan.changes = *changes;
  }
  plan.json = opt.json;

  if (!given(opt.type_option)) {
    for (const CLI::Option *typed_only : {opt.count_option, opt.endian_option, opt.until_option})
      if (given(typed_only))
        return usage_error(k_sub, fmt::format("{} needs --type", typed_only->get_name()));
    return std::nullopt;
  }
  auto type = parse_value_type(opt.type);
  if (!type)
    return usage_error(k_sub, type.error().message);
  plan.type = *type;
  auto endian = parse_endian(opt.endian);
  if (!endian)
    return usage_error(k_sub, endian.error().message);
  plan.endian = *endian;
  const unsigned width = value_width(*type);
  if (given(opt.count_option)) {
    if (plan.length)
      return usage_error(k_sub, "--count and --length exclude each other");
    auto count = parse_uint(opt.count, "count");
    if (!count)
      return usage_error(k_sub, count.error().message);
    if (*count == 0)
      return usage_error(k_sub, fmt::format("invalid count '{}': must be positive", opt.count));
    if (*count > UINT64_MAX / width)
      return usage_error(k_sub, fmt::format("invalid count '{}': too large", opt.count));
    plan.length = *count * width;
  } else if (plan.length) {
    if (*plan.length % width != 0)
      return usage_error(k_sub, fmt::format("--length {} is not a multiple of the {} size ({} "
                                            "bytes); use --count",
                                            *plan.length, value_type_name(*type), width));
  } else {
    plan.length = width; // one value at --offset
  }
  if (given(opt.until_option)) {
    auto until = encode_value(opt.until, *type, plan.endian);
    if (!until)
      return usage_error(k_sub, until.error().message);
    plan.until = *until;
  }
  return std::nullopt;
}

// When an event was seen, in the two forms printed.
struct Stamp {
  std::string iso;   ///< 2026-05-01T12:00:00.123456Z
  std::string epoch; ///< 1777636800.123456
};

Stamp stamp_now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::gmtime_r(&ts.tv_sec, &tm);
  long micros = ts.tv_nsec / 1000;
  return {fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros),
          fmt::format("{}.{:06}", static_cast<long long>(ts.tv_sec), micros)};
}

void append_hex(std::string &out, std::span<const std::byte> bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  for (std::byte b : bytes) {
    auto u = std::to_integer<unsigned>(b);
    out.push_back(k_digits[u >> 4]);
    out.push_back(k_digits[u & 15]);
  }
}

// A JSON number when the text is one ("-12", "1e+300"); inf and nan become strings.
void append_json_number(std::string &out, const std::string &text) {
  std::size_t digit = !text.empty() && text[0] == '-' ? 1 : 0;
  if (digit < text.size() && text[digit] >= '0' && text[digit] <= '9')
    out += text;
  else
    append_json_string(out, text);
}

class Printer {
public:
  Printer(const Plan &plan, const Watcher &watcher) : m_plan(plan), m_watcher(watcher) {}

  void change(const Stamp &when, const ChangeSet &set, const Change &c) {
    std::string &out = Stdout::get().buffer();
    auto old_bytes = set.old_bytes(c);
    auto new_bytes = set.new_bytes(c);
    if (m_plan.json) {
      head(out, when, "change", c.offset, c.length);
      out += ", \"old\": ";
      value(out, old_bytes);
      out += ", \"new\": ";
      value(out, new_bytes);
      out += "}\n";
    } else {
      fmt::format_to(std::back_inserter(out), "{} change offset={} length={} old=", when.iso,
                     c.offset, c.length);
      value(out, old_bytes);
      out += " new=";
      value(out, new_bytes);
      out += '\n';
    }
    Stdout::get().maybe_flush();
  }

  // truncated, removed, replaced, timeout: the whole region, no values.
  void lifecycle(const Stamp &when, std::string_view event, std::optional<std::uint64_t> size) {
    std::string &out = Stdout::get().buffer();
    if (m_plan.json) {
      head(out, when, event, m_watcher.offset(), m_watcher.length());
      out += ", \"old\": null, \"new\": null";
      if (size)
        fmt::format_to(std::back_inserter(out), ", \"size\": {}", *size);
      out += "}\n";
    } else {
      fmt::format_to(std::back_inserter(out), "{} {} offset={} length={}", when.iso, event,
                     m_watcher.offset(), m_watcher.length());
      if (size)
        fmt::format_to(std::back_inserter(out), " size={}", *size);
      out += '\n';
    }
  }

private:
  void head(std::string &out, const Stamp &when, std::string_view event, std::uint64_t offset,
            std::uint64_t length) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"time\": \"{}\", \"time_epoch\": {}, \"event\": \"{}\", \"offset\": {}, "
                   "\"length\": {}",
                   when.iso, when.epoch, event, offset, length);
  }

  void value(std::string &out, std::span<const std::byte> bytes) {
    if (m_plan.type) {
      std::string text = format_value(bytes, *m_plan.type, m_plan.endian);
      if (m_plan.json)
        append_json_number(out, text);
      else
        out += text;
      return;
    }
    if (m_plan.json)
      out.push_back('"');
    append_hex(out, bytes);
    if (m_plan.json)
      out.push_back('"');
  }

  const Plan &m_plan;
  const Watcher &m_watcher;
};

// True when some element of the watched region holds the --until value.
bool reached(const Plan &plan, std::span<const std::byte> bytes) {
  const unsigned width = value_width(*plan.type);
  for (std::size_t at = 0; at + width <= bytes.size(); at += width)
    if (values_equal(bytes.subspan(at, width), *plan.until))
      return true;
  return false;
}

// One watch, from opening the segment to the exit status. Every step that can take long
// (the first snapshot, each comparison, waiting for the next tick, writing to a pipe that
// nobody reads) gives way to `stop`: a stop signal ends the watch with status 0 and no further
// output, the deadline (--timeout) with a `timeout` event (if standard output takes it at once)
// and status 124.
int watch(Plan &plan, Stopper &stop) {
  Stdout &out = Stdout::get();
  auto backend = make_backend(plan.ref.kind);
  auto opened = backend->open(plan.ref, Access::read_only);
  if (!opened) {
    // Runtime, whatever the Errc: a FIFO planted in /dev/shm is not a usage error.
    print_error(opened.error().message);
    return k_exit_failure;
  }
  const std::string shown = escape_bytes((*opened)->info().segment);
  const std::uint64_t size = (*opened)->size();
  if (!plan.length) {
    if (plan.offset >= size) {
      print_error(fmt::format("offset {} is {} the end of {} ({} bytes): nothing to watch",
                              plan.offset, plan.offset == size ? "at" : "past", shown, size));
      return k_exit_failure;
    }
    plan.length = size - plan.offset;
  }
  const unsigned width = plan.type ? value_width(*plan.type) : 0;
  auto started = Watcher::open(std::move(*opened), plan.offset, *plan.length, width);
  if (!started) {
    if (started.error().code == Errc::no_space)
      print_error(started.error().message + "; watch a part of it with --offset and --length");
    else
      print_error(started.error().message);
    return k_exit_failure;
  }
  Watcher &watcher = *started;
  Printer printer(plan, watcher);

  // The status for the reason `stop` is due.
  auto stopped = [&] {
    if (stop.reason() != StopReason::deadline)
      return k_exit_ok;
    printer.lifecycle(stamp_now(), "timeout", std::nullopt);
    out.flush_if_ready();
    return k_exit_timeout;
  };
  // The event, then the error line, for a segment that changed under the watch.
  auto ended = [&](WatchState state) {
    const Stamp when = stamp_now();
    std::string message;
    switch (state) {
    case WatchState::alive:
    case WatchState::stopped:
      return stopped();
    case WatchState::truncated:
      printer.lifecycle(when, "truncated", watcher.size());
      message = fmt::format("{} was truncated to {} bytes; the watched region ends at {}", shown,
                            watcher.size(), watcher.offset() + watcher.length());
      break;
    case WatchState::removed:
      printer.lifecycle(when, "removed", std::nullopt);
      message = fmt::format("{} was removed", shown);
      break;
    case WatchState::replaced:
      printer.lifecycle(when, "replaced", std::nullopt);
      message = fmt::format("{} was replaced by another object", shown);
      break;
    }
    out.flush();
    if (out.abandoned())
      return stopped();
    print_error(message);
    return k_exit_failure;
  };

  // The first snapshot counts against --timeout and gives way to signals: a 10 GiB sparse
  // region takes seconds to copy.
  auto first = watcher.take_snapshot(&stop);
  if (!first) {
    print_error(first.error().message);
    return k_exit_failure;
  }
  if (*first != WatchState::alive)
    return ended(*first);
  if (plan.until && reached(plan, watcher.snapshot()))
    return k_exit_ok;

  std::uint64_t printed = 0;
  const auto begin = Clock::now();
  // Ticks fall on begin + k * interval: a slow tick does not shift the ones after it.
  auto next = begin + plan.interval;
  for (;;) {
    if (stop.wait_until(next))
      return stopped();
    const auto now = Clock::now();
    while (next <= now)
      next += plan.interval;

    auto state = watcher.poll(&stop);
    if (!state) {
      if (state.error().code == Errc::no_space)
        print_error(state.error().message + "; watch a part of it with --offset and --length");
      else
        print_error(state.error().message);
      return k_exit_failure;
    }
    if (*state != WatchState::alive)
      return ended(*state);
    const Stamp when = stamp_now();
    const ChangeSet &set = watcher.changes();
    for (const Change &c : set.changes()) {
      printer.change(when, set, c);
      if (out.abandoned())
        return stopped();
      ++printed;
      bool done = (plan.until && values_equal(set.new_bytes(c), *plan.until)) ||
                  (plan.changes && printed >= *plan.changes);
      if (done) {
        out.flush();
        return out.abandoned() ? stopped() : k_exit_ok;
      }
    }
    if (!set.empty()) {
      out.flush();
      if (out.abandoned())
        return stopped();
      // Nobody reads any more (| head): stop; main() stays quiet about EPIPE.
      if (out.failed())
        return k_exit_ok;
    }
  }
}

int run(const WatchOptions &opt) {
  const StopSignals signals;
  const auto launched = Clock::now(); // --timeout counts the first snapshot too
  Plan plan;
  if (auto status = make_plan(opt, plan))
    return *status;
  Stopper stop(signals, plan.timeout ? std::optional(launched + *plan.timeout) : std::nullopt);
  // Output waits with `stop` instead of blocking in write(2) until the watch ends; `stop`
  // does not outlive this function, so main()'s final flush writes plainly (nothing is left).
  Stdout &out = Stdout::get();
  struct PlainAgain {
    Stdout &out;
    ~PlainAgain() { out.stop_with(nullptr); }
  } plain_again{out};
  out.stop_with(&stop);
  try {
    int status = watch(plan, stop);
    out.flush();
    return status;
  } catch (const std::bad_alloc &) {
    out.buffer().clear(); // a part of an event line at most
    // The snapshot is checked by Watcher::open; what is left are the event lines of a huge
    // change (twice its size in hex).
    print_error(fmt::format("cannot hold the events of {} in memory: cannot allocate memory; "
                            "watch a part of it with --offset and --length",
                            escape_bytes(opt.segment)));
    return k_exit_failure;
  }
}

} // namespace

Runner register_watch(CLI::App &sub, OptionGate &gate) {
  auto opt = std::make_shared<WatchOptions>();
  sub.add_option("SEGMENT", opt->segment, "The segment to watch (any address form of shmkit(1))")
      ->required()
      ->type_name("");
  if (gate.want("-s,--offset"))
    sub.add_option("-s,--offset", opt->offset, "Start of the region (default 0)")->type_name("OFF");
  if (gate.want("-n,--length")) {
    opt->length_option =
        sub.add_option("-n,--length", opt->length, "Length of the region (default: to the end)")
            ->type_name("LEN");
  }
  if (gate.want("--interval")) {
    sub.add_option("--interval", opt->interval,
                   "Time between comparisons, more than 0 (default 100ms)")
        ->type_name("DUR");
  }
  if (gate.want("-t,--type")) {
    opt->type_option =
        sub.add_option("-t,--type", opt->type,
                       "Watch values of type T: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64")
            ->type_name("T");
  }
  if (gate.want("-c,--count")) {
    opt->count_option = sub.add_option("-c,--count", opt->count, "Number of values to watch (default 1)")
                            ->type_name("N");
  }
  if (gate.want("--endian")) {
    opt->endian_option =
        sub.add_option("--endian", opt->endian, "Byte order of values: little, big, native (default)")
            ->type_name("E");
  }
  if (gate.want("--until")) {
    opt->until_option =
        sub.add_option("--until", opt->until, "Exit 0 once a watched value equals VALUE (typed)")
            ->type_name("VALUE");
  }
  if (gate.want("--changes")) {
    opt->changes_option =
        sub.add_option("--changes", opt->changes, "Exit 0 after N change events")->type_name("N");
  }
  if (gate.want("--timeout")) {
    opt->timeout_option =
        sub.add_option("--timeout", opt->timeout, "Exit 124 after DUR without another stop")
            ->type_name("DUR");
  }
  if (gate.want("-J,--json"))
    sub.add_flag("-J,--json", opt->json, "One JSON object per event and line (NDJSON)");
  set_footer(sub, k_sub);
  return [opt] { return run(*opt); };
}

const Command &watch_command() {
  static const Command command{"watch", "Print an event each time a region of a segment changes", {}, nullptr, register_watch};
  return command;
}

} // namespace shmkit::cli
