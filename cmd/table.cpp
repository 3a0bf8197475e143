#include "table.hpp"

#include "output.hpp"

#include <algorithm>
#include <cstring>

namespace shmkit::cli {

namespace {

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (unsigned char c : s)
    if ((c & 0xc0u) != 0x80u)
      ++width;
  return width;
}

// Eight bytes at a time: one pass over a whole listing's text.
bool is_ascii(std::string_view s) {
  std::uint64_t high = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, s.data() + i, sizeof word);
    high |= word;
  }
  for (; i < s.size(); ++i)
    high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

// How a column's cells are padded to its width.
enum Pad : std::uint8_t { k_no_pad, k_pad_before, k_pad_after };

// A cell's length byte; k_long says that four bytes of length follow.
constexpr unsigned char k_long = 255;

// The cell at p (after its length); advances p past it.
std::string_view take_cell(const char *&p) {
  std::size_t n = static_cast<unsigned char>(*p++);
  if (n == k_long) {
    std::uint32_t length = 0;
    std::memcpy(&length, p, sizeof length);
    p += sizeof length;
    n = length;
  }
  std::string_view cell(p, n);
  p += n;
  return cell;
}

// Rows are written through a pointer into a block of this size, which goes to the output
// whole. A short cell or padding is copied as a fixed 16 bytes (a single move, no call) and
// the pointer advanced by its length: the slack keeps those copies inside the block.
constexpr std::size_t k_block = 1 << 16;
constexpr std::size_t k_short = 16;
constexpr std::size_t k_slack = k_short;
constexpr char k_spaces[k_short + 1] = "                ";

char *put_spaces(char *p, std::size_t n) {
  if (n <= k_short)
    std::memcpy(p, k_spaces, k_short);
  else
    std::memset(p, ' ', n);
  return p + n;
}

// `readable`: the 16 bytes from src may be read.
char *put_text(char *p, std::string_view text, bool readable) {
  if (text.size() <= k_short && readable)
    std::memcpy(p, text.data(), k_short);
  else
    std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

} // namespace

// The widths render() pads to.
struct Table::Layout {
  std::size_t rows = 0;                   // complete rows
  std::vector<std::size_t> widths;        // of each column
  std::vector<std::uint8_t> pads;         // Pad of each column
  std::vector<std::uint32_t> cell_widths; // of each cell; empty when the text is all ASCII
  std::size_t pad_bound = 0;              // the most padding a row can get
};

Table::Table(std::vector<TableColumn> columns)
    : m_columns(std::move(columns)), m_longest(m_columns.size(), 0) {}

void Table::reserve(std::size_t rows) {
  m_rows.reserve(rows);
  m_text.reserve(rows * m_columns.size() * 8);
}

void Table::add_cell(std::string_view cell) {
  cell_text().append(cell);
  close_cell();
}

void Table::close_cell() {
  if (m_columns.empty())
    return;
  const std::size_t n = m_text.size() - m_open;
  if (n < k_long) {
    m_text[m_open - 1] = static_cast<char>(n);
  } else {
    m_text[m_open - 1] = static_cast<char>(k_long);
    const auto length = static_cast<std::uint32_t>(n);
    m_text.insert(m_open, reinterpret_cast<const char *>(&length), sizeof length);
  }
  m_longest[m_column] = std::max(m_longest[m_column], n);
  if (++m_column == m_columns.size())
    m_column = 0;
}

void Table::add_row(const std::vector<std::string> &cells) {
  for (std::size_t i = 0; i < m_columns.size(); ++i)
    add_cell(i < cells.size() ? std::string_view(cells[i]) : std::string_view("-"));
}

void Table::measure(Layout &layout, bool headings) const {
  const std::size_t ncols = m_columns.size();
  // Without the header line, its width does not count.
  for (std::size_t c = 0; c < ncols; ++c)
    layout.widths[c] = headings ? display_width(m_columns[c].header) : 0;
  // (A length byte of 128 or more also fails the ASCII test: that takes the exact path.)
  if (is_ascii(m_text)) {
    for (std::size_t c = 0; c < ncols; ++c)
      layout.widths[c] = std::max(layout.widths[c], m_longest[c]);
  } else {
    layout.cell_widths.reserve(layout.rows * ncols);
    for (std::size_t r = 0; r < layout.rows; ++r) {
      const char *p = m_text.data() + m_rows[r];
      for (std::size_t c = 0; c < ncols; ++c) {
        layout.cell_widths.push_back(static_cast<std::uint32_t>(display_width(take_cell(p))));
        layout.widths[c] = std::max<std::size_t>(layout.widths[c], layout.cell_widths.back());
      }
    }
  }
  // The last column is padded only when right-aligned.
  for (std::size_t c = 0; c < ncols; ++c) {
    layout.pads[c] = m_columns[c].right ? k_pad_before : c + 1 != ncols ? k_pad_after : k_no_pad;
    if (layout.pads[c] != k_no_pad)
      layout.pad_bound += layout.widths[c];
  }
}

void Table::render_rows(std::string &out, const Layout &layout,
                        const std::vector<std::uint32_t> *order) const {
  const std::size_t ncols = m_columns.size();
  const char *text_end = m_text.data() + m_text.size();
  std::string block;
  std::size_t used = 0;
  if (m_text.size() > k_block && &out == &Stdout::get().buffer())
    Stdout::get().reserve_bulk(k_block);
  for (std::size_t i = 0; i < layout.rows; ++i) {
    const std::size_t row = order != nullptr ? (*order)[i] : i;
    const char *p = m_text.data() + m_rows[row];
    const char *row_end = row + 1 < m_rows.size() ? m_text.data() + m_rows[row + 1] : text_end;
    // Every cell, its padding, the separators and the newline.
    const auto bound =
        static_cast<std::size_t>(row_end - p) + layout.pad_bound + ncols + k_slack;
    if (used + bound > block.size()) {
      out.append(block.data(), used);
      Stdout::get().maybe_flush();
      used = 0;
      if (bound > block.size())
        block.resize(std::max(bound, k_block));
    }
    char *q = block.data() + used;
    for (std::size_t c = 0; c < ncols; ++c) {
      const std::string_view cell = take_cell(p);
      const bool readable = text_end - cell.data() >= static_cast<std::ptrdiff_t>(k_short);
      const std::uint8_t pad = layout.pads[c];
      if (pad == k_no_pad) {
        q = put_text(q, cell, readable);
      } else {
        const std::size_t width =
            layout.cell_widths.empty() ? cell.size() : layout.cell_widths[row * ncols + c];
        const std::size_t fill = layout.widths[c] - width;
        if (pad == k_pad_before) {
          q = put_spaces(q, fill);
          q = put_text(q, cell, readable);
        } else {
          q = put_text(q, cell, readable);
          q = put_spaces(q, fill);
        }
      }
      *q++ = c + 1 == ncols ? '\n' : ' ';
    }
    used = static_cast<std::size_t>(q - block.data());
  }
  out.append(block.data(), used);
  Stdout::get().maybe_flush();
}

void Table::render(std::string &out, TableStyle style, bool headings, bool color,
                   const std::vector<std::uint32_t> *order) const {
  const std::size_t ncols = m_columns.size();
  if (ncols == 0)
    return;
  Layout layout;
  layout.rows = m_column == 0 ? m_rows.size() : m_rows.size() - 1;
  layout.widths.assign(ncols, 0);
  layout.pads.assign(ncols, k_no_pad);
  if (style == TableStyle::aligned)
    measure(layout, headings);
  if (headings) {
    if (color)
      out += "\033[1m";
    for (std::size_t c = 0; c < ncols; ++c) {
      const std::string &header = m_columns[c].header;
      const std::uint8_t pad = layout.pads[c];
      const std::size_t fill = pad == k_no_pad ? 0 : layout.widths[c] - display_width(header);
      if (c != 0)
        out += ' ';
      if (pad == k_pad_before)
        out.append(fill, ' ');
      out += header;
      if (pad == k_pad_after)
        out.append(fill, ' ');
    }
    out += color ? "\033[0m\n" : "\n";
  }
  render_rows(out, layout, order);
}

} // namespace shmkit::cli
