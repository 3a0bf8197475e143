// plan_write(): the source of a write and its bytes, encoded before the segment is opened
// (--data, --hex, --type VALUE..., --fill), and the rules the option table cannot say.
#include "write_plan.hpp"

#include "shmkit/address.hpp"
#include "shmkit/parse.hpp"
#include "shmkit/typed.hpp"

#include <fmt/format.h>

#include <cstring>
#include <utility>

namespace shmkit::cli {

namespace {

Error usage(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

// The one source given (the table excludes the others), stdin when none is.
WriteSource source_of(const Args &args) {
  constexpr std::pair<std::string_view, WriteSource> k_sources[] = {
      {"--data", WriteSource::data}, {"--hex", WriteSource::hex},
      {"--file", WriteSource::file}, {"--type", WriteSource::typed},
      {"--fill", WriteSource::fill}, {"--zero", WriteSource::zero}};
  for (const auto &[name, source] : k_sources)
    if (args.has(name))
      return source;
  return WriteSource::standard_input;
}

// --type T VALUE...: the values, encoded in order; --atomic takes exactly one, aligned.
Result<void> encode_values(const Args &args, WritePlan &plan) {
  const ValueType type = *plan.segment.type;
  const auto &values = args.values("values");
  if (values.empty())
    return usage(fmt::format("--type {} needs at least one VALUE", value_type_name(type)));
  for (const auto &text : values) {
    auto value = encode_value(text, type, plan.segment.endian);
    if (!value)
      return std::move(value).error();
    auto bytes = value->bytes();
    plan.bytes.insert(plan.bytes.end(), bytes.begin(), bytes.end());
  }
  if (!plan.atomic)
    return {};
  const unsigned width = value_width(type);
  if (values.size() != 1)
    return usage("--atomic stores exactly one value");
  if (plan.segment.offset % width != 0)
    return usage(fmt::format("offset {} is not aligned to {} bytes, as --atomic needs for {}",
                             plan.segment.offset, width, value_type_name(type)));
  return {};
}

// The bytes of the source, where the command line holds them.
Result<void> encode_source(const Args &args, WritePlan &plan) {
  switch (plan.source) {
  case WriteSource::data: {
    const std::string &data = args.value("--data");
    plan.bytes.resize(data.size());
    std::memcpy(plan.bytes.data(), data.data(), data.size());
    return {};
  }
  case WriteSource::hex: {
    auto bytes = parse_hex_bytes(args.value("--hex"));
    if (!bytes)
      return usage(fmt::format("invalid --hex: {}", bytes.error().message));
    plan.bytes = std::move(*bytes);
    return {};
  }
  case WriteSource::typed:
    return encode_values(args, plan);
  case WriteSource::fill: {
    auto value = parse_uint(args.value("--fill"), "fill byte", 255);
    if (!value)
      return std::move(value).error();
    plan.fill = static_cast<std::byte>(*value);
    return {};
  }
  case WriteSource::file:
    plan.file = args.value("--file");
    return {};
  case WriteSource::standard_input:
  case WriteSource::zero:
    return {};
  }
  return {};
}

} // namespace

Result<WritePlan> plan_write(const Args &args) {
  WritePlan plan;
  plan.source = source_of(args);
  const auto &values = args.values("values");
  // --cas EXPECTED NEW: NEW is the one value, --type or not (plan_write_update checks both).
  if (!values.empty() && plan.source != WriteSource::typed && !wants_update(args))
    return usage(
        fmt::format("unexpected argument '{}' (values need --type)", escape_bytes(values[0])));
  if (args.has("--length") && plan.source != WriteSource::fill &&
      plan.source != WriteSource::zero)
    return usage("--length needs --fill or --zero");
  auto seg = parse_segment_options(args);
  if (!seg)
    return std::move(seg).error();
  plan.segment = std::move(*seg);
  plan.grow = args.count("--grow") > 0;
  plan.atomic = args.count("--atomic") > 0;
  plan.verbose = args.count("--verbose") > 0;
  if (args.has("--layout")) {
    if (auto planned = plan_write_layout(args, plan); !planned)
      return std::move(planned).error();
    return plan;
  }
  if (wants_update(args)) {
    if (auto planned = plan_write_update(args, plan); !planned)
      return std::move(planned).error();
    return plan;
  }
  if (auto encoded = encode_source(args, plan); !encoded)
    return std::move(encoded).error();
  return plan;
}

} // namespace shmkit::cli
