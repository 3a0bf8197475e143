// Column-aligned and raw tables, formatted into one output buffer (DESIGN.md section 9).
#pragma once

#include <string>
#include <vector>

namespace shmkit::cli {

struct TableColumn {
  std::string header;
  bool right = false; ///< right-align (numbers)
};

enum class TableStyle { aligned, raw };

/// Rows of already-escaped cells; render() pads by display width (UTF-8 code points).
class Table {
public:
  explicit Table(std::vector<TableColumn> columns) : m_columns(std::move(columns)) {}
  void reserve(std::size_t rows) { m_cells.reserve(rows * m_columns.size()); }
  void add_row(const std::vector<std::string> &cells);
  /// Appends the table to out. Raw: one space between cells, no padding. The last column is
  /// never padded. `color` makes the header bold.
  void render(std::string &out, TableStyle style, bool headings, bool color) const;

private:
  std::vector<TableColumn> m_columns;
  std::vector<std::string> m_cells; // row-major
};

} // namespace shmkit::cli
