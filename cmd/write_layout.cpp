// write --layout DECLS --set FIELD=VALUE... and write --layout DECLS --field NAME --cas/--add/...:
// fields of a C struct written by name (shmkit-write(1), LAYOUTS). Every assignment is encoded
// while planning (unknown field, bad value: a usage error), and the whole layout must fit the
// segment at --offset before the first field is written, so a bad assignment writes nothing.
#include "layout_option.hpp"
#include "open_segment.hpp"
#include "output.hpp"
#include "write_plan.hpp"

#include "shmkit/address.hpp"
#include "shmkit/signals.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>

namespace shmkit::cli {

namespace {

Error usage(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

// --set FIELD=VALUE, each encoded in the field's type.
Result<void> plan_assignments(const Args &args, WritePlan &plan) {
  const Layout &layout = *plan.layout;
  for (const std::string &text : args.values("--set")) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage(fmt::format("invalid --set '{}': expected FIELD=VALUE", escape_bytes(text)));
    const std::string_view path = std::string_view(text).substr(0, eq);
    const LayoutField *field = layout.find(path);
    if (field == nullptr)
      return usage(fmt::format("unknown field '{}' in --set", escape_bytes(path)));
    for (const FieldAssignment &done : plan.assignments)
      if (done.path == path)
        return usage(fmt::format("field '{}' is set twice", escape_bytes(path)));
    auto bytes = encode_field(*field, std::string_view(text).substr(eq + 1), plan.segment.endian);
    if (!bytes)
      return std::move(bytes).error();
    plan.assignments.push_back({std::string(path), field->offset, std::move(*bytes)});
  }
  return {};
}

// --field NAME: the operation acts on that field, at --offset plus its offset, with its type.
Result<void> plan_field(const Args &args, WritePlan &plan) {
  const std::string &name = args.value("--field");
  const LayoutField *field = plan.layout->find(name);
  if (field == nullptr)
    return usage(fmt::format("unknown field '{}' in --field", escape_bytes(name)));
  if (!wants_update(args))
    return usage("--field needs --cas, --add, --or, --and or --xor");
  const bool integer =
      field->kind == FieldKind::signed_int || field->kind == FieldKind::unsigned_int;
  if (field->kind == FieldKind::text || (!integer && !args.has("--cas")))
    return usage(fmt::format(
        "field '{}' is {} ({}): {}", escape_bytes(name),
        field->kind == FieldKind::text ? "a string" : "not an integer", field->c_type,
        field->kind == FieldKind::text ? "atomic operations need a 1, 2, 4 or 8-byte number"
                                       : "only --cas applies"));
  const std::uint64_t at = plan.segment.offset + field->offset;
  if (at < plan.segment.offset)
    return make_error(Errc::out_of_range, "--offset plus the field's offset is too large");
  if (at % field->size != 0)
    return usage(fmt::format("field '{}' at offset {} is not aligned to {} bytes, as atomic "
                             "operations need",
                             escape_bytes(name), at, field->size));
  plan.segment.offset = at;
  plan.segment.type = field->type;
  if (auto planned = plan_write_update(args, plan); !planned)
    return planned;
  plan.update->field = *field;
  return {};
}

} // namespace

Result<void> plan_write_layout(const Args &args, WritePlan &plan) {
  auto layout = parse_layout_option(args);
  if (!layout)
    return std::move(layout).error();
  plan.layout = std::move(**layout);
  if (args.has("--field"))
    return plan_field(args, plan);
  if (!args.has("--set"))
    return usage("--layout needs --set FIELD=VALUE, or --field NAME with --cas, --add, --or, "
                 "--and or --xor");
  if (!args.values("values").empty())
    return usage(fmt::format("unexpected argument '{}' (--set gives the values)",
                             escape_bytes(args.values("values")[0])));
  return plan_assignments(args, plan);
}

Result<Outcome> run_write_layout(const WritePlan &plan) {
  const SegmentOptions &seg = plan.segment;
  auto opened = open_segment(seg.ref, Access::read_write);
  if (!opened)
    return std::move(opened).error();
  if (auto fits = check_layout_fits(*plan.layout, 1, seg.offset, opened->size, opened->shown);
      !fits)
    return make_error(Errc::past_end, fits.error().message + "; nothing was written");
  std::uint64_t bytes = 0;
  {
    // Every field goes in, or (a failure of the system) the first error stops it: held signals
    // wait until the last one is in, as for any write (shmkit-write(1) SIGNALS).
    const HeldSignals held;
    for (const FieldAssignment &set : plan.assignments) {
      auto written = opened->handle->write_at(seg.offset + set.offset, set.bytes);
      if (!written)
        return std::move(written).error();
      bytes += set.bytes.size();
    }
  }
  if (plan.verbose)
    Stdout::get().write(fmt::format("wrote {} fields ({} bytes) to {} at offset {}\n",
                                    plan.assignments.size(), bytes, opened->shown, seg.offset));
  return Outcome::ok;
}

} // namespace shmkit::cli
