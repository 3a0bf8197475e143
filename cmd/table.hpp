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
/// 300,000 strings otherwise), each cell after its length (one byte below 255, else 255 and
/// four bytes); render() pads by display width (UTF-8 code points).
class Table {
public:
  explicit Table(std::vector<TableColumn> columns);
  void reserve(std::size_t rows);
  /// Appends the next cell, row by row.
  void add_cell(std::string_view cell);
  /// The other way to add a cell, without copying it: append its text to what cell_text()
  /// returns, then call close_cell(). Once per cell.
  std::string &cell_text() {
    if (m_column == 0)
      m_rows.push_back(static_cast<std::uint32_t>(m_text.size()));
    m_text.push_back('\0'); // the length, set by close_cell()
    m_open = m_text.size();
    return m_text;
  }
  void close_cell();
  void add_row(const std::vector<std::string> &cells);
  /// Appends the table to out, rows in `order` when given. Raw: one space between cells, no
  /// padding. The last column is never padded. `color` makes the header bold.
  void render(std::string &out, TableStyle style, bool headings, bool color,
              const std::vector<std::uint32_t> *order = nullptr) const;

private:
  struct Layout;
  void measure(Layout &layout, bool headings) const;
  void render_rows(std::string &out, const Layout &layout,
                   const std::vector<std::uint32_t> *order) const;
  std::vector<TableColumn> m_columns;
  std::string m_text;                // the cells, each after its length
  std::vector<std::uint32_t> m_rows; // where each row starts in m_text
  std::size_t m_open = 0;            // where the text of the cell being added starts
  // The longest cell of each column in bytes: its width while the text is all ASCII, which
  // render() checks once for the whole buffer instead of cell by cell.
  std::vector<std::size_t> m_longest;
  std::size_t m_column = 0; // the column of the next cell
};

} // namespace shmkit::cli
