// shmkit attach: map a segment and hold it until a signal, a timeout or its removal
// (shmkit-attach(1)).
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/hold.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/signals.hpp"

#include <CLI/CLI.hpp>
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

constexpr std::string_view k_sub = "attach";

// How often the segment is re-checked for removal and truncation: often enough that a
// removal is noticed at once, rare enough to cost nothing (two syscalls).
constexpr std::chrono::milliseconds k_check_every{100};

using Clock = std::chrono::steady_clock;

struct AttachOptions {
  std::string segment;
  std::string timeout;
  bool readonly = false;
  bool lock = false;
  bool prefault = false;
  CLI::Option *timeout_option = nullptr;
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

// Everything after the command line is a runtime failure (status 1), whatever its Errc: an
// empty object or a FIFO in /dev/shm is a fact of the system, not a usage error.
int fail(const Error &error) {
  print_error(error.message);
  return k_exit_failure;
}

int run(const AttachOptions &opt) {
  // Taken synchronously from here on: a SIGTERM right after the line is printed still detaches
  // cleanly.
  const StopSignals signals;

  auto ref = parse_address(opt.segment);
  if (!ref) {
    if (ref.error().code == Errc::invalid_argument || ref.error().code == Errc::out_of_range)
      return usage_error(k_sub, ref.error().message);
    return report(ref.error());
  }
  std::optional<std::chrono::milliseconds> timeout;
  if (given(opt.timeout_option)) {
    auto parsed = parse_duration(opt.timeout, "timeout");
    if (!parsed)
      return usage_error(k_sub, parsed.error().message);
    if (parsed->count() == 0)
      return usage_error(k_sub, fmt::format("invalid timeout '{}': must be positive", opt.timeout));
    timeout = *parsed;
  }
  const auto started = Clock::now();
  // The status line waits for a reader with `stop` instead of blocking in write(2): a full
  // pipe or a terminal paused with Ctrl-S cannot keep attach from a signal or its timeout
  // (issue 8 defect 9).
  Stopper stop(signals, timeout ? std::optional(started + *timeout) : std::nullopt);
  Stdout &out = Stdout::get();
  struct PlainAgain {
    Stdout &out;
    ~PlainAgain() { out.stop_with(nullptr); }
  } plain_again{out};
  out.stop_with(&stop);
  const Access access = opt.readonly ? Access::read_only : Access::read_write;

  auto backend = make_backend(ref->kind);
  auto opened = backend->open(*ref, access);
  if (!opened)
    return fail(opened.error());
  Handle &handle = **opened;
  auto mapped = handle.map(access);
  if (!mapped)
    return fail(mapped.error());
  const Mapping &mapping = *mapped;
  const SegmentInfo &info = handle.info();

  // Declared after the mapping: unlocked before it is unmapped.
  std::optional<PageLock> locked;
  if (opt.lock) {
    auto lock = lock_pages(handle, mapping);
    if (!lock)
      return fail(lock.error());
    locked.emplace(std::move(*lock));
  }
  if (opt.prefault && !locked)
    if (auto ok = prefault(handle, mapping); !ok)
      return fail(ok.error());

  // The canonical address names this very segment (id:N, not a key that may be reused).
  auto canonical = parse_address(escape_bytes(info.segment));
  if (!canonical)
    return fail(canonical.error());
  std::string line =
      fmt::format("{} size={} type={} addr={} pid={}", field(info.segment), info.size,
                  kind_name(info.kind), static_cast<const void *>(mapping.data()), ::getpid());
  if (auto now = backend->stat(*canonical); now && now->nattch)
    line += fmt::format(" nattch={}", *now->nattch);
  line += '\n';
  out.write(line);
  out.flush();
  if (out.abandoned())
    return k_exit_ok; // a stop signal or the timeout came while the line waited for a reader
  // A line that went nowhere is an error (main() reports it); a reader that already left
  // (| head -c0) is not: go on holding.
  if (out.failed() && out.error_number() != EPIPE)
    return k_exit_failure;

  bool told_dest = false;
  for (;;) {
    if (stop.wait_until(Clock::now() + k_check_every))
      return k_exit_ok; // a stop signal, or the timeout
    auto live = handle.check();
    if (!live)
      return fail(live.error());
    switch (*live) {
    case Liveness::alive:
      continue;
    case Liveness::truncated:
      // Nothing here touches the pages, so a shrink cannot raise SIGBUS; but the holder of a
      // mapping that now reaches past the end is exactly what the user wanted to know about.
      if (handle.size() >= mapping.size())
        continue;
      print_error(fmt::format("{} shrank from {} to {} bytes while attached", field(info.segment),
                              mapping.size(), handle.size()));
      return k_exit_failure;
    case Liveness::removed: {
      // A SysV segment marked for removal lives on while attached, and Linux still lets others
      // attach it by id: holding it is what keeps it alive, so go on holding.
      auto now = backend->stat(*canonical);
      if (now && now->dest) {
        if (!told_dest)
          print_warning(fmt::format("{} was marked for removal; it is destroyed when the last "
                                    "process detaches",
                                    field(info.segment)));
        told_dest = true;
        continue;
      }
      print_warning(fmt::format("{} was removed; detaching", field(info.segment)));
      return k_exit_ok;
    }
    case Liveness::replaced:
      print_warning(
          fmt::format("{} was replaced by another object; detaching", field(info.segment)));
      return k_exit_ok;
    }
  }
}

} // namespace

Runner register_attach(CLI::App &sub, OptionGate &gate) {
  auto opt = std::make_shared<AttachOptions>();
  sub.add_option("SEGMENT", opt->segment, "The segment to hold (any address form of shmkit(1))")
      ->required()
      ->type_name("");
  if (gate.want("--readonly")) {
    sub.add_flag("--readonly", opt->readonly,
                 "Map read-only (needs only read permission); default: read-write");
  }
  if (gate.want("--lock")) {
    sub.add_flag("--lock", opt->lock,
                 "Pin the pages: SHM_LOCK for SysV, mlock(2) for POSIX/file; fails (status 1) "
                 "when not permitted");
  }
  if (gate.want("--prefault")) {
    sub.add_flag("--prefault", opt->prefault,
                 "Read every page once, so that the whole segment is resident");
  }
  if (gate.want("--timeout")) {
    opt->timeout_option =
        sub.add_option("--timeout", opt->timeout, "Detach and exit 0 after DUR (100ms, 2s, 1m)")
            ->type_name("DUR");
  }
  set_footer(sub, k_sub);
  return [opt] { return run(*opt); };
}

const Command &attach_command() {
  static const Command command{"attach", "Map a segment and hold it until a signal, timeout or removal", {}, nullptr, register_attach};
  return command;
}

} // namespace shmkit::cli
