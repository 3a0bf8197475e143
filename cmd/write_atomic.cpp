// write --cas / --add / --or / --and / --xor: one atomic read-modify-write of a naturally
// aligned --type value, with the instructions a C program's __atomic_* builtins use on the same
// memory (Handle::atomic_update; shmkit-write(1), ATOMIC OPERATIONS).
//
// Byte order: --cas and the bit operations work on the value's bytes, so any --endian works
// (the operands are encoded in that order, and the value found is read back in it). --add is
// arithmetic on the word as the processor sees it, so it takes only the native order.
#include "open_segment.hpp"
#include "output.hpp"
#include "write_plan.hpp"

#include "shmkit/address.hpp"
#include "shmkit/typed.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>

namespace shmkit::cli {

namespace {

struct OpName {
  std::string_view option;
  AtomicOp op;
};
constexpr OpName k_ops[] = {{"--cas", AtomicOp::cas},
                            {"--add", AtomicOp::add},
                            {"--or", AtomicOp::bit_or},
                            {"--and", AtomicOp::bit_and},
                            {"--xor", AtomicOp::bit_xor}};

Error usage(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

bool is_float(ValueType type) { return type == ValueType::f32 || type == ValueType::f64; }

bool is_signed(ValueType type) {
  return type == ValueType::i8 || type == ValueType::i16 || type == ValueType::i32 ||
         type == ValueType::i64;
}

bool is_native(Endian endian) {
  return endian == Endian::native ||
         (endian == Endian::little) == (std::endian::native == std::endian::little);
}

// The integer whose native store puts `bytes` (1, 2, 4 or 8 of them) in place.
std::uint64_t native_word(std::span<const std::byte> bytes) {
  switch (bytes.size()) {
  case 1: {
    std::uint8_t v = 0;
    std::memcpy(&v, bytes.data(), 1);
    return v;
  }
  case 2: {
    std::uint16_t v = 0;
    std::memcpy(&v, bytes.data(), 2);
    return v;
  }
  case 4: {
    std::uint32_t v = 0;
    std::memcpy(&v, bytes.data(), 4);
    return v;
  }
  default: {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data(), 8);
    return v;
  }
  }
}

// The bytes a native store of the low `width` bytes of `word` puts in memory.
std::array<std::byte, 8> word_bytes(std::uint64_t word, unsigned width) {
  std::array<std::byte, 8> out{};
  const auto v8 = static_cast<std::uint8_t>(word);
  const auto v16 = static_cast<std::uint16_t>(word);
  const auto v32 = static_cast<std::uint32_t>(word);
  switch (width) {
  case 1:
    std::memcpy(out.data(), &v8, 1);
    break;
  case 2:
    std::memcpy(out.data(), &v16, 2);
    break;
  case 4:
    std::memcpy(out.data(), &v32, 4);
    break;
  default:
    std::memcpy(out.data(), &word, 8);
    break;
  }
  return out;
}

Result<std::uint64_t> encoded_word(std::string_view text, ValueType type, Endian endian) {
  auto value = encode_value(text, type, endian);
  if (!value)
    return std::move(value).error();
  return native_word(value->bytes());
}

Result<std::uint64_t> field_word(const LayoutField &field, std::string_view text, Endian endian) {
  auto bytes = encode_field(field, text, endian);
  if (!bytes)
    return std::move(bytes).error();
  return native_word(*bytes);
}

// --add N: a value of the type, or for an unsigned type also its negation (-255..255 for u8),
// as the two's complement addend that wraps to a subtraction.
Result<std::uint64_t> addend(std::string_view text, ValueType type) {
  if (is_signed(type))
    return encoded_word(text, type, Endian::native);
  const bool negative = !text.empty() && text[0] == '-';
  std::string_view magnitude = negative ? text.substr(1) : text;
  if (magnitude.empty() || magnitude[0] == '-' || magnitude[0] == '+')
    return encoded_word(text, type, Endian::native); // its invalid-value message
  auto word = encoded_word(magnitude, type, Endian::native);
  if (word)
    return negative ? ~*word + 1 : *word;
  if (word.error().code != Errc::out_of_range)
    return encoded_word(text, type, Endian::native); // the message names the whole text
  const unsigned bits = 8 * value_width(type);
  const std::uint64_t max = bits == 64 ? UINT64_MAX : (std::uint64_t{1} << bits) - 1;
  return make_error(Errc::out_of_range,
                    fmt::format("value '{}' out of range for --add on {} (-{}..{})",
                                escape_bytes(text), value_type_name(type), max, max));
}

} // namespace

bool wants_update(const Args &args) {
  for (const auto &[option, op] : k_ops)
    if (args.has(option))
      return true;
  return false;
}

Result<void> plan_write_update(const Args &args, WritePlan &plan) {
  WriteUpdate update;
  std::string_view option;
  for (const auto &[given, op] : k_ops)
    if (args.has(given)) {
      option = given;
      update.op = op;
    }
  if (!plan.segment.type)
    return usage(fmt::format("{} needs --type, or --layout with --field", option));
  const ValueType type = *plan.segment.type;
  const char *name = value_type_name(type);
  const unsigned width = value_width(type);
  const Endian endian = plan.segment.endian;
  const auto &values = args.values("values");
  if (update.op == AtomicOp::cas) {
    if (values.empty())
      return usage("--cas needs two values: --cas EXPECTED NEW");
    if (values.size() > 1)
      return usage(fmt::format("--cas takes one NEW value, not {}", values.size()));
  } else if (!values.empty()) {
    return usage(fmt::format("unexpected argument '{}' ({} takes no VALUE)",
                             escape_bytes(values[0]), option));
  }
  if (update.op != AtomicOp::cas && is_float(type))
    return usage(fmt::format("{} needs an integer --type, not {}", option, name));
  if (update.op == AtomicOp::add && !is_native(endian))
    return usage("--add works in this machine's byte order only (--endian native)");
  if (plan.segment.offset % width != 0)
    return usage(fmt::format("offset {} is not aligned to {} bytes, as {} needs for {}",
                             plan.segment.offset, width, option, name));
  const std::string &text = args.value(option);
  // With --layout --field, the values are the field's (bool: true/false; named in messages).
  const LayoutField *field = plan.layout ? plan.layout->find(args.value("--field")) : nullptr;
  auto word = [&](std::string_view value) {
    return field ? field_word(*field, value, endian) : encoded_word(value, type, endian);
  };
  auto operand = update.op == AtomicOp::cas   ? word(values[0])
                 : update.op == AtomicOp::add ? addend(text, type)
                                              : word(text);
  if (!operand)
    return std::move(operand).error();
  update.operand = *operand;
  if (update.op == AtomicOp::cas) {
    auto expected = word(text);
    if (!expected)
      return std::move(expected).error();
    update.expected = *expected;
  }
  plan.update = update;
  return {};
}

Result<Outcome> run_write_update(const WritePlan &plan) {
  const SegmentOptions &seg = plan.segment;
  const WriteUpdate &update = *plan.update;
  const ValueType type = *seg.type;
  const unsigned width = value_width(type);
  auto opened = open_segment(seg.ref, Access::read_write);
  if (!opened)
    return std::move(opened).error();
  // Bounds: the segment's size, in the one wording of write and read.
  if (auto fits = fit_region(*opened, seg.offset, width); !fits)
    return std::move(fits).error();
  auto done =
      opened->handle->atomic_update(seg.offset, width, update.op, update.operand, update.expected);
  if (!done)
    return std::move(done).error();
  if (update.op == AtomicOp::cas && done->swapped)
    return Outcome::ok;
  const auto bytes = word_bytes(done->previous, width);
  const std::span<const std::byte> found(bytes.data(), width);
  std::string text;
  if (update.field) { // as read --layout prints it
    LayoutField at_zero = *update.field;
    at_zero.offset = 0;
    text = format_field(at_zero, found, seg.endian);
  } else {
    text = format_value(found, type, seg.endian);
  }
  Stdout::get().write(text + "\n");
  return done->swapped ? Outcome::ok : Outcome::failed;
}

} // namespace shmkit::cli
