// shmkit create: make one segment of any kind and print its canonical address (shmkit-create(1)).
#include "commands.hpp"
#include "create_input.hpp"
#include "create_plan.hpp"
#include "output.hpp"
#include "target.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/signals.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

namespace shmkit::cli {

namespace {

constexpr OptionSpec k_options[] = {
    {"SEGMENT",
     "What to create: key:N, key:auto, key:private, ftok:PATH[:PROJ], posix:NAME or file:PATH", "",
     Arity::positional},
    {"-s,--size",
     "Size in bytes; K, M, G, ... = 1024^n, KB, MB, ... = 1000^n (default with --from FILE: the "
     "file's size)",
     "SIZE"},
    {"-m,--mode", "Permissions in octal (default 0600)", "MODE"},
    {"--from", "Initial contents from FILE, or - for standard input", "FILE"},
    {"--exist-ok",
     "Accept an existing segment of the same kind that is at least as large (left unchanged)", "",
     Arity::flag},
    {"--hugetlb", "SysV: back the segment with huge pages (SHM_HUGETLB)", "", Arity::flag},
    {"--noreserve", "SysV: reserve no swap space (SHM_NORESERVE)", "", Arity::flag},
    {"--allocate",
     "POSIX/file: allocate every page now, so later writes cannot fail (SIGBUS) on a full "
     "filesystem",
     "", Arity::flag},
};

Error usage(std::string message) { return Error{Errc::invalid_argument, 0, std::move(message)}; }

// "sysv", "posix and file": the kinds that have a trait, for messages.
std::string kinds_with(bool KindTraits::*trait) {
  std::string names;
  for (const KindTraits &traits : kind_traits()) {
    if (!(traits.*trait))
      continue;
    if (!names.empty())
      names += " and ";
    names += kind_name(traits.kind);
  }
  return names;
}

// --hugetlb, --noreserve and --allocate, each for the kinds that take it.
Result<void> plan_flags(const Args &args, CreatePlan &plan) {
  const KindTraits &traits = traits_of(plan.spec.ref.kind);
  plan.spec.hugetlb = args.has("--hugetlb");
  plan.spec.noreserve = args.has("--noreserve");
  plan.spec.allocate = args.has("--allocate");
  if (!traits.takes_hugetlb && (plan.spec.hugetlb || plan.spec.noreserve))
    return usage(fmt::format("{} applies only to {} segments",
                             plan.spec.hugetlb ? "--hugetlb" : "--noreserve",
                             kinds_with(&KindTraits::takes_hugetlb)));
  if (!traits.takes_allocate && plan.spec.allocate)
    return usage(fmt::format("--allocate applies only to {} segments ({} segments: see "
                             "--noreserve)",
                             kinds_with(&KindTraits::takes_allocate),
                             kinds_with(&KindTraits::takes_hugetlb)));
  return {};
}

// --size, --mode and --from.
Result<void> plan_contents(const Args &args, CreatePlan &plan) {
  if (args.has("--size")) {
    auto size = parse_size(args.value("--size"));
    if (!size)
      return usage(std::move(size).error().message);
    plan.size = *size;
  } else if (!args.has("--from")) {
    return usage("--size is required (or --from with a regular file)");
  }
  if (args.has("--from")) {
    if (args.value("--from").empty())
      return usage("invalid --from: empty path (use - for standard input)");
    plan.from = args.value("--from");
  }
  auto mode = parse_mode(args.has("--mode") ? args.value("--mode") : "0600");
  if (!mode)
    return usage(std::move(mode).error().message);
  plan.spec.mode = *mode;
  if (plan.from && (plan.spec.mode & 0200) == 0)
    return usage(
        fmt::format("--from needs a mode the owner can write, not {:04o}", plan.spec.mode));
  const Kind kind = plan.spec.ref.kind;
  if (plan.size && *plan.size > traits_of(kind).max_size)
    return usage(fmt::format("invalid size '{}': too large for a {} segment", args.value("--size"),
                             kind_name(kind)));
  return {};
}

// The size of the new segment, once the input of --from is known: content larger than the
// segment is refused before creating it. Finding that out took the system: a runtime failure.
Result<std::uint64_t> open_input(const CreatePlan &plan, Input &input) {
  // The rule of write: input is never awaited from a terminal (issue 8 defect 19d).
  if (*plan.from == "-" && ::isatty(STDIN_FILENO) == 1)
    return make_error(Errc::not_supported, "--from -: standard input is a terminal (pipe the "
                                           "data in, or give --from FILE)");
  if (auto ok = input.open(*plan.from); !ok)
    return std::move(ok).error();
  if (input.regular) {
    if (!plan.size) {
      if (input.length == 0)
        return make_error(Errc::not_supported, fmt::format("{} is empty: give --size", input.name));
      return input.length;
    }
    if (input.length > *plan.size)
      return make_error(Errc::past_end, fmt::format("{} has {} bytes, more than --size {}",
                                                    input.name, input.length, *plan.size));
    return *plan.size;
  }
  if (!plan.size)
    return make_error(Errc::not_supported,
                      fmt::format("--size is required: {} is not a regular file", input.name));
  if (auto ok = input.stage(*plan.size); !ok) {
    if (ok.error().code == Errc::past_end)
      return make_error(Errc::past_end,
                        fmt::format("{} has more than --size {} bytes", input.name, *plan.size));
    return std::move(ok).error();
  }
  return *plan.size;
}

// Removes a segment this command made, when it cannot be completed; warns when that fails.
void take_back(Backend &backend, const SegmentInfo &info) {
  if (auto removed = backend.remove(info); !removed)
    print_warning(fmt::format("could not remove the new segment {} again: {}",
                              escape_bytes(info.segment), removed.error().message));
}

Result<Outcome> run(const CreatePlan &plan) {
  CreateSpec spec = plan.spec;
  Input input;
  if (plan.from) {
    auto size = open_input(plan, input);
    if (!size)
      return std::move(size).error();
    spec.size = *size;
  } else {
    spec.size = *plan.size;
  }
  // From here until the address is printed, SIGINT, SIGTERM and SIGHUP wait: one that came
  // while the new segment was made or filled takes it back before it is delivered, so that a
  // killed create leaves nothing behind (issue 13 defect F6; shmkit-create(1) SIGNALS).
  // The input of --from that is not a regular file was read above, where they end create at
  // once with nothing made.
  const HeldSignals held;
  // Exclusively first, so that we know whether the segment is ours to fill.
  auto backend = make_backend(spec.ref.kind, system_paths());
  bool fresh = true;
  auto created = backend->create(spec);
  if (!created && created.error().code == Errc::exists && plan.exist_ok) {
    spec.exist_ok = true;
    created = backend->create(spec);
    fresh = false;
  }
  if (!created)
    return std::move(created).error();
  const SegmentInfo &info = *created;
  // Contents, only into a segment we made: --exist-ok leaves an existing one as it is.
  if (fresh && plan.from)
    if (auto ok = fill(*backend, info, input, spec.size); !ok) {
      take_back(*backend, info);
      return std::move(ok).error();
    }
  if (fresh && held.pending()) {
    take_back(*backend, info);
    return Outcome::failed; // the signal, delivered when `held` goes, ends create
  }
  if (fresh && dies_with_creator(info, system_paths()))
    print_warning(fmt::format("kernel.shm_rmid_forced=1: {} will be destroyed when shmkit "
                              "exits, since nothing is attached to it",
                              info.segment));
  // The address is the whole point: if it cannot be written, do not leave the segment behind.
  Stdout &out = Stdout::get();
  out.write(escape_bytes(info.segment));
  out.put('\n');
  out.flush();
  if (fresh && out.failed() && out.error_number() != EPIPE)
    take_back(*backend, info);
  return Outcome::ok; // a write error is reported, with status 1, by main's Stdout::finish()
}


} // namespace

Result<CreatePlan> plan_create(const Args &args) {
  auto ref = parse_address(args.value("SEGMENT"), AddressUse::create);
  if (!ref)
    return usage(std::move(ref).error().message);
  if (auto ok = check_creatable(*ref); !ok)
    return std::move(ok).error();
  CreatePlan plan;
  plan.spec.ref = std::move(*ref);
  plan.exist_ok = args.has("--exist-ok");
  if (auto ok = plan_contents(args, plan); !ok)
    return std::move(ok).error();
  if (auto ok = plan_flags(args, plan); !ok)
    return std::move(ok).error();
  return plan;
}

const Command &create_command() {
  static const Command command{"create", "Create a segment and print its address", k_options,
                               plan_then<plan_create, run>};
  return command;
}

} // namespace shmkit::cli
