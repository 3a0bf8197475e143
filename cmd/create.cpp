// shmkit create: make one segment of any kind and print its canonical address (shmkit-create(1)).
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/staging.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

constexpr std::string_view k_sub = "create";
constexpr std::size_t k_chunk = std::size_t{1} << 20;

struct CreateOptions {
  std::string segment;
  std::string size;
  std::string mode = "0600";
  std::string from;
  bool exist_ok = false;
  bool hugetlb = false;
  bool noreserve = false;
  bool allocate = false;
  CLI::Option *size_option = nullptr; ///< to tell --size "" from no --size
  CLI::Option *from_option = nullptr;
};

// The input of --from. A regular file is streamed into the new segment after creating it (its
// size is known, and it may be large); anything else (a pipe, a device) is staged whole first
// by write's reader, Staging::read_fd, so that input larger than --size is refused before
// anything is created, and running out of memory is a message, never an abort (issue 8
// defects 10 and 19d). Closes an fd it opened (never stdin).
class Input {
public:
  Input() = default;
  Input(const Input &) = delete;
  Input &operator=(const Input &) = delete;
  ~Input() {
    if (m_owned && m_fd >= 0)
      ::close(m_fd);
  }

  std::string name;         ///< for messages: the escaped path, or "standard input"
  bool regular = false;     ///< a regular file: streamed after creation
  std::uint64_t length = 0; ///< regular: bytes left from the current offset
  Staging staged;           ///< otherwise: read completely before anything is created

  Result<void> open(const std::string &path) {
    if (path == "-") {
      m_fd = STDIN_FILENO;
      name = "standard input";
    } else {
      name = escape_bytes(path);
      m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (m_fd < 0)
        return from_errno(errno, fmt::format("cannot open {}", name));
      m_owned = true;
    }
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
      return from_errno(errno, fmt::format("cannot stat {}", name));
    if (S_ISDIR(st.st_mode))
      return make_error(Errc::io, fmt::format("cannot read {}: is a directory", name));
    regular = S_ISREG(st.st_mode);
    if (regular) {
      off_t at = ::lseek(m_fd, 0, SEEK_CUR);
      at = at < 0 ? 0 : at;
      length = st.st_size > at ? static_cast<std::uint64_t>(st.st_size - at) : 0;
    }
    return {};
  }

  /// Reads up to out.size() bytes; 0 at the end.
  Result<std::size_t> read_some(std::span<std::byte> out) {
    for (;;) {
      ssize_t n = ::read(m_fd, out.data(), out.size());
      if (n >= 0)
        return static_cast<std::size_t>(n);
      if (errno != EINTR)
        return from_errno(errno, fmt::format("cannot read {}", name));
    }
  }

  /// Stages everything, at most `limit` bytes: out_of_range when there is more.
  Result<void> stage(std::uint64_t limit) {
    auto read = Staging::read_fd(m_fd, limit, name);
    if (!read)
      return std::move(read).error();
    staged = std::move(*read);
    return {};
  }

private:
  int m_fd = -1;
  bool m_owned = false;
};

// The address printed back by ls/create is accepted by parse_address(); escaping first keeps a
// literal backslash in a name from being decoded as an escape.
Result<SegmentRef> ref_of(const SegmentInfo &info) {
  return parse_address(escape_bytes(info.segment));
}

// Writes the initial contents into a segment created a moment ago.
Result<void> fill(Backend &backend, const SegmentInfo &info, Input &input, std::uint64_t size) {
  auto ref = ref_of(info);
  if (!ref)
    return std::move(ref).error();
  auto handle = backend.open(*ref, Access::read_write);
  if (!handle)
    return std::move(handle).error();
  if (!input.regular)
    return (*handle)->write_at(0, input.staged.bytes());
  std::vector<std::byte> chunk(k_chunk);
  std::uint64_t offset = 0;
  for (;;) {
    auto n = input.read_some(chunk);
    if (!n)
      return std::move(n).error();
    if (*n == 0)
      return {};
    if (*n > size - offset)
      return make_error(
          Errc::out_of_range,
          fmt::format("{} grew while being read: more than the size {}", input.name, size));
    if (auto ok = (*handle)->write_at(offset, std::span(chunk).first(*n)); !ok)
      return ok;
    offset += *n;
  }
}

int run(const CreateOptions &opt) {
  // 1. The whole command line, before anything is touched.
  auto ref = parse_address(opt.segment, AddressUse::create);
  if (!ref) {
    const Error &error = ref.error();
    if (error.code == Errc::invalid_argument || error.code == Errc::out_of_range)
      return usage_error(k_sub, error.message);
    return report(error);
  }
  if (ref->by == SegmentRef::By::id)
    return usage_error(k_sub, fmt::format("cannot create {}: the kernel chooses ids; use key:N, "
                                          "key:auto, key:private or ftok:PATH",
                                          ref->to_string()));
  CreateSpec spec;
  spec.ref = *ref;
  const bool from = given(opt.from_option);
  std::optional<std::uint64_t> size;
  if (given(opt.size_option)) {
    auto parsed = parse_size(opt.size);
    if (!parsed)
      return usage_error(k_sub, parsed.error().message);
    size = *parsed;
  } else if (!from) {
    return usage_error(k_sub, "--size is required (or --from with a regular file)");
  }
  if (from && opt.from.empty())
    return usage_error(k_sub, "invalid --from: empty path (use - for standard input)");
  // The rule of write: input is never awaited from a terminal (issue 8 defect 19d).
  if (from && opt.from == "-" && ::isatty(STDIN_FILENO) == 1)
    return usage_error(k_sub, "--from -: standard input is a terminal (pipe the data in, or "
                              "give --from FILE)");
  auto mode = parse_mode(opt.mode);
  if (!mode)
    return usage_error(k_sub, mode.error().message);
  spec.mode = *mode;
  const bool sysv = ref->kind == Kind::sysv;
  if (!sysv && (opt.hugetlb || opt.noreserve))
    return usage_error(k_sub, fmt::format("{} applies only to sysv segments",
                                          opt.hugetlb ? "--hugetlb" : "--noreserve"));
  if (sysv && opt.allocate)
    return usage_error(k_sub, "--allocate applies only to posix and file segments (sysv "
                              "segments: see --noreserve)");
  if (ref->kind == Kind::posix && ref->text.starts_with("sem."))
    return usage_error(k_sub, fmt::format("cannot create {}: names starting with 'sem.' belong "
                                          "to POSIX semaphores",
                                          ref->to_string()));
  if (from && (spec.mode & 0200) == 0)
    return usage_error(
        k_sub, fmt::format("--from needs a mode the owner can write, not {:04o}", spec.mode));
  // off_t is signed: a POSIX object or file cannot be larger than 8 EiB - 1.
  if (!sysv && size && *size > static_cast<std::uint64_t>(INT64_MAX))
    return usage_error(k_sub, fmt::format("invalid size '{}': too large for a {} segment", opt.size,
                                          kind_name(ref->kind)));
  spec.hugetlb = opt.hugetlb;
  spec.noreserve = opt.noreserve;
  spec.allocate = opt.allocate;

  // 2. The input, so that content larger than the segment is refused before creating it.
  Input input;
  if (from) {
    if (auto ok = input.open(opt.from); !ok)
      return report(ok.error());
    if (input.regular) {
      if (!size) {
        if (input.length == 0)
          return usage_error(k_sub, fmt::format("{} is empty: give --size", input.name));
        size = input.length;
      } else if (input.length > *size) {
        return usage_error(k_sub, fmt::format("{} has {} bytes, more than --size {}", input.name,
                                              input.length, *size));
      }
    } else {
      if (!size)
        return usage_error(k_sub,
                           fmt::format("--size is required: {} is not a regular file", input.name));
      if (auto ok = input.stage(*size); !ok) {
        if (ok.error().code == Errc::past_end) {
          print_error(fmt::format("{} has more than --size {} bytes", input.name, *size));
          return k_exit_failure; // it took reading the input to know (issue 9)
        }
        return report(ok.error());
      }
    }
  }
  spec.size = *size;

  // 3. Create (exclusively first, so that we know whether the segment is ours to fill).
  auto backend = make_backend(ref->kind);
  bool fresh = true;
  auto created = backend->create(spec);
  if (!created && created.error().code == Errc::exists && opt.exist_ok) {
    spec.exist_ok = true;
    created = backend->create(spec);
    fresh = false;
  }
  if (!created)
    return report(created.error());
  const SegmentInfo &info = *created;
  auto undo = [&](const Error &error) {
    if (auto removed = backend->remove(info); !removed)
      print_warning(fmt::format("could not remove the new segment {} again: {}",
                                escape_bytes(info.segment), removed.error().message));
    print_error(error.message);
    return k_exit_failure;
  };

  // 4. Contents, only into a segment we made: --exist-ok leaves an existing one as it is.
  if (fresh && from)
    if (auto ok = fill(*backend, info, input, spec.size); !ok)
      return undo(ok.error());

  if (fresh && sysv)
    if (auto forced = shm_rmid_forced(Paths{}); forced && *forced)
      print_warning(fmt::format("kernel.shm_rmid_forced=1: {} will be destroyed when shmkit "
                                "exits, since nothing is attached to it",
                                info.segment));

  // 5. The address is the whole point: if it cannot be written, do not leave the segment behind.
  Stdout &out = Stdout::get();
  out.write(escape_bytes(info.segment));
  out.put('\n');
  out.flush();
  if (fresh && out.failed() && out.error_number() != EPIPE)
    if (auto removed = backend->remove(info); !removed)
      print_warning(fmt::format("could not remove the new segment {} again: {}",
                                escape_bytes(info.segment), removed.error().message));
  return k_exit_ok;
}

} // namespace

Runner register_create(CLI::App &sub, OptionGate &gate) {
  auto opt = std::make_shared<CreateOptions>();
  sub.add_option("SEGMENT", opt->segment,
                 "What to create: key:N, key:auto, key:private, ftok:PATH[:PROJ], posix:NAME or "
                 "file:PATH")
      ->required()
      ->type_name("");
  if (gate.want("-s,--size")) {
    opt->size_option =
        sub.add_option("-s,--size", opt->size,
                       "Size in bytes; K, M, G, ... = 1024^n, KB, MB, ... = 1000^n (default with "
                       "--from FILE: the file's size)")
            ->type_name("SIZE");
  }
  if (gate.want("-m,--mode"))
    sub.add_option("-m,--mode", opt->mode, "Permissions in octal (default 0600)")->type_name("MODE");
  if (gate.want("--from")) {
    opt->from_option =
        sub.add_option("--from", opt->from, "Initial contents from FILE, or - for standard input")
            ->type_name("FILE");
  }
  if (gate.want("--exist-ok")) {
    sub.add_flag("--exist-ok", opt->exist_ok,
                 "Accept an existing segment of the same kind that is at least as large (left "
                 "unchanged)");
  }
  if (gate.want("--hugetlb"))
    sub.add_flag("--hugetlb", opt->hugetlb, "SysV: back the segment with huge pages (SHM_HUGETLB)");
  if (gate.want("--noreserve"))
    sub.add_flag("--noreserve", opt->noreserve, "SysV: reserve no swap space (SHM_NORESERVE)");
  if (gate.want("--allocate")) {
    sub.add_flag("--allocate", opt->allocate,
                 "POSIX/file: allocate every page now, so later writes cannot fail (SIGBUS) on a "
                 "full filesystem");
  }
  set_footer(sub, k_sub);
  return [opt] { return run(*opt); };
}

const Command &create_command() {
  static const Command command{"create", "Create a segment and print its address", {}, nullptr, register_create};
  return command;
}

} // namespace shmkit::cli
