// Column-aligned and raw tables, formatted into one output buffer (cmd/README.md, where the time goes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shmkit::cli {

struct TableColumn {
  std::string header;
  bool right = false; ///< right-align (numbers)
};

enum class TableStyle { aligned, raw };

/// Rows of already-escaped cells, stored in one flat buffer (30,000 rows x 10 cells would be
/// 300,000 strings otherwise); render() pads by display width (UTF-8 code points).
class Table {
public:
  explicit Table(std::vector<TableColumn> columns);
  void reserve(std::size_t rows);
  /// Appends the next cell, row by row.
  void add_cell(std::string_view cell);
  void add_row(const std::vector<std::string> &cells);
  /// Appends the table to out, rows in `order` when given. Raw: one space between cells, no
  /// padding. The last column is never padded. `color` makes the header bold.
  void render(std::string &out, TableStyle style, bool headings, bool color,
              const std::vector<std::uint32_t> *order = nullptr) const;

private:
  std::string_view cell(std::size_t index) const {
    std::size_t begin = index == 0 ? 0 : m_ends[index - 1];
    return std::string_view(m_text).substr(begin, m_ends[index] - begin);
  }
  std::vector<TableColumn> m_columns;
  std::string m_text;
  std::vector<std::uint32_t> m_ends;   // end offset of each cell in m_text
  std::vector<std::uint16_t> m_widths; // display width of each cell (measured once)
  std::vector<std::size_t> m_max;      // widest cell of each column, header included
};

} // namespace shmkit::cli
