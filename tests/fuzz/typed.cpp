// Fuzz target: typed values (lib/shmkit/typed.hpp) for every --type and byte order: the value
// text of `write --type T VALUE` and `watch --until`, the --type and --endian names, and the
// other direction, format_value over arbitrary segment bytes (what `read --type` prints).
//
// Properties: an accepted value encodes to exactly value_width(type) bytes; formatting those
// bytes and encoding the text again gives the same bytes; big and little endian are each other's
// reverse; for any bytes read from a segment, the printed value encodes back to the same bytes
// (NaNs: to a NaN of the same sign); every rejection is one printable line.
#include "fuzz_common.hpp"

#include "shmkit/typed.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

constexpr ValueType k_types[] = {ValueType::u8,  ValueType::i8,  ValueType::u16, ValueType::i16,
                                 ValueType::u32, ValueType::i32, ValueType::u64, ValueType::i64,
                                 ValueType::f32, ValueType::f64};
constexpr Endian k_endians[] = {Endian::little, Endian::big, Endian::native};

bool same_bytes(const EncodedValue &a, const EncodedValue &b) {
  return a.size == b.size && std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin());
}

bool is_float(ValueType type) { return type == ValueType::f32 || type == ValueType::f64; }

// The value as a double when `type` is a float type (bytes little-endian).
double as_double(ValueType type, std::span<const std::byte> bytes) {
  if (type == ValueType::f32) {
    std::uint32_t bits = 0;
    for (int i = 3; i >= 0; --i)
      bits = (bits << 8) | std::to_integer<std::uint32_t>(bytes[static_cast<std::size_t>(i)]);
    return std::bit_cast<float>(bits);
  }
  std::uint64_t bits = 0;
  for (int i = 7; i >= 0; --i)
    bits = (bits << 8) | std::to_integer<std::uint64_t>(bytes[static_cast<std::size_t>(i)]);
  return std::bit_cast<double>(bits);
}

void fuzz_value_text(std::string_view text, ValueType type, Endian endian) {
  auto value = encode_value(text, type, endian);
  if (!value) {
    FUZZ_CHECK_ERROR(value.error());
    FUZZ_CHECK(value.error().code == Errc::invalid_argument ||
               value.error().code == Errc::out_of_range);
    // The byte order never decides whether a text is a value.
    FUZZ_CHECK(!encode_value(text, type, Endian::little) && !encode_value(text, type, Endian::big));
    return;
  }
  FUZZ_CHECK(value->size == value_width(type));
  FUZZ_CHECK(values_equal(value->bytes(), *value));
  // Printed and typed again: the same bytes.
  const std::string printed = format_value(value->bytes(), type, endian);
  FUZZ_CHECK(!printed.empty());
  auto again = encode_value(printed, type, endian);
  FUZZ_CHECK_MSG(again && same_bytes(*again, *value), printed);
  // Big endian is little endian reversed.
  auto little = encode_value(text, type, Endian::little);
  auto big = encode_value(text, type, Endian::big);
  FUZZ_CHECK(little && big);
  FUZZ_CHECK(std::equal(little->bytes().begin(), little->bytes().end(), big->bytes().rbegin()));
}

void fuzz_segment_bytes(std::span<const std::byte> bytes, ValueType type, Endian endian) {
  const std::string printed = format_value(bytes, type, endian);
  if (bytes.size() < value_width(type)) {
    FUZZ_CHECK(printed.empty());
    return;
  }
  FUZZ_CHECK(is_printable_line(printed) && printed.find(' ') == std::string::npos);
  auto again = encode_value(printed, type, endian);
  FUZZ_CHECK_MSG(again.has_value(), printed + ": " + (again ? "" : again.error().message));
  const auto want = bytes.first(value_width(type));
  if (is_float(type)) {
    // Compare in little-endian order.
    auto little_of = [&](std::span<const std::byte> b) {
      std::array<std::byte, 8> out{};
      std::copy(b.begin(), b.end(), out.begin());
      bool big = endian == Endian::big ||
                 (endian == Endian::native && std::endian::native == std::endian::big);
      if (big)
        std::reverse(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(b.size()));
      return out;
    };
    auto w = little_of(want);
    auto g = little_of(again->bytes());
    double dw = as_double(type, w), dg = as_double(type, g);
    if (std::isnan(dw)) {
      // A NaN's payload is not printed: it comes back as a NaN of the same sign.
      FUZZ_CHECK_MSG(std::isnan(dg) && std::signbit(dw) == std::signbit(dg), printed);
      return;
    }
  }
  FUZZ_CHECK_MSG(std::equal(want.begin(), want.end(), again->bytes().begin()), printed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  Input in(data, size);
  const std::uint8_t choice = in.byte();
  const ValueType type = k_types[choice % 10];
  const Endian endian = k_endians[(choice / 10) % 3];
  const std::string_view text = in.rest();
  switch ((choice / 30) % 3) {
  case 0:
  case 1:
    fuzz_value_text(text, type, endian);
    break;
  default:
    fuzz_segment_bytes(std::as_bytes(std::span(text.data(), text.size())), type, endian);
    break;
  }
  // The names of --type and --endian.
  auto named = parse_value_type(text);
  if (named)
    FUZZ_CHECK(text == value_type_name(*named));
  else
    FUZZ_CHECK_ERROR(named.error());
  auto order = parse_endian(text);
  if (!order)
    FUZZ_CHECK_ERROR(order.error());
  return 0;
}
