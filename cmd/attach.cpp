// shmkit attach: map a segment and hold it until a signal, a timeout or its removal
// (shmkit-attach(1)).
#include "commands.hpp"
#include "output.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/hold.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/signals.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace shmkit::cli {

namespace {

// How often the segment is re-checked for removal and truncation: often enough that a
// removal is noticed at once, rare enough to cost nothing (two syscalls).
constexpr std::chrono::milliseconds k_check_every{100};

using Clock = std::chrono::steady_clock;

constexpr OptionSpec k_options[] = {
    {"SEGMENT", "The segment to hold (any address form of shmkit(1))", "", Arity::positional},
    {"--readonly", "Map read-only (needs only read permission); default: read-write", "",
     Arity::flag},
    {"--lock",
     "Pin the pages: SHM_LOCK for SysV, mlock(2) for POSIX/file; fails (status 1) when not "
     "permitted",
     "", Arity::flag},
    {"--prefault", "Read every page once, so that the whole segment is resident", "",
     Arity::flag},
    {"--timeout", "Detach and exit 0 after DUR (100ms, 2s, 1m)", "DUR"},
};

struct Plan {
  SegmentRef ref;
  Access access = Access::read_write;
  bool lock = false;
  bool prefault = false;
  std::optional<std::chrono::milliseconds> timeout;
};

// The address as printed in the line: escaped like ls --raw, so that it has no spaces and
// parse_address() reads it back.
std::string field(std::string_view raw) {
  std::string out;
  for (char c : escape_bytes(raw)) {
    if (c == ' ')
      out += "\\x20";
    else
      out.push_back(c);
  }
  return out;
}

// Re-checks the segment until a stop signal or the deadline (Outcome::ok), or until it is
// gone (ok, with a warning) or shrank (an error).
Result<Outcome> hold(Backend &backend, Handle &handle, const Mapping &mapping,
                     const SegmentRef &canonical, Stopper &stop) {
  const SegmentInfo &info = handle.info();
  bool told_dest = false;
  for (;;) {
    if (stop.wait_until(Clock::now() + k_check_every))
      return Outcome::ok; // a stop signal, or the timeout
    auto live = handle.check();
    if (!live)
      return std::move(live).error();
    switch (*live) {
    case Liveness::alive:
      continue;
    case Liveness::truncated:
      // Nothing here touches the pages, so a shrink cannot raise SIGBUS; but the holder of a
      // mapping that now reaches past the end is exactly what the user wanted to know about.
      if (handle.size() >= mapping.size())
        continue;
      return make_error(Errc::changed,
                        fmt::format("{} shrank from {} to {} bytes while attached",
                                    field(info.segment), mapping.size(), handle.size()));
    case Liveness::removed: {
      // A SysV segment marked for removal lives on while attached, and Linux still lets others
      // attach it by id: holding it is what keeps it alive, so go on holding.
      auto now = backend.stat(canonical);
      if (now && now->dest) {
        if (!told_dest)
          print_warning(fmt::format("{} was marked for removal; it is destroyed when the last "
                                    "process detaches",
                                    field(info.segment)));
        told_dest = true;
        continue;
      }
      print_warning(fmt::format("{} was removed; detaching", field(info.segment)));
      return Outcome::ok;
    }
    case Liveness::replaced:
      print_warning(
          fmt::format("{} was replaced by another object; detaching", field(info.segment)));
      return Outcome::ok;
    }
  }
}

// The status line: "ADDRESS size=N type=T addr=0x... pid=P [nattch=N]".
std::string status_line(Backend &backend, const SegmentInfo &info, const Mapping &mapping,
                        const SegmentRef &canonical) {
  std::string line =
      fmt::format("{} size={} type={} addr={} pid={}", field(info.segment), info.size,
                  kind_name(info.kind), static_cast<const void *>(mapping.data()), ::getpid());
  if (auto now = backend.stat(canonical); now && now->nattch)
    line += fmt::format(" nattch={}", *now->nattch);
  line += '\n';
  return line;
}

Result<Outcome> run(const Plan &plan) {
  // Taken synchronously from here on: a SIGTERM right after the line is printed still detaches
  // cleanly.
  const StopSignals signals;
  const auto started = Clock::now();
  // The status line waits for a reader with `stop` instead of blocking in write(2): a full
  // pipe or a terminal paused with Ctrl-S cannot keep attach from a signal or its timeout
  // (issue 8 defect 9).
  Stopper stop(signals, plan.timeout ? std::optional(started + *plan.timeout) : std::nullopt);
  Stdout &out = Stdout::get();
  const StopScope stop_scope(stop);

  auto backend = make_backend(plan.ref.kind, system_paths());
  auto opened = backend->open(plan.ref, plan.access);
  if (!opened)
    return std::move(opened).error();
  Handle &handle = **opened;
  auto mapped = handle.map(plan.access);
  if (!mapped)
    return std::move(mapped).error();
  const Mapping &mapping = *mapped;
  // Declared after the mapping: unlocked before it is unmapped.
  std::optional<PageLock> locked;
  if (plan.lock) {
    auto lock = lock_pages(handle, mapping);
    if (!lock)
      return std::move(lock).error();
    locked.emplace(std::move(*lock));
  }
  if (plan.prefault && !locked)
    if (auto ok = prefault(handle, mapping); !ok)
      return std::move(ok).error();
  // The canonical address names this very segment (id:N, not a key that may be reused).
  auto canonical = parse_address(escape_bytes(handle.info().segment));
  if (!canonical)
    return std::move(canonical).error();
  out.write(status_line(*backend, handle.info(), mapping, *canonical));
  out.flush();
  if (out.abandoned())
    return Outcome::ok; // a stop signal or the timeout came while the line waited for a reader
  // A line that went nowhere is an error (main() reports it); a reader that already left
  // (| head -c0) is not: go on holding.
  if (out.failed() && out.error_number() != EPIPE)
    return Outcome::failed;
  return hold(*backend, handle, mapping, *canonical, stop);
}

Result<Plan> plan_attach(const Args &args) {
  Plan plan;
  auto ref = parse_address(args.value("SEGMENT"));
  if (!ref)
    return std::move(ref).error();
  plan.ref = std::move(*ref);
  if (args.has("--timeout")) {
    auto parsed = parse_duration(args.value("--timeout"), "timeout");
    if (!parsed)
      return std::move(parsed).error();
    if (parsed->count() == 0)
      return make_error(Errc::invalid_argument, fmt::format("invalid timeout '{}': must be positive",
                                                            args.value("--timeout")));
    plan.timeout = *parsed;
  }
  plan.access = args.has("--readonly") ? Access::read_only : Access::read_write;
  plan.lock = args.has("--lock");
  plan.prefault = args.has("--prefault");
  return plan;
}

} // namespace

const Command &attach_command() {
  static const Command command{"attach", "Map a segment and hold it until a signal, timeout or removal",
                               k_options, plan_then<plan_attach, run>};
  return command;
}

} // namespace shmkit::cli
