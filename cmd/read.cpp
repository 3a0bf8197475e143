// shmkit read: a segment's contents as raw bytes, as byte-exact `hexdump -C`, `xxd` and
// `xxd -p` views, as a C string, or as typed values (shmkit-read(1)).
//
// Raw output goes through Handle::copy_to_fd (sendfile for POSIX objects and files, one write
// from the attach for SysV), so it is at least as fast as cat (DESIGN.md section 9). Hex views
// stream ~1 MiB chunks through the table-driven HexFormatter into the stdout buffer.
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/fileio.hpp"
#include "shmkit/hexfmt.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/typed.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

constexpr std::size_t k_chunk = std::size_t{1} << 20;

struct ReadOptions {
  std::string segment;
  std::string offset;
  std::string length;
  std::string format;
  std::string type;
  std::string count;
  std::string endian;
  bool no_squeezing = false;
  CLI::Option *offset_opt = nullptr;
  CLI::Option *length_opt = nullptr;
  CLI::Option *format_opt = nullptr;
  CLI::Option *type_opt = nullptr;
  CLI::Option *count_opt = nullptr;
  CLI::Option *endian_opt = nullptr;
};

enum class Format { raw, hexdump, xxd, hex, string, typed };

// The command line after validation: everything run_read needs, nothing left to parse.
struct ReadPlan {
  SegmentRef ref;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
  Format format = Format::raw;
  Squeeze squeeze = Squeeze::yes;
  ValueType type = ValueType::u8;
  std::uint64_t count = 1;
  Endian endian = Endian::native;
};


Result<Format> parse_format(std::string_view text) {
  if (text == "raw")
    return Format::raw;
  if (text == "hexdump")
    return Format::hexdump;
  if (text == "xxd")
    return Format::xxd;
  if (text == "hex")
    return Format::hex;
  if (text == "string")
    return Format::string;
  return make_error(Errc::invalid_argument,
                    fmt::format("unknown format '{}' (valid: raw, hexdump, xxd, hex, string)",
                                escape_bytes(text)));
}

Result<ReadPlan> make_plan(const ReadOptions &o) {
  ReadPlan plan;
  auto ref = parse_address(o.segment);
  if (!ref)
    return std::move(ref).error();
  plan.ref = std::move(*ref);
  if (given(o.offset_opt)) {
    auto offset = parse_byte_count(o.offset, "offset");
    if (!offset)
      return std::move(offset).error();
    plan.offset = *offset;
  }
  if (given(o.length_opt)) {
    auto length = parse_byte_count(o.length, "length");
    if (!length)
      return std::move(length).error();
    if (*length == 0)
      return make_error(Errc::invalid_argument, "invalid length '0': must be positive");
    plan.length = *length;
  }
  if (given(o.type_opt)) {
    if (given(o.format_opt))
      return make_error(Errc::invalid_argument, "--type and --format cannot be combined");
    if (given(o.length_opt))
      return make_error(Errc::invalid_argument,
                        "--type and --length cannot be combined (use --count)");
    auto type = parse_value_type(o.type);
    if (!type)
      return std::move(type).error();
    plan.type = *type;
    plan.format = Format::typed;
    if (given(o.count_opt)) {
      auto count = parse_uint(o.count, "count");
      if (!count)
        return std::move(count).error();
      if (*count == 0)
        return make_error(Errc::invalid_argument, "invalid count '0': must be positive");
      plan.count = *count;
    }
    if (given(o.endian_opt)) {
      auto endian = parse_endian(o.endian);
      if (!endian)
        return std::move(endian).error();
      plan.endian = *endian;
    }
  } else {
    if (given(o.count_opt))
      return make_error(Errc::invalid_argument, "--count needs --type");
    if (given(o.endian_opt))
      return make_error(Errc::invalid_argument, "--endian needs --type");
    if (given(o.format_opt)) {
      auto format = parse_format(o.format);
      if (!format)
        return std::move(format).error();
      plan.format = *format;
    } else {
      // Binary never reaches a terminal raw unless asked for.
      plan.format = ::isatty(STDOUT_FILENO) == 1 ? Format::hexdump : Format::raw;
    }
  }
  plan.squeeze = o.no_squeezing ? Squeeze::no : Squeeze::yes;
  return plan;
}

int fail(const Error &error) {
  Stdout::get().flush();
  print_error(error.message);
  return k_exit_failure;
}

int fail(std::string_view message) {
  return fail(make_error(Errc::out_of_range, std::string(message)));
}

// Copies the range straight to stdout: sendfile or one write from the attach.
int read_raw(Handle &handle, std::uint64_t offset, std::uint64_t length) {
  auto &out = Stdout::get();
  out.flush();
  if (out.failed())
    return k_exit_failure; // Stdout::finish reports it (or stays quiet for EPIPE)
  if (length >= (std::uint64_t{1} << 20))
    widen_pipe(STDOUT_FILENO);
  auto copied = handle.copy_to_fd(STDOUT_FILENO, offset, length);
  if (!copied) {
    if (copied.error().sys_errno == EPIPE)
      return k_exit_ok; // `| head`: quiet, like every other output (DESIGN.md section 4)
    return fail(copied.error());
  }
  return k_exit_ok;
}

// Calls `consume(bytes)` for consecutive chunks of the range until it returns false or the
// range is done; stops early once stdout failed (EPIPE, ENOSPC).
template <typename Consume>
Result<void> for_each_chunk(Handle &handle, std::uint64_t offset, std::uint64_t length,
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
  return {};
}

int read_hex(Handle &handle, const ReadPlan &plan, std::uint64_t length) {
  HexStyle style = plan.format == Format::hexdump ? HexStyle::hexdump
                   : plan.format == Format::xxd   ? HexStyle::xxd
                                                  : HexStyle::plain;
  HexFormatter formatter(style, plan.offset, plan.squeeze);
  auto &out = Stdout::get();
  out.buffer().reserve(HexFormatter::max_output_size(k_chunk) + (std::size_t{1} << 18));
  auto done = for_each_chunk(handle, plan.offset, length, k_chunk, [&](auto bytes) {
    formatter.feed(bytes, out.buffer());
    out.maybe_flush();
    return true;
  });
  if (!done)
    return fail(done.error());
  formatter.finish(out.buffer());
  return k_exit_ok;
}

// The bytes up to the first NUL. On a terminal they are escaped like names (\xHH), so odd
// bytes never reach it raw; elsewhere they are passed through. A newline follows.
int read_string(Handle &handle, const ReadPlan &plan, std::uint64_t length) {
  auto &out = Stdout::get();
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::string text;
  auto done = for_each_chunk(handle, plan.offset, length, k_chunk / 16, [&](auto bytes) {
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
    return fail(done.error());
  if (tty)
    out.write(escape_bytes(text));
  out.put('\n');
  return k_exit_ok;
}

int read_typed(Handle &handle, const ReadPlan &plan, std::uint64_t length) {
  const unsigned width = value_width(plan.type);
  auto &out = Stdout::get();
  std::size_t chunk_size = (std::size_t{64} << 10) / width * width;
  auto done = for_each_chunk(handle, plan.offset, length, chunk_size, [&](auto bytes) {
    for (std::size_t i = 0; i + width <= bytes.size(); i += width) {
      out.buffer() += format_value(bytes.subspan(i, width), plan.type, plan.endian);
      out.buffer().push_back('\n');
    }
    out.maybe_flush();
    return true;
  });
  if (!done)
    return fail(done.error());
  return k_exit_ok;
}

int run_read(const ReadOptions &o) {
  auto plan = make_plan(o);
  if (!plan)
    return usage_error("read", plan.error().message);

  auto backend = make_backend(plan->ref.kind);
  auto opened = backend->open(plan->ref, Access::read_only);
  if (!opened)
    return report(opened.error());
  Handle &handle = **opened;
  const std::uint64_t size = handle.size();
  const std::string shown = escape_bytes(handle.info().segment);
  const std::uint64_t offset = plan->offset;

  // The range: refused as a whole before anything is printed. The one empty range allowed is
  // a whole empty segment (an empty POSIX object), which prints nothing, like hexdump and xxd.
  bool whole_empty = size == 0 && offset == 0 && !plan->length && plan->format != Format::typed;
  if (offset >= size && !whole_empty)
    return fail(
        fmt::format("offset {} is past the end of {} (size {} bytes)", offset, shown, size));
  std::uint64_t length = size - offset;
  std::optional<std::uint64_t> wanted = plan->length;
  if (plan->format == Format::typed) {
    unsigned width = value_width(plan->type);
    if (plan->count > UINT64_MAX / width)
      return fail(
          fmt::format("{} values of {} bytes at offset {} go past the end of {} (size {} bytes)",
                      plan->count, width, offset, shown, size));
    wanted = plan->count * width;
  }
  if (wanted) {
    if (*wanted > size - offset)
      return fail(fmt::format("{} bytes at offset {} go past the end of {} (size {} bytes)",
                              *wanted, offset, shown, size));
    length = *wanted;
  }

  switch (plan->format) {
  case Format::raw:
    return read_raw(handle, offset, length);
  case Format::hexdump:
  case Format::xxd:
  case Format::hex:
    return read_hex(handle, *plan, length);
  case Format::string:
    return read_string(handle, *plan, length);
  case Format::typed:
    return read_typed(handle, *plan, length);
  }
  return k_exit_failure;
}

} // namespace

Runner register_read(CLI::App &sub, OptionGate &gate) {
  auto o = std::make_shared<ReadOptions>();
  sub.add_option("segment", o->segment, "The segment (any address form of shmkit(1))")
      ->required()
      ->type_name("SEGMENT");
  if (gate.want("-s,--offset")) {
    o->offset_opt =
        sub.add_option("-s,--offset", o->offset, "Start at byte OFF (default 0)")->type_name("OFF");
  }
  if (gate.want("-n,--length")) {
    o->length_opt = sub.add_option("-n,--length", o->length, "Read LEN bytes (default: to the end)")
                        ->type_name("LEN");
  }
  if (gate.want("-f,--format")) {
    o->format_opt = sub.add_option("-f,--format", o->format,
                                   "raw, hexdump, xxd, hex or string (default: hexdump on a "
                                   "terminal, raw otherwise)")
                        ->type_name("FORMAT");
  }
  std::string no_squeezing_help = "hexdump: print repeated lines instead of '*' (hexdump -v)";
  if (gate.want("-v,--no-squeeze"))
    sub.add_flag("-v,--no-squeeze", o->no_squeezing, no_squeezing_help);
  if (gate.want("-t,--type")) {
    o->type_opt = sub.add_option("-t,--type", o->type,
                                 "Print values of type T, one per line: u8, i8, u16, i16, u32, "
                                 "i32, u64, i64, f32, f64")
                      ->type_name("T");
  }
  if (gate.want("-c,--count")) {
    o->count_opt =
        sub.add_option("-c,--count", o->count, "Number of --type values (default 1)")->type_name("N");
  }
  if (gate.want("--endian")) {
    o->endian_opt = sub.add_option("--endian", o->endian,
                                   "Byte order of --type values: little, big or "
                                   "native (default)")
                        ->type_name("ORDER");
  }
  set_footer(sub, "read");
  return [o] { return run_read(*o); };
}

const Command &read_command() {
  static const Command command{"read", "Read a segment's contents: raw, hex views or typed values", {}, nullptr, register_read};
  return command;
}

} // namespace shmkit::cli
