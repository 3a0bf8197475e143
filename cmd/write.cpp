// shmkit write: bytes from stdin, a string, hex, a file, typed values, a fill byte or zeros,
// written at an offset of a segment (shmkit-write(1)).
//
// A write is bounds-checked before its first byte: input of unknown length (a pipe) is staged
// in memory first, never more than the room from the offset to the end plus one byte, so input
// that does not fit fails with the segment unchanged. The staged bytes then go in with one
// Handle::write_at (pwrite for POSIX objects and files, so a full tmpfs gives ENOSPC and not
// SIGBUS; a copy into the read-write attach for SysV).
#include "commands.hpp"
#include "gate.hpp"
#include "output.hpp"

#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/staging.hpp"
#include "shmkit/typed.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

struct WriteOptions {
  std::string segment;
  std::vector<std::string> values;
  std::string offset;
  std::string length;
  std::string data;
  std::string hex;
  std::string file;
  std::string type;
  std::string endian;
  std::string fill;
  bool zero = false;
  bool grow = false;
  bool atomic = false;
  bool verbose = false;
  CLI::Option *offset_opt = nullptr;
  CLI::Option *length_opt = nullptr;
  CLI::Option *data_opt = nullptr;
  CLI::Option *hex_opt = nullptr;
  CLI::Option *file_opt = nullptr;
  CLI::Option *type_opt = nullptr;
  CLI::Option *endian_opt = nullptr;
  CLI::Option *fill_opt = nullptr;
};

enum class Source { standard_input, data, hex, file, typed, fill, zero };

// The command line after validation. Every source whose bytes are known without the segment
// (data, hex, typed) is already encoded in `bytes`.
struct WritePlan {
  SegmentRef ref;
  std::uint64_t offset = 0;
  Source source = Source::standard_input;
  std::vector<std::byte> bytes;
  std::optional<std::uint64_t> length; // --fill / --zero
  std::byte fill{0};
  ValueType type = ValueType::u8;
  bool grow = false;
  bool atomic = false;
};


Error usage(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

Result<WritePlan> make_plan(const WriteOptions &o) {
  WritePlan plan;
  auto ref = parse_address(o.segment);
  if (!ref)
    return std::move(ref).error();
  plan.ref = std::move(*ref);

  // Exactly one source; stdin when none is named.
  std::vector<std::pair<Source, const char *>> sources;
  if (given(o.data_opt))
    sources.emplace_back(Source::data, "--data");
  if (given(o.hex_opt))
    sources.emplace_back(Source::hex, "--hex");
  if (given(o.file_opt))
    sources.emplace_back(Source::file, "--file");
  if (given(o.type_opt))
    sources.emplace_back(Source::typed, "--type");
  if (given(o.fill_opt))
    sources.emplace_back(Source::fill, "--fill");
  if (o.zero)
    sources.emplace_back(Source::zero, "--zero");
  if (sources.size() > 1)
    return usage(fmt::format("{} and {} cannot be combined: give one data source",
                             sources[0].second, sources[1].second));
  plan.source = sources.empty() ? Source::standard_input : sources[0].first;

  if (!o.values.empty() && plan.source != Source::typed)
    return usage(
        fmt::format("unexpected argument '{}' (values need --type)", escape_bytes(o.values[0])));
  if (given(o.endian_opt) && plan.source != Source::typed)
    return usage("--endian needs --type");
  if (given(o.length_opt) && plan.source != Source::fill && plan.source != Source::zero)
    return usage("--length needs --fill or --zero");
  if (o.atomic && plan.source != Source::typed)
    return usage("--atomic needs one typed value (--type T VALUE)");

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
      return usage("invalid length '0': must be positive");
    plan.length = *length;
  }

  switch (plan.source) {
  case Source::data:
    plan.bytes.resize(o.data.size());
    std::memcpy(plan.bytes.data(), o.data.data(), o.data.size());
    break;
  case Source::hex: {
    auto bytes = parse_hex_bytes(o.hex);
    if (!bytes)
      return usage(fmt::format("invalid --hex: {}", bytes.error().message));
    plan.bytes = std::move(*bytes);
    break;
  }
  case Source::typed: {
    auto type = parse_value_type(o.type);
    if (!type)
      return std::move(type).error();
    plan.type = *type;
    Endian endian = Endian::native;
    if (given(o.endian_opt)) {
      auto parsed = parse_endian(o.endian);
      if (!parsed)
        return std::move(parsed).error();
      endian = *parsed;
    }
    if (o.values.empty())
      return usage(fmt::format("--type {} needs at least one VALUE", value_type_name(*type)));
    for (const auto &text : o.values) {
      auto value = encode_value(text, *type, endian);
      if (!value)
        return usage(value.error().message);
      auto bytes = value->bytes();
      plan.bytes.insert(plan.bytes.end(), bytes.begin(), bytes.end());
    }
    if (o.atomic) {
      unsigned width = value_width(*type);
      if (o.values.size() != 1)
        return usage("--atomic stores exactly one value");
      if (plan.offset % width != 0)
        return usage(fmt::format("offset {} is not aligned to {} bytes, as --atomic needs for {}",
                                 plan.offset, width, value_type_name(*type)));
      plan.atomic = true;
    }
    break;
  }
  case Source::fill: {
    auto value = parse_uint(o.fill, "fill byte", 255);
    if (!value)
      return usage(value.error().message);
    plan.fill = static_cast<std::byte>(*value);
    if (!plan.length)
      return usage("--fill needs --length");
    break;
  }
  case Source::standard_input:
    // Refuse to wait for typing: a terminal on stdin means no data was given.
    if (::isatty(STDIN_FILENO) == 1)
      return usage("no data to write: standard input is a terminal (give --data, --hex, "
                   "--file, --type, --fill or --zero, or pipe the data in)");
    break;
  case Source::file:
  case Source::zero:
    break;
  }
  plan.grow = o.grow;
  return plan;
}

int fail(std::string_view message) {
  print_error(message);
  return k_exit_failure;
}

// The value of a typed source as the integer whose native store puts its bytes in place.
std::uint64_t native_bits(std::span<const std::byte> bytes) {
  switch (bytes.size()) {
  case 1: {
    std::uint8_t v;
    std::memcpy(&v, bytes.data(), 1);
    return v;
  }
  case 2: {
    std::uint16_t v;
    std::memcpy(&v, bytes.data(), 2);
    return v;
  }
  case 4: {
    std::uint32_t v;
    std::memcpy(&v, bytes.data(), 4);
    return v;
  }
  default: {
    std::uint64_t v;
    std::memcpy(&v, bytes.data(), 8);
    return v;
  }
  }
}

int run_write(const WriteOptions &o) {
  auto plan = make_plan(o);
  if (!plan)
    return usage_error("write", plan.error().message);

  auto backend = make_backend(plan->ref.kind);
  auto opened = backend->open(plan->ref, Access::read_write);
  if (!opened)
    return report(opened.error());
  Handle &handle = **opened;
  const std::uint64_t size = handle.size();
  const std::string shown = escape_bytes(handle.info().segment);
  const std::uint64_t offset = plan->offset;

  if (offset >= size && !plan->grow)
    return fail(
        fmt::format("offset {} is past the end of {} (size {} bytes)", offset, shown, size));
  // The room from the offset to the end; with --grow, as much as a file may hold.
  const std::uint64_t max_end = static_cast<std::uint64_t>(INT64_MAX);
  const std::uint64_t room = plan->grow ? (offset < max_end ? max_end - offset : 0) : size - offset;

  // --fill and --zero: LEN bytes, or zeros to the end.
  const std::uint64_t fill_length =
      plan->length ? *plan->length : (offset < size ? size - offset : 0);

  // The bytes, complete before anything is written.
  Staging staged;
  std::span<const std::byte> bytes = plan->bytes;
  switch (plan->source) {
  case Source::standard_input:
  case Source::file: {
    auto read = plan->source == Source::file
                    ? Staging::read_file(o.file, room)
                    : Staging::read_fd(STDIN_FILENO, room, "standard input");
    if (!read) {
      if (read.error().code == Errc::past_end)
        return fail(fmt::format("input is larger than the {} bytes from offset {} to the end of "
                                "{} (size {} bytes); nothing was written",
                                room, offset, shown, size));
      return fail(read.error().message);
    }
    staged = std::move(*read);
    bytes = staged.bytes();
    break;
  }
  case Source::fill:
  case Source::zero: {
    if (fill_length > room)
      break; // refused below with the usual message
    auto made = plan->source == Source::fill ? Staging::filled(fill_length, plan->fill)
                                             : Staging::zeros(fill_length);
    if (!made)
      return fail(made.error().message);
    staged = std::move(*made);
    bytes = staged.bytes();
    break;
  }
  case Source::data:
  case Source::hex:
  case Source::typed:
    break;
  }
  const std::uint64_t n =
      plan->source == Source::fill || plan->source == Source::zero ? fill_length : bytes.size();

  // Bounds: the segment's size, never the page (a 4-byte SysV segment holds 4 bytes).
  if (n > room)
    return fail(fmt::format("{} bytes at offset {} do not fit in {} (size {} bytes)", n, offset,
                            shown, size));
  const std::uint64_t end = offset + n;
  bool grew = false;
  if (end > size) {
    if (auto resized = handle.resize(end); !resized)
      return fail(resized.error().message);
    grew = true;
  }

  Result<void> written;
  if (plan->atomic)
    written = handle.store_atomic(offset, native_bits(bytes), value_width(plan->type));
  else
    written = handle.write_at(offset, bytes);
  if (!written) {
    if (grew)
      (void)handle.resize(size); // leave the segment as it was
    return fail(written.error().message);
  }
  // A --grow that extended the segment is a change of its own: -v says so, also when no byte
  // was written (--zero at the old end, issue 8 defect 15).
  if (o.verbose && grew)
    Stdout::get().write(fmt::format("wrote {} bytes to {} at offset {}, growing it from {} to {} "
                                    "bytes\n",
                                    n, shown, offset, size, end));
  else if (o.verbose)
    Stdout::get().write(fmt::format("wrote {} bytes to {} at offset {}\n", n, shown, offset));
  return k_exit_ok;
}

} // namespace

Runner register_write(CLI::App &sub, OptionGate &gate) {
  auto o = std::make_shared<WriteOptions>();
  sub.add_option("segment", o->segment, "The segment (any address form of shmkit(1))")
      ->required()
      ->type_name("SEGMENT");
  sub.add_option("values", o->values, "Values for --type")->type_name("VALUE");
  if (gate.want("-s,--offset")) {
    o->offset_opt =
        sub.add_option("-s,--offset", o->offset, "Write at byte OFF (default 0)")->type_name("OFF");
  }
  if (gate.want("-d,--data")) {
    o->data_opt = sub.add_option("-d,--data", o->data, "Write the bytes of STRING (no NUL is added)")
                      ->type_name("STRING");
  }
  if (gate.want("-x,--hex")) {
    o->hex_opt =
        sub.add_option("-x,--hex", o->hex, "Write bytes given as hex digit pairs (\"de ad be ef\")")
            ->type_name("HEX");
  }
  if (gate.want("--file")) {
    o->file_opt =
        sub.add_option("--file", o->file, "Write the contents of a file")->type_name("PATH");
  }
  if (gate.want("-t,--type")) {
    o->type_opt = sub.add_option("-t,--type", o->type,
                                 "Write the VALUEs as type T: u8, i8, u16, i16, u32, i32, u64, "
                                 "i64, f32, f64")
                      ->type_name("T");
  }
  if (gate.want("--endian")) {
    o->endian_opt = sub.add_option("--endian", o->endian,
                                   "Byte order of --type values: little, big or "
                                   "native (default)")
                        ->type_name("ORDER");
  }
  if (gate.want("--fill")) {
    o->fill_opt = sub.add_option("--fill", o->fill, "Write LEN copies of BYTE (0..255, or 0xHH)")
                      ->type_name("BYTE");
  }
  std::string zero_help = "Write zeros: LEN bytes, or to the end of the segment";
  if (gate.want("--zero"))
    sub.add_flag("--zero", o->zero, zero_help);
  if (gate.want("-n,--length")) {
    o->length_opt = sub.add_option("-n,--length", o->length, "Bytes to write with --fill or --zero")
                        ->type_name("LEN");
  }
  std::string grow_help = "Extend a POSIX object or file to fit (SysV sizes are fixed)";
  if (gate.want("--grow"))
    sub.add_flag("--grow", o->grow, grow_help);
  std::string atomic_help = "Store one naturally aligned --type value with one atomic store";
  if (gate.want("--atomic"))
    sub.add_flag("--atomic", o->atomic, atomic_help);
  std::string verbose_help = "Report the number of bytes written, and any --grow";
  if (gate.want("-v,--verbose"))
    sub.add_flag("-v,--verbose", o->verbose, verbose_help);
  set_footer(sub, "write");
  return [o] { return run_write(*o); };
}

const Command &write_command() {
  static const Command command{"write", "Write bytes, hex, strings or typed values into a segment", {}, nullptr, register_write};
  return command;
}

} // namespace shmkit::cli
