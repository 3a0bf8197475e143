// shmkit write: bytes from stdin, a string, hex, a file, typed values, a fill byte or zeros,
// written at an offset of a segment (shmkit-write(1)).
//
// A write is bounds-checked before its first byte: input of unknown length (a pipe) is staged
// in memory first (Staging::read_fd, the one input reader, shared with `create --from`), never
// more than the room from the offset to the end plus one byte, so input that does not fit
// fails with the segment unchanged. The staged bytes then go in with one Handle::write_at
// (pwrite for POSIX objects and files, so a full tmpfs gives ENOSPC and not SIGBUS; a copy
// into the read-write attach for SysV). write_values.cpp plans; this file runs the plan.
#include "commands.hpp"
#include "open_segment.hpp"
#include "output.hpp"
#include "write_plan.hpp"

#include "shmkit/backend.hpp"
#include "shmkit/signals.hpp"
#include "shmkit/staging.hpp"
#include "shmkit/typed.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <span>

namespace shmkit::cli {

namespace {

constexpr OptionSpec k_options[] = {
    {k_segment_arg, "The segment (any address form of shmkit(1))", "SEGMENT", Arity::positional},
    {"values", "Values for --type (with --cas: NEW)", "VALUE", Arity::positionals},
    {"-s,--offset", "Write at byte OFF (default 0)", "OFF"},
    {"-d,--data", "Write the bytes of STRING (no NUL is added)", "STRING", Arity::one, {},
     "--hex,--file,--type,--fill,--zero"},
    {"-x,--hex", "Write bytes given as hex digit pairs (\"de ad be ef\")", "HEX", Arity::one, {},
     "--file,--type,--fill,--zero"},
    {"--file", "Write the contents of a file", "PATH", Arity::one, {}, "--type,--fill,--zero"},
    {"-t,--type",
     "Write the VALUEs as type T: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64", "T",
     Arity::one, {}, "--fill,--zero"},
    {"--endian", "Byte order of --type values: little, big or native (default)", "ORDER",
     Arity::one, "--type"},
    {"--fill", "Write LEN copies of BYTE (0..255, or 0xHH)", "BYTE", Arity::one, "--length",
     "--zero"},
    {"--zero", "Write zeros: LEN bytes, or to the end of the segment", {}, Arity::flag},
    {"-n,--length", "Bytes to write with --fill or --zero", "LEN"},
    {"--grow", "Extend a POSIX object or file to fit (SysV sizes are fixed)", {}, Arity::flag},
    {"--atomic", "Store one naturally aligned --type value with one atomic store", {},
     Arity::flag, "--type"},
    {"--cas",
     "Compare-and-swap: store the VALUE NEW if the --type value is EXPECTED, else exit 1 and "
     "print the value found",
     "EXPECTED", Arity::one, {}, "--add,--or,--and,--xor,--atomic,--grow,--verbose"},
    {"--add", "Atomically add N (negative subtracts) to the --type value; print the previous value",
     "N", Arity::one, {}, "--or,--and,--xor,--atomic,--grow,--verbose"},
    {"--or", "Atomically OR MASK into the --type value; print the previous value", "MASK",
     Arity::one, {}, "--and,--xor,--atomic,--grow,--verbose"},
    {"--and", "Atomically AND the --type value with MASK; print the previous value", "MASK",
     Arity::one, {}, "--xor,--atomic,--grow,--verbose"},
    {"--xor", "Atomically XOR MASK into the --type value; print the previous value", "MASK",
     Arity::one, {}, "--atomic,--grow,--verbose"},
    {"--layout",
     "Write fields of a C struct by name (--set or --field): DECLS, or @FILE (shmkit-write(1) "
     "LAYOUTS)",
     "DECLS", Arity::one, {}, "--data,--hex,--file,--type,--fill,--zero,--atomic,--grow"},
    {"--struct", "With --layout: the struct NAME among several", "NAME", Arity::one, "--layout"},
    {"--set", "With --layout: set FIELD to VALUE (repeatable)", "FIELD=VALUE", Arity::many,
     "--layout", "--field,--cas,--add,--or,--and,--xor"},
    {"--field", "With --layout: the field NAME for --cas, --add, --or, --and or --xor", "NAME",
     Arity::one, "--layout"},
    {"-v,--verbose", "Report the number of bytes written, and any --grow", {}, Arity::flag},
};

// The largest size a growing object may reach (off_t is signed).
constexpr std::uint64_t k_max_end = static_cast<std::uint64_t>(INT64_MAX);

// The bytes to write: complete before anything is written, or, for input whose length is
// known before the first byte is read (a regular file), streamed once the bounds are checked.
struct Input {
  Staging staged;
  std::span<const std::byte> bytes;
  std::uint64_t size = 0;
  std::unique_ptr<InputFile> stream; ///< streamed instead of `bytes` when set
};

// The value of a typed source as the integer whose native store puts its bytes in place.
std::uint64_t native_bits(std::span<const std::byte> bytes) {
  std::uint8_t v8 = 0;
  std::uint16_t v16 = 0;
  std::uint32_t v32 = 0;
  std::uint64_t v64 = 0;
  switch (bytes.size()) {
  case 1:
    std::memcpy(&v8, bytes.data(), 1);
    return v8;
  case 2:
    std::memcpy(&v16, bytes.data(), 2);
    return v16;
  case 4:
    std::memcpy(&v32, bytes.data(), 4);
    return v32;
  default:
    std::memcpy(&v64, bytes.data(), 8);
    return v64;
  }
}

Error too_large(const WritePlan &plan, const OpenSegment &segment, std::uint64_t room) {
  return make_error(Errc::past_end,
                    fmt::format("input is larger than the {} bytes from offset {} to the end of "
                                "{} (size {} bytes); nothing was written",
                                room, plan.segment.offset, segment.shown, segment.size));
}

// Standard input or --file. A regular file's length is known before its first byte: checked
// against the room up front, then streamed, with no staging. Any other input (a pipe) is read
// whole first, at most `room` bytes, by the one input reader (Staging::read_fd), so that input
// too large for the room leaves the segment unchanged.
Result<Input> read_input(const WritePlan &plan, const OpenSegment &segment, std::uint64_t room) {
  auto file = plan.source == WriteSource::file ? InputFile::open(plan.file)
                                               : Result<InputFile>(InputFile::standard_input());
  if (!file)
    return std::move(file).error();
  Input input;
  if (auto known = file->known_length()) {
    if (*known > room)
      return too_large(plan, segment, room);
    input.size = *known;
    input.stream = std::make_unique<InputFile>(std::move(*file));
    return input;
  }
  auto read = file->stage(room);
  if (!read)
    return read.error().code == Errc::past_end ? too_large(plan, segment, room)
                                               : std::move(read).error();
  input.staged = std::move(*read);
  input.bytes = input.staged.bytes();
  input.size = input.bytes.size();
  return input;
}

// The bytes of the plan's source. `room` is what fits from the offset on.
Result<Input> gather(const WritePlan &plan, const OpenSegment &segment, std::uint64_t room) {
  const std::uint64_t offset = plan.segment.offset;
  switch (plan.source) {
  case WriteSource::standard_input:
  case WriteSource::file:
    return read_input(plan, segment, room);
  case WriteSource::fill:
  case WriteSource::zero: {
    // LEN bytes, or zeros to the end.
    Input input;
    input.size = plan.segment.length.value_or(offset < segment.size ? segment.size - offset : 0);
    if (input.size > room)
      return input; // refused by the bounds check
    auto made = plan.source == WriteSource::fill ? Staging::filled(input.size, plan.fill)
                                                 : Staging::zeros(input.size);
    if (!made)
      return std::move(made).error();
    input.staged = std::move(*made);
    input.bytes = input.staged.bytes();
    return input;
  }
  case WriteSource::data:
  case WriteSource::hex:
  case WriteSource::typed:
    break;
  }
  return Input{{}, plan.bytes, plan.bytes.size(), nullptr};
}

// Writes the input at the offset, growing the segment first when it must; a failed write
// restores the old size. Returns whether it grew; input.size becomes what was written.
Result<bool> put(const WritePlan &plan, OpenSegment &segment, Input &input) {
  Handle &handle = *segment.handle;
  const std::uint64_t offset = plan.segment.offset;
  const std::uint64_t end = offset + input.size;
  const bool grew = end > segment.size;
  if (grew)
    if (auto resized = handle.resize(end); !resized)
      return std::move(resized).error();
  Result<void> written;
  if (input.stream) {
    auto streamed = input.stream->stream_to(handle, offset, input.size);
    if (streamed)
      input.size = *streamed;
    else
      written = std::move(streamed).error();
  } else if (plan.atomic)
    written = handle.store_atomic(offset, native_bits(input.bytes),
                                  value_width(*plan.segment.type));
  else
    written = handle.write_at(offset, input.bytes);
  if (!written) {
    if (grew)
      (void)handle.resize(segment.size); // leave the segment as it was
    return std::move(written).error();
  }
  return grew;
}

// A region that does not fit. With --grow, the segment's size is fixed (SysV): its backend
// says why it cannot grow.
// (Asked only of a fixed-size segment, which never resizes.)
Error refused(const WritePlan &plan, OpenSegment &segment, std::uint64_t size, Error error) {
  if (!plan.grow || !traits_of(plan.segment.ref.kind).fixed_size)
    return error;
  const std::uint64_t offset = plan.segment.offset;
  auto resized = segment.handle->resize(size > UINT64_MAX - offset ? UINT64_MAX : offset + size);
  return resized ? error : std::move(resized).error();
}

// Whether the segment is still the one opened and still holds the region, asked after a pipe
// was read into memory (when = before: nothing is written yet) and after the bytes went in
// (when = after). Another process may remove, replace or truncate it meanwhile; writing on
// would put the bytes where nobody finds them, or make a truncated object grow back without
// --grow (issue 13 defect F4). A check that cannot be made (IPC_STAT needs read
// permission) says nothing; a SysV segment that was already marked for removal when opened
// may still be written (processes that attach it by id see the bytes).
enum class When { before, after };
std::optional<Error> vanished(OpenSegment &segment, std::uint64_t end, bool growable, When when) {
  Handle &handle = *segment.handle;
  auto live = handle.check();
  if (!live)
    return std::nullopt;
  const bool before = when == When::before;
  switch (*live) {
  case Liveness::alive:
    return std::nullopt;
  case Liveness::removed:
    if (handle.info().dest)
      return std::nullopt;
    return make_error(
        Errc::changed,
        before ? fmt::format("cannot write {}: it was removed while the input was read; "
                             "nothing was written",
                             segment.shown)
               : fmt::format("{} was removed while it was being written: only processes that "
                             "still have it can see the bytes",
                             segment.shown));
  case Liveness::replaced:
    return make_error(
        Errc::changed,
        before ? fmt::format("cannot write {}: it was replaced by another object while the "
                             "input was read; nothing was written",
                             segment.shown)
               : fmt::format("{} was replaced by another object while it was being written: the "
                             "bytes went to the old object",
                             segment.shown));
  case Liveness::truncated:
    if (!before)
      return make_error(Errc::changed,
                        fmt::format("{} was truncated to {} bytes while it was being written",
                                    segment.shown, handle.size()));
    if (growable) {
      segment.size = handle.size(); // grown from its size now, restored to it on failure
      return std::nullopt;
    }
    if (end <= handle.size())
      return std::nullopt;
    return make_error(Errc::changed,
                      fmt::format("cannot write {}: it shrank to {} bytes while the input was "
                                  "read; nothing was written",
                                  segment.shown, handle.size()));
  }
  return std::nullopt;
}

Result<Outcome> run_write(const WritePlan &plan) {
  if (plan.update)
    return run_write_update(plan);
  if (plan.layout)
    return run_write_layout(plan);
  // Never wait for typing: a terminal on stdin means no data was given.
  if (plan.source == WriteSource::standard_input && ::isatty(STDIN_FILENO) == 1)
    return make_error(Errc::not_supported,
                      "no data to write: standard input is a terminal (give --data, --hex, "
                      "--file, --type, --fill or --zero, or pipe the data in)");
  const SegmentOptions &seg = plan.segment;
  auto opened = open_segment(seg.ref, Access::read_write);
  if (!opened)
    return std::move(opened).error();
  // With --grow, the region may end anywhere a file can, unless the segment's size is fixed.
  const bool growable = plan.grow && !traits_of(seg.ref.kind).fixed_size;
  const auto end_limit = growable ? std::optional(k_max_end) : std::nullopt;
  auto room = fit_region(*opened, seg.offset, std::nullopt, end_limit);
  if (!room)
    return refused(plan, *opened, 0, std::move(room).error());
  auto input = gather(plan, *opened, *room);
  if (!input)
    return std::move(input).error();
  // Bounds: the segment's size, never the page (a 4-byte SysV segment holds 4 bytes).
  if (auto fits = fit_region(*opened, seg.offset, input->size, end_limit); !fits)
    return refused(plan, *opened, input->size, std::move(fits).error());
  const std::uint64_t end = seg.offset + input->size;
  Result<bool> grew = false;
  {
    // From here until every byte is in, SIGINT, SIGTERM and SIGHUP wait (a plain kill would
    // leave the region half old, half new); one that came is delivered when this block ends,
    // with the segment whole (shmkit-write(1) SIGNALS; issue 13 defect F5). Before it, while a
    // pipe is read into memory, they end write at once with nothing written.
    const HeldSignals held;
    if (auto gone = vanished(*opened, end, growable, When::before))
      return std::move(*gone);
    grew = put(plan, *opened, *input);
    if (grew)
      if (auto gone = vanished(*opened, end, growable, When::after))
        return std::move(*gone);
  }
  if (!grew)
    return std::move(grew).error();
  // A --grow that extended the segment is a change of its own: -v says so, also when no byte
  // was written (--zero at the old end, issue 8 defect 15).
  if (plan.verbose)
    Stdout::get().write(fmt::format("wrote {} bytes to {} at offset {}{}\n", input->size,
                                    opened->shown, seg.offset,
                                    *grew ? fmt::format(", growing it from {} to {} bytes",
                                                        opened->size, seg.offset + input->size)
                                          : std::string()));
  return Outcome::ok;
}


} // namespace

const Command &write_command() {
  static const Command command{"write", "Write bytes, hex, strings or typed values into a segment",
                               k_options, plan_then<plan_write, run_write>};
  return command;
}

} // namespace shmkit::cli
