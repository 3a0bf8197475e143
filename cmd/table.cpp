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

Table::Table(std::vector<TableColumn> columns) : m_columns(std::move(columns)) {
  for (const auto &c : m_columns)
    m_max.push_back(display_width(c.header));
}

void Table::reserve(std::size_t rows) {
  m_ends.reserve(rows * m_columns.size());
  m_widths.reserve(rows * m_columns.size());
  m_text.reserve(rows * m_columns.size() * 8);
}

void Table::add_cell(std::string_view cell) {
  std::size_t width = display_width(cell);
  std::size_t column = m_ends.size() % m_columns.size();
  m_max[column] = std::max(m_max[column], width);
  m_widths.push_back(static_cast<std::uint16_t>(std::min<std::size_t>(width, UINT16_MAX)));
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
    widths = m_max;
    if (!headings) {
      // Without the header line, its width does not count.
      std::fill(widths.begin(), widths.end(), 0);
      for (std::size_t i = 0; i < m_widths.size(); ++i)
        widths[i % ncols] = std::max<std::size_t>(widths[i % ncols], m_widths[i]);
    }
  }
  auto emit = [&](auto cell_at, auto width_at) {
    for (std::size_t c = 0; c < ncols; ++c) {
      std::string_view text = cell_at(c);
      if (c != 0)
        out += ' ';
      if (style == TableStyle::raw) {
        out += text;
        continue;
      }
      std::size_t fill = widths[c] - width_at(c);
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
    emit([&](std::size_t c) { return std::string_view(m_columns[c].header); },
         [&](std::size_t c) { return display_width(m_columns[c].header); });
    if (color) {
      out.pop_back();
      out += "\033[0m\n";
    }
  }
  for (std::size_t i = 0; i < nrows; ++i) {
    std::size_t r = order != nullptr ? (*order)[i] : i;
    emit([&](std::size_t c) { return cell(r * ncols + c); },
         [&](std::size_t c) { return std::size_t{m_widths[r * ncols + c]}; });
    Stdout::get().maybe_flush();
  }
}

} // namespace shmkit::cli
