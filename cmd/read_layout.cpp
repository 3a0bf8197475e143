// shmkit read --layout: the fields of a C struct, one `name = value` line each or one JSON
// value, for --count consecutive records (shmkit-read(1) LAYOUTS).
#include "read_layout.hpp"

#include "json.hpp"
#include "layout_option.hpp"
#include "output.hpp"
#include "read_consistent.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace shmkit::cli {

namespace {

// The JSON writer nests k_max_depth deep (json.hpp): the root object, one level per nested
// struct or array dimension, and the array of --count records.
constexpr unsigned k_json_depth = k_max_depth;

// Records per chunk of a plain read: about 1 MiB of input at a time.
constexpr std::uint64_t k_chunk_bytes = std::uint64_t{1} << 20;

Result<void> plan_seqlock(const Args &args, ReadPlan &plan) {
  const std::string &name = args.value("--seqlock");
  const Layout &layout = *plan.layout;
  const LayoutField *field = layout.find(name);
  if (field == nullptr)
    return make_error(Errc::invalid_argument,
                      fmt::format("unknown field '{}' in --seqlock", escape_bytes(name)));
  if (field->kind != FieldKind::unsigned_int)
    return make_error(Errc::invalid_argument,
                      fmt::format("--seqlock field '{}' is not an unsigned integer (it is {} {})",
                                  field->path, field_kind_name(field->kind), field->c_type));
  const std::uint64_t at = plan.segment.offset + field->offset;
  if (plan.records > 1 && plan.layout->size % field->size != 0) // a packed struct
    return make_error(Errc::invalid_argument,
                      fmt::format("--seqlock field '{}' is not aligned to its {} bytes in every "
                                  "record (the struct's size is {})",
                                  field->path, field->size, plan.layout->size));
  if (at % field->size != 0)
    return make_error(Errc::invalid_argument,
                      fmt::format("--seqlock field '{}' at offset {} is not aligned to its {} "
                                  "bytes (check --offset)",
                                  field->path, at, field->size));
  plan.mode = ReadMode::seqlock;
  plan.seqlock_field = static_cast<std::size_t>(field - layout.fields.data());
  return {};
}

void json_node(JsonWriter &w, const LayoutNode &node, const Layout &layout,
               std::span<const std::byte> record, Endian endian);

void json_leaf(JsonWriter &w, const LayoutField &f, std::span<const std::byte> record,
               Endian endian) {
  switch (f.kind) {
  case FieldKind::floating:
    w.number_text(format_field(f, record, endian));
    return;
  case FieldKind::pointer:
    w.string(format_field(f, record, endian));
    return;
  default:
    break;
  }
  FieldValue v = decode_field(f, record, endian);
  if (const auto *i = std::get_if<std::int64_t>(&v))
    w.number(*i);
  else if (const auto *u = std::get_if<std::uint64_t>(&v))
    w.number(*u);
  else if (const auto *b = std::get_if<bool>(&v))
    w.boolean(*b);
  else if (const auto *s = std::get_if<std::string>(&v))
    w.string(*s);
}

void json_node(JsonWriter &w, const LayoutNode &node, const Layout &layout,
               std::span<const std::byte> record, Endian endian) {
  if (node.shape == NodeShape::leaf) {
    json_leaf(w, layout.fields[node.field], record, endian);
    return;
  }
  if (node.shape == NodeShape::array) {
    w.array();
    for (const LayoutNode &child : node.children)
      json_node(w, child, layout, record, endian);
    w.end();
    return;
  }
  w.object();
  for (const LayoutNode &child : node.children) {
    const bool text =
        child.shape == NodeShape::leaf && layout.fields[child.field].kind == FieldKind::text;
    if (text) // with NAME_hex when the bytes are not UTF-8
      w.text_field(child.name,
                   std::get<std::string>(decode_field(layout.fields[child.field], record, endian)));
    else
      json_node(w.key(child.name), child, layout, record, endian);
  }
  w.end();
}

// One `[I].path = value` line per leaf (no `[I].` without --count).
void print_text(std::string &out, const Layout &layout, std::span<const std::byte> record,
                Endian endian, std::string_view prefix) {
  for (const LayoutField &f : layout.fields) {
    out += prefix;
    out += f.path;
    out += " = ";
    out += format_field(f, record, endian);
    out += '\n';
  }
}

// Prints the records of `bytes` (whole records), the first being record `first`.
void print_records(const ReadPlan &plan, std::span<const std::byte> bytes, std::uint64_t first,
                   JsonWriter &w) {
  const Layout &layout = *plan.layout;
  const Endian endian = plan.segment.endian;
  auto &out = Stdout::get();
  const std::size_t stride = static_cast<std::size_t>(layout.size);
  for (std::size_t at = 0; at + stride <= bytes.size() && !out.failed(); at += stride) {
    const auto record = bytes.subspan(at, stride);
    const std::uint64_t index = first + at / stride;
    if (plan.json)
      json_node(w, layout.root, layout, record, endian);
    else
      print_text(out.buffer(), layout, record, endian,
                 plan.segment.count ? fmt::format("[{}].", index) : std::string());
    out.maybe_flush();
  }
}

// Plain reads: chunks of whole records, so memory stays bounded for a large table.
Result<void> read_plain(Handle &handle, const ReadPlan &plan, JsonWriter &w) {
  const std::uint64_t stride = plan.layout->size;
  const std::uint64_t per_chunk = std::max<std::uint64_t>(1, k_chunk_bytes / stride);
  std::vector<std::byte> chunk;
  auto &out = Stdout::get();
  for (std::uint64_t first = 0; first < plan.records && !out.failed(); first += per_chunk) {
    const std::uint64_t n = std::min(per_chunk, plan.records - first);
    chunk.resize(static_cast<std::size_t>(n * stride));
    auto got = read_exactly(handle, plan.segment.offset + first * stride, chunk);
    if (!got)
      return got;
    print_records(plan, chunk, first, w);
  }
  return {};
}

} // namespace

Result<Outcome> read_layout(Handle &handle, const ReadPlan &plan) {
  auto &out = Stdout::get();
  JsonWriter w(out.buffer());
  if (plan.json && plan.segment.count)
    w.array(JsonWriter::Layout::lines);
  if (plan.mode == ReadMode::plain) {
    if (auto ok = read_plain(handle, plan, w); !ok)
      return std::move(ok).error();
  } else {
    auto bytes = plan.mode == ReadMode::seqlock
                     ? read_seqlock(handle, plan.segment.offset, plan.records, *plan.layout,
                                    plan.layout->fields[plan.seqlock_field], plan.segment.endian)
                     : read_stable(handle, plan.segment.offset, *plan.segment.length);
    if (!bytes)
      return std::move(bytes).error();
    print_records(plan, *bytes, 0, w);
  }
  if (plan.json && plan.segment.count)
    w.end();
  if (plan.json)
    w.line();
  return Outcome::ok;
}

Result<void> plan_read_layout(const Args &args, ReadPlan &plan) {
  auto layout = parse_layout_option(args);
  if (!layout)
    return std::move(layout).error();
  plan.layout = std::move(**layout);
  plan.format = ReadFormat::layout;
  SegmentOptions &seg = plan.segment;
  auto records = plan_layout_records(*plan.layout, seg, args);
  if (!records)
    return std::move(records).error();
  plan.records = *records;
  plan.json = args.count("--json") > 0;
  const unsigned depth = plan.layout->depth + (seg.count ? 1 : 0);
  if (plan.json && depth > k_json_depth)
    return make_error(
        Errc::invalid_argument,
        fmt::format("--json: the layout nests {} levels deep, more than {}", depth, k_json_depth));
  if (args.has("--seqlock"))
    return plan_seqlock(args, plan);
  return {};
}

} // namespace shmkit::cli
