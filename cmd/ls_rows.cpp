#include "ls_rows.hpp"

#include "output.hpp"
#include "target.hpp"

#include "shmkit/backend.hpp"

#include <algorithm>

namespace shmkit::cli {

namespace {

std::vector<TableColumn> headers(const std::vector<const Column *> &columns) {
  std::vector<TableColumn> h;
  h.reserve(columns.size());
  for (const Column *c : columns)
    h.push_back({std::string(c->header), c->align == Align::right});
  return h;
}

// The position of a kind in listing order (SysV, POSIX, file).
std::uint8_t kind_rank(Kind kind) {
  auto traits = kind_traits();
  for (std::size_t i = 0; i < traits.size(); ++i)
    if (traits[i].kind == kind)
      return static_cast<std::uint8_t>(i);
  return static_cast<std::uint8_t>(traits.size());
}

} // namespace

RowSink::RowSink(const RowFormat &format, RowContext &ctx)
    : m_format(format), m_ctx(ctx), m_table(headers(format.columns)) {
  // Large allocations are mmap'ed and cost nothing until touched, while growing by doubling
  // would copy and touch everything twice: reserve for a big listing up front.
  constexpr std::size_t k_expected_rows = 1 << 16;
  if (m_format.mode == LsMode::table || m_format.mode == LsMode::raw)
    m_table.reserve(k_expected_rows);
  if (m_format.sort != nullptr || m_format.default_sort)
    m_keys.reserve(k_expected_rows);
}

void RowSink::add_key(std::uint8_t rank, const Cell &cell) {
  m_key_text.append(cell.text);
  m_keys.push_back(
      SortKey{cell.number, static_cast<std::uint32_t>(m_key_text.size()), rank, cell.present});
}

std::string_view RowSink::key_text(std::uint32_t row) const {
  std::size_t begin = row == 0 ? 0 : m_keys[row - 1].text_end;
  return std::string_view(m_key_text).substr(begin, m_keys[row].text_end - begin);
}

bool RowSink::key_less(std::uint32_t a, std::uint32_t b) const {
  const SortKey &x = m_keys[a];
  const SortKey &y = m_keys[b];
  if (x.rank != y.rank)
    return x.rank < y.rank;
  if (x.present != y.present)
    return y.present;
  if (x.number != y.number)
    return x.number < y.number;
  return key_text(a) < key_text(b);
}

void RowSink::add(const SegmentInfo &s) {
  if (m_format.sort != nullptr) {
    add_key(0, m_format.sort->read(s, m_ctx));
  } else if (m_format.default_sort) {
    const KindTraits &traits = traits_of(s.kind);
    Cell key = traits.ordered_by_id
                   ? number_cell(s.id)
                   : text_cell(s.name ? std::string_view(*s.name) : std::string_view());
    // ls -A: by kind, then namespace by namespace in the order they were walked.
    if (m_ctx.ns != nullptr)
      key.number += static_cast<std::uint64_t>(m_ctx.ns->order) << 32;
    add_key(kind_rank(s.kind), key);
  }
  ++m_count;
  switch (m_format.mode) {
  case LsMode::table:
  case LsMode::raw:
    // Each cell is formatted straight into the table's buffer.
    for (const Column *c : m_format.columns) {
      append_cell_text(m_table.cell_text(), *c, c->read(s, m_ctx), m_format.style);
      m_table.close_cell();
    }
    return;
  case LsMode::json:
    add_json(s);
    break;
  case LsMode::export_pairs:
    add_export(s);
    break;
  }
  m_ends.push_back(m_text.size());
}

void RowSink::add_json(const SegmentInfo &s) {
  JsonWriter json(m_text);
  json.object();
  // "target" (--target, -A) goes right after "segment": the two name what to act on.
  bool targeted = false;
  for (const Column *c : m_format.columns) {
    write_cell_json(json, *c, c->read(s, m_ctx));
    if (c->name == "segment") {
      write_row_target(json, s, m_ctx);
      targeted = true;
    }
  }
  if (!targeted)
    write_row_target(json, s, m_ctx);
  json.end();
}

void RowSink::add_export(const SegmentInfo &s) {
  bool first = true;
  for (const Column *c : m_format.columns) {
    if (!first)
      m_text += ' ';
    first = false;
    m_text += c->header;
    m_text += "=\"";
    m_cell.clear();
    append_cell_text(m_cell, *c, c->read(s, m_ctx), m_format.style);
    append_export_value(m_text, m_cell);
    m_text += '"';
  }
  m_text += '\n';
}

std::vector<std::uint32_t> RowSink::order() const {
  // Backends mostly list in order already (SysV by index, which is shmid order until ids
  // wrap): then there is nothing to sort.
  bool sorted = true;
  for (std::uint32_t i = 1; i < m_keys.size() && sorted; ++i)
    sorted = !key_less(i, i - 1);
  if (sorted)
    return {};
  std::vector<std::uint32_t> order(m_count);
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [this](std::uint32_t a, std::uint32_t b) { return key_less(a, b); });
  return order;
}

void RowSink::render(std::string &out, bool color) {
  const std::vector<std::uint32_t> rows = order();
  const bool in_order = rows.empty();
  if (m_format.mode == LsMode::table || m_format.mode == LsMode::raw) {
    const bool raw = m_format.mode == LsMode::raw;
    if (!raw && m_format.headings)
      out += target_heading(); // --target: "# ipc:[N] /dev/shm of pid P (COMM)"
    m_table.render(out, raw ? TableStyle::raw : TableStyle::aligned, m_format.headings,
                   color && !raw, in_order ? nullptr : &rows);
    return;
  }
  JsonWriter json(out);
  if (m_format.mode == LsMode::json)
    write_target_json(json.object());
  if (m_format.mode == LsMode::json)
    json.key("segments").array(JsonWriter::Layout::lines);
  for (std::size_t i = 0; i < m_count; ++i) {
    const std::uint32_t r = in_order ? static_cast<std::uint32_t>(i) : rows[i];
    std::size_t begin = r == 0 ? 0 : m_ends[r - 1];
    std::string_view row = std::string_view(m_text).substr(begin, m_ends[r] - begin);
    if (m_format.mode == LsMode::json)
      json.raw(row);
    else
      out += row;
    Stdout::get().maybe_flush();
  }
  if (m_format.mode == LsMode::json)
    json.end().end().line();
}

} // namespace shmkit::cli
