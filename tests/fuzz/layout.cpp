// Fuzz target: C struct layouts (lib/shmkit/layout.hpp), the text of `read --layout`,
// `write --layout` and `watch --layout`, and the values printed from and written to its fields.
//
// Properties: a rejection is invalid_argument or out_of_range with one printable line; an
// accepted layout has a power-of-two alignment, a size that is a positive multiple of it, every
// leaf inside the record with a unique non-empty path that find() returns, a size matching its
// kind, and no overlap unless the layout has unions; the tree's leaves are the fields, each
// once, in order; parsing again gives the same layout; for any record bytes, the value printed
// for a numeric or pointer field is accepted by encode_field and gives the same bytes (NaN: a
// NaN), in both byte orders.
#include "fuzz_common.hpp"

#include "shmkit/layout.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <set>
#include <vector>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

void check_tree(const Layout &layout, const LayoutNode &node, std::size_t &next_leaf) {
  if (node.shape == NodeShape::leaf) {
    FUZZ_CHECK(node.field == next_leaf);
    ++next_leaf;
    FUZZ_CHECK(node.children.empty());
    return;
  }
  for (const LayoutNode &child : node.children) {
    FUZZ_CHECK((node.shape == NodeShape::record) == !child.name.empty());
    check_tree(layout, child, next_leaf);
  }
}

void check_values(const Layout &layout, std::span<const std::byte> seed) {
  std::vector<std::byte> record(
      static_cast<std::size_t>(std::min<std::uint64_t>(layout.size, 4096)));
  for (std::size_t i = 0; i < record.size(); ++i)
    record[i] = seed.empty() ? std::byte{0} : seed[i % seed.size()];
  std::size_t checked = 0;
  for (const LayoutField &f : layout.fields) {
    if (f.offset + f.size > record.size() || ++checked > 64)
      break;
    for (Endian endian : {Endian::little, Endian::big}) {
      const std::string shown = format_field(f, record, endian);
      FUZZ_CHECK(f.kind == FieldKind::text || is_printable_line(shown));
      if (f.kind == FieldKind::text || f.kind == FieldKind::boolean)
        continue;
      auto bytes = encode_field(f, shown, endian);
      FUZZ_CHECK_MSG(bytes.has_value(), f.path + " = " + shown);
      FUZZ_CHECK(bytes->size() == f.size);
      auto want = field_bytes(f, record);
      if (f.kind == FieldKind::floating) {
        auto value = decode_field(f, record, endian);
        if (std::isnan(std::get<double>(value)))
          continue;
      }
      FUZZ_CHECK_MSG(std::equal(want.begin(), want.end(), bytes->begin()), f.path + " = " + shown);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size > 8192)
    return 0;
  Input in(data, size);
  const std::uint8_t choice = in.byte();
  const std::string_view text = in.rest();
  const std::string_view name = (choice & 1) != 0 ? "s" : "";
  auto layout = parse_layout(text, name);
  if (!layout) {
    FUZZ_CHECK_ERROR(layout.error());
    FUZZ_CHECK(layout.error().code == Errc::invalid_argument ||
               layout.error().code == Errc::out_of_range);
    return 0;
  }
  const Layout &l = *layout;
  FUZZ_CHECK(std::has_single_bit(l.align));
  FUZZ_CHECK(l.size > 0 && l.size % l.align == 0);
  FUZZ_CHECK(!l.fields.empty() && l.fields.size() <= k_layout_max_fields);
  std::set<std::string_view> paths;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const LayoutField &f : l.fields) {
    FUZZ_CHECK(!f.path.empty() && paths.insert(f.path).second);
    FUZZ_CHECK(f.size > 0 && f.offset + f.size <= l.size);
    if (f.kind != FieldKind::text)
      FUZZ_CHECK(f.size == value_width(f.type));
    if (f.kind == FieldKind::pointer)
      FUZZ_CHECK(f.size == 8);
    ranges.emplace_back(f.offset, f.offset + f.size);
  }
  if (l.fields.size() <= 4096) {
    for (const LayoutField &f : l.fields)
      FUZZ_CHECK(l.find(f.path) == &f);
  }
  if (!l.has_unions) {
    std::sort(ranges.begin(), ranges.end());
    for (std::size_t i = 1; i < ranges.size(); ++i)
      FUZZ_CHECK(ranges[i - 1].second <= ranges[i].first);
  }
  std::size_t next_leaf = 0;
  FUZZ_CHECK(l.root.shape == NodeShape::record);
  check_tree(l, l.root, next_leaf);
  FUZZ_CHECK(next_leaf == l.fields.size());
  auto again = parse_layout(text, name);
  FUZZ_CHECK(again && again->size == l.size && again->fields.size() == l.fields.size());
  check_values(l, std::as_bytes(std::span(text.data(), text.size())));
  return 0;
}
