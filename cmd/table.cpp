#include "table.hpp"

#include "output.hpp"

#include <algorithm>

namespace shmkit::cli {

namespace {

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (unsigned char c : s)
    if ((c & 0xc0u) != 0x80u)
      ++width;
  return width;
}

} // namespace

void Table::reserve(std::size_t rows) {
  m_ends.reserve(rows * m_columns.size());
  m_text.reserve(rows * m_columns.size() * 8);
}

void Table::add_cell(std::string_view cell) {
  m_text.append(cell);
  m_ends.push_back(static_cast<std::uint32_t>(m_text.size()));
}

void Table::add_row(const std::vector<std::string> &cells) {
  for (std::size_t i = 0; i < m_columns.size(); ++i)
    add_cell(i < cells.size() ? std::string_view(cells[i]) : std::string_view("-"));
}

void Table::render(std::string &out, TableStyle style, bool headings, bool color,
                   const std::vector<std::uint32_t> *order) const {
  const std::size_t ncols = m_columns.size();
  if (ncols == 0)
    return;
  const std::size_t nrows = m_ends.size() / ncols;
  std::vector<std::size_t> widths(ncols, 0);
  if (style == TableStyle::aligned) {
    for (std::size_t c = 0; c < ncols; ++c)
      widths[c] = headings ? display_width(m_columns[c].header) : 0;
    for (std::size_t i = 0; i < nrows * ncols; ++i)
      widths[i % ncols] = std::max(widths[i % ncols], display_width(cell(i)));
  }
  auto emit = [&](auto cell_at) {
    for (std::size_t c = 0; c < ncols; ++c) {
      std::string_view text = cell_at(c);
      if (c != 0)
        out += ' ';
      if (style == TableStyle::raw) {
        out += text;
        continue;
      }
      std::size_t fill = widths[c] - display_width(text);
      if (m_columns[c].right) {
        out.append(fill, ' ');
        out += text;
      } else {
        out += text;
        if (c + 1 != ncols)
          out.append(fill, ' ');
      }
    }
    out += '\n';
  };
  if (headings) {
    if (color)
      out += "\033[1m";
    emit([&](std::size_t c) { return std::string_view(m_columns[c].header); });
    if (color) {
      out.pop_back();
      out += "\033[0m\n";
    }
  }
  for (std::size_t i = 0; i < nrows; ++i) {
    std::size_t r = order != nullptr ? (*order)[i] : i;
    emit([&](std::size_t c) { return cell(r * ncols + c); });
    Stdout::get().maybe_flush();
  }
}

} // namespace shmkit::cli
