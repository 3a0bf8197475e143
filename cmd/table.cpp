#include "table.hpp"

#include "output.hpp"

#include <algorithm>

namespace shmkit::cli {

namespace {

std::size_t display_width(const std::string &s) {
  std::size_t width = 0;
  for (unsigned char c : s)
    if ((c & 0xc0u) != 0x80u)
      ++width;
  return width;
}

void pad(std::string &out, std::size_t n) { out.append(n, ' '); }

} // namespace

void Table::add_row(const std::vector<std::string> &cells) {
  for (std::size_t i = 0; i < m_columns.size(); ++i)
    m_cells.push_back(i < cells.size() ? cells[i] : std::string("-"));
}

void Table::render(std::string &out, TableStyle style, bool headings, bool color) const {
  const std::size_t ncols = m_columns.size();
  if (ncols == 0)
    return;
  const std::size_t nrows = m_cells.size() / ncols;
  std::vector<std::size_t> widths(ncols, 0);
  if (style == TableStyle::aligned) {
    for (std::size_t c = 0; c < ncols; ++c)
      widths[c] = headings ? display_width(m_columns[c].header) : 0;
    for (std::size_t r = 0; r < nrows; ++r)
      for (std::size_t c = 0; c < ncols; ++c)
        widths[c] = std::max(widths[c], display_width(m_cells[r * ncols + c]));
  }
  auto emit = [&](auto cell_at) {
    for (std::size_t c = 0; c < ncols; ++c) {
      const std::string &cell = cell_at(c);
      if (c != 0)
        out += ' ';
      if (style == TableStyle::raw) {
        out += cell;
        continue;
      }
      std::size_t fill = widths[c] - display_width(cell);
      if (m_columns[c].right) {
        pad(out, fill);
        out += cell;
      } else {
        out += cell;
        if (c + 1 != ncols)
          pad(out, fill);
      }
    }
    out += '\n';
  };
  if (headings) {
    if (color)
      out += "\033[1m";
    emit([&](std::size_t c) -> const std::string & { return m_columns[c].header; });
    if (color) {
      out.pop_back();
      out += "\033[0m\n";
    }
  }
  for (std::size_t r = 0; r < nrows; ++r) {
    emit([&](std::size_t c) -> const std::string & { return m_cells[r * ncols + c]; });
    Stdout::get().maybe_flush();
  }
}

} // namespace shmkit::cli
