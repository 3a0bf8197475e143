#include "segment_options.hpp"

#include "shmkit/parse.hpp"

#include <fmt/format.h>

namespace shmkit::cli {

namespace {

// A positive byte count (--length) or number (--count).
template <typename Parse> auto positive(std::string_view what, Parse parse) {
  return [what, parse](const std::string &text) -> Result<std::uint64_t> {
    auto parsed = parse(text, what);
    if (parsed && *parsed == 0)
      return make_error(Errc::invalid_argument,
                        fmt::format("invalid {} '{}': must be positive", what, text));
    return parsed;
  };
}

// Parses the value of option `name` into `into` when it was given.
template <typename T, typename Parse>
Result<void> parse_given(const Args &args, std::string_view name, Parse parse, T &into) {
  if (!args.has(name))
    return {};
  auto parsed = parse(args.value(name));
  if (!parsed)
    return std::move(parsed).error();
  into = std::move(*parsed);
  return {};
}

Result<std::uint64_t> parse_uint_any(std::string_view text, std::string_view what) {
  return parse_uint(text, what);
}

} // namespace

std::optional<std::uint64_t> SegmentOptions::typed_length() const {
  if (!type)
    return std::nullopt;
  return count.value_or(1) * value_width(*type);
}

Result<SegmentOptions> parse_segment_options(const Args &args) {
  SegmentOptions o;
  auto ref = parse_address(args.value(k_segment_arg));
  if (!ref)
    return std::move(ref).error();
  o.ref = std::move(*ref);
  auto offset = [](const std::string &text) { return parse_byte_count(text, "offset"); };
  auto ok = parse_given(args, "--offset", offset, o.offset);
  if (ok)
    ok = parse_given(args, "--length", positive("length", parse_byte_count), o.length);
  if (ok)
    ok = parse_given(args, "--type", parse_value_type, o.type);
  if (ok)
    ok = parse_given(args, "--endian", parse_endian, o.endian);
  if (ok)
    ok = parse_given(args, "--count", positive("count", parse_uint_any), o.count);
  if (!ok)
    return std::move(ok).error();
  if (o.type && o.count && *o.count > UINT64_MAX / value_width(*o.type))
    return make_error(Errc::out_of_range,
                      fmt::format("invalid count '{}': too large", args.value("--count")));
  return o;
}

} // namespace shmkit::cli
