// shmkit read: a segment's contents as raw bytes, as byte-exact `hexdump -C`, `xxd` and
// `xxd -p` views, as a C string, or as typed values (shmkit-read(1)).
//
// Raw output goes through Handle::copy_to_fd (sendfile for POSIX objects and files, one write
// from the attach for SysV), so it is at least as fast as cat (cmd/README.md, where the time goes). Hex views
// stream ~1 MiB chunks through the table-driven HexFormatter into the stdout buffer.
#include "commands.hpp"
#include "layout_option.hpp"
#include "open_segment.hpp"
#include "output.hpp"
#include "read_consistent.hpp"
#include "read_layout.hpp"
#include "read_plan.hpp"

#include "shmkit/address.hpp"
#include "shmkit/atomic_ops.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/hexfmt.hpp"
#include "shmkit/typed.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

constexpr std::size_t k_chunk = std::size_t{1} << 20;

constexpr OptionSpec k_options[] = {
    {k_segment_arg, "The segment (any address form of shmkit(1))", "SEGMENT", Arity::positional},
    {"-s,--offset", "Start at byte OFF (default 0)", "OFF"},
    {"-n,--length", "Read LEN bytes (default: to the end)", "LEN"},
    {"-f,--format",
     "raw, hexdump, xxd, hex or string (default: hexdump on a terminal, raw otherwise)",
     "FORMAT"},
    {"-v,--no-squeeze", "hexdump: print repeated lines instead of '*' (hexdump -v)", {},
     Arity::flag},
    {"-t,--type",
     "Print values of type T, one per line: u8, i8, u16, i16, u32, i32, u64, i64, f32, f64", "T",
     Arity::one, {}, "--format,--length,--layout"},
    {"--layout", "Print the fields of a C struct: DECLS, or @FILE (shmkit-read(1) LAYOUTS)",
     "DECLS", Arity::one, {}, "--format,--length"},
    {"--struct", "With --layout: the struct NAME among several", "NAME", Arity::one,
     "--layout"},
    {"-c,--count", "Number of --type values or --layout records (default 1)", "N"},
    {"--endian", "Byte order of --type values and --layout fields: little, big or native "
                 "(default)",
     "ORDER"},
    {"-J,--json", "With --layout: one JSON object (an array of them with --count)", {},
     Arity::flag, "--layout"},
    {"--stable", "Read until two consecutive reads agree (at most 100 reads)", {}, Arity::flag,
     {}, "--seqlock,--atomic"},
    {"--seqlock", "With --layout: read each record under the seqlock of counter FIELD",
     "FIELD", Arity::one, "--layout", "--atomic"},
    {"--atomic", "With --type: one atomic load per value (naturally aligned)", {}, Arity::flag,
     "--type"},
};

Result<ReadFormat> parse_format(std::string_view text) {
  constexpr std::pair<std::string_view, ReadFormat> k_formats[] = {
      {"raw", ReadFormat::raw}, {"hexdump", ReadFormat::hexdump}, {"xxd", ReadFormat::xxd},
      {"hex", ReadFormat::hex}, {"string", ReadFormat::string}};
  for (const auto &[name, format] : k_formats)
    if (text == name)
      return format;
  return make_error(Errc::invalid_argument,
                    fmt::format("unknown format '{}' (valid: raw, hexdump, xxd, hex, string)",
                                escape_bytes(text)));
}

// Where the bytes come from: the segment, or the region as a consistent read took it
// (--stable, --atomic), starting at the plan's offset.
struct Source {
  Handle &handle;
  std::optional<std::vector<std::byte>> taken;
  std::uint64_t base = 0;

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) {
    if (!taken)
      return handle.read_at(offset, out);
    const auto at = static_cast<std::size_t>(offset - base);
    const std::size_t n = std::min(out.size(), taken->size() - std::min(at, taken->size()));
    std::copy_n(taken->begin() + static_cast<std::ptrdiff_t>(at), n, out.begin());
    return n;
  }
  const SegmentInfo &info() const { return handle.info(); }
};

// Copies the range straight to stdout: sendfile or one write from the attach.
Result<Outcome> read_raw(Source &source, std::uint64_t offset, std::uint64_t length) {
  auto &out = Stdout::get();
  if (source.taken) {
    out.write(std::string_view(reinterpret_cast<const char *>(source.taken->data()),
                               source.taken->size()));
    return Outcome::ok;
  }
  out.flush();
  if (out.failed())
    return Outcome::failed; // Stdout::finish reports it (or stays quiet for EPIPE)
  if (length >= (std::uint64_t{1} << 20))
    widen_pipe(STDOUT_FILENO);
  auto copied = source.handle.copy_to_fd(STDOUT_FILENO, offset, length);
  if (!copied && copied.error().sys_errno != EPIPE) // `| head`: quiet (shmkit(1) CONVENTIONS)
    return std::move(copied).error();
  return Outcome::ok;
}

// Calls `consume(bytes)` for consecutive chunks of the range until it returns false or the
// range is done; stops early once stdout failed (EPIPE, ENOSPC).
template <typename Consume>
Result<Outcome> for_each_chunk(Source &handle, std::uint64_t offset, std::uint64_t length,
                               std::size_t chunk_size, Consume consume) {
  std::vector<std::byte> chunk(
      static_cast<std::size_t>(std::min<std::uint64_t>(length, chunk_size)));
  auto &out = Stdout::get();
  while (length > 0 && !out.failed()) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(length, chunk.size()));
    auto got = handle.read_at(offset, std::span(chunk.data(), want));
    if (!got)
      return std::move(got).error();
    if (*got != want)
      return make_error(Errc::changed,
                        fmt::format("{} shrank while reading (ended at byte {})",
                                    escape_bytes(handle.info().segment), offset + *got));
    if (!consume(std::span<const std::byte>(chunk.data(), want)))
      break;
    offset += want;
    length -= want;
  }
  return Outcome::ok;
}

Result<Outcome> read_hex(Source &handle, const ReadPlan &plan, ReadFormat format,
                         std::uint64_t length) {
  HexStyle style = format == ReadFormat::hexdump ? HexStyle::hexdump
                   : format == ReadFormat::xxd   ? HexStyle::xxd
                                                 : HexStyle::plain;
  const std::uint64_t offset = plan.segment.offset;
  HexFormatter formatter(style, offset, plan.squeeze);
  auto &out = Stdout::get();
  out.buffer().reserve(HexFormatter::max_output_size(k_chunk) + (std::size_t{1} << 18));
  auto done = for_each_chunk(handle, offset, length, k_chunk, [&](auto bytes) {
    formatter.feed(bytes, out.buffer());
    out.maybe_flush();
    return true;
  });
  if (done)
    formatter.finish(out.buffer());
  return done;
}

// The bytes up to the first NUL. On a terminal they are escaped like names (\xHH), so odd
// bytes never reach it raw; elsewhere they are passed through. A newline follows.
Result<Outcome> read_string(Source &handle, std::uint64_t offset, std::uint64_t length) {
  auto &out = Stdout::get();
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::string text;
  auto done = for_each_chunk(handle, offset, length, k_chunk / 16, [&](auto bytes) {
    const auto *begin = reinterpret_cast<const char *>(bytes.data());
    const auto *nul = static_cast<const char *>(std::memchr(begin, 0, bytes.size()));
    std::string_view part(begin,
                          nul != nullptr ? static_cast<std::size_t>(nul - begin) : bytes.size());
    if (tty)
      text.append(part);
    else
      out.write(part);
    return nul == nullptr;
  });
  if (!done)
    return done;
  if (tty)
    out.write(escape_bytes(text));
  out.put('\n');
  return done;
}

Result<Outcome> read_typed(Source &handle, const SegmentOptions &seg, std::uint64_t length) {
  const unsigned width = value_width(*seg.type);
  auto &out = Stdout::get();
  std::size_t chunk_size = (std::size_t{64} << 10) / width * width;
  return for_each_chunk(handle, seg.offset, length, chunk_size, [&](auto bytes) {
    for (std::size_t i = 0; i + width <= bytes.size(); i += width) {
      out.buffer() += format_value(bytes.subspan(i, width), *seg.type, seg.endian);
      out.buffer().push_back('\n');
    }
    out.maybe_flush();
    return true;
  });
}

Result<Outcome> run_read(const ReadPlan &plan) {
  const SegmentOptions &seg = plan.segment;
  auto opened = open_segment(seg.ref, Access::read_only);
  if (!opened)
    return std::move(opened).error();
  // Binary never reaches a terminal raw unless asked for.
  const ReadFormat format =
      plan.format.value_or(::isatty(STDOUT_FILENO) == 1 ? ReadFormat::hexdump : ReadFormat::raw);
  if (format == ReadFormat::layout) { // fits whole, or the message names the first field
    if (auto fits = check_layout_fits(*plan.layout, plan.records, seg.offset, opened->size,
                                      opened->shown);
        !fits)
      return std::move(fits).error();
    return read_layout(*opened->handle, plan);
  }
  // The range: refused as a whole before anything is printed. The one empty range allowed is
  // a whole empty segment (an empty POSIX object), which prints nothing, like hexdump and xxd.
  const bool whole_empty = opened->size == 0 && seg.offset == 0 && !seg.length && !seg.type;
  auto length = whole_empty ? Result<std::uint64_t>(0)
                            : fit_region(*opened, seg.offset,
                                         seg.type ? seg.typed_length() : seg.length);
  if (!length)
    return std::move(length).error();
  Handle &handle = *opened->handle;
  Source source{handle, std::nullopt, seg.offset};
  if (plan.mode == ReadMode::stable || plan.mode == ReadMode::atomic) {
    auto taken = plan.mode == ReadMode::stable
                     ? read_stable(handle, seg.offset, *length)
                     : read_atomic(handle, seg.offset, seg.count.value_or(1), *seg.type);
    if (!taken)
      return std::move(taken).error();
    source.taken = std::move(*taken);
  }
  switch (format) {
  case ReadFormat::raw:
    return read_raw(source, seg.offset, *length);
  case ReadFormat::hexdump:
  case ReadFormat::xxd:
  case ReadFormat::hex:
    return read_hex(source, plan, format, *length);
  case ReadFormat::string:
    return read_string(source, seg.offset, *length);
  case ReadFormat::typed:
    return read_typed(source, seg, *length);
  case ReadFormat::layout:
    break;
  }
  return Outcome::failed;
}


} // namespace

Result<ReadPlan> plan_read(const Args &args) {
  ReadPlan plan;
  auto seg = parse_segment_options(args);
  if (!seg)
    return std::move(seg).error();
  plan.segment = std::move(*seg);
  if (!plan.segment.type && !args.has("--layout"))
    for (std::string_view name : {"--count", "--endian"})
      if (args.has(name))
        return make_error(Errc::invalid_argument,
                          fmt::format("{} needs --type or --layout", name));
  plan.mode = args.count("--stable") > 0   ? ReadMode::stable
              : args.count("--atomic") > 0 ? ReadMode::atomic
                                           : ReadMode::plain;
  if (args.has("--layout")) {
    if (auto ok = plan_read_layout(args, plan); !ok)
      return std::move(ok).error();
  } else if (plan.segment.type) {
    plan.format = ReadFormat::typed;
    if (plan.mode == ReadMode::atomic)
      if (auto ok = check_atomic_access(plan.segment.offset, value_width(*plan.segment.type));
          !ok)
        return make_error(Errc::invalid_argument, "--atomic: " + ok.error().message);
  } else if (args.has("--format")) {
    auto format = parse_format(args.value("--format"));
    if (!format)
      return std::move(format).error();
    plan.format = *format;
  }
  plan.squeeze = args.count("--no-squeeze") > 0 ? Squeeze::no : Squeeze::yes;
  return plan;
}

const Command &read_command() {
  static const Command command{
      "read", "Read a segment's contents: raw, hex views, typed values or struct fields",
      k_options, plan_then<plan_read, run_read>};
  return command;
}

} // namespace shmkit::cli
