// cmd/table.hpp: the flat cell buffer (a length before each cell, four bytes of it from 255
// bytes on), padding by display width once a cell is not ASCII, raw tables and row order.
#include "table.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace shmkit::cli;

namespace {

Table two_columns() { return Table({{"NAME", false}, {"SIZE", true}}); }

std::string render(const Table &table, TableStyle style = TableStyle::aligned, bool headings = true,
                   const std::vector<std::uint32_t> *order = nullptr) {
  std::string out;
  table.render(out, style, headings, false, order);
  return out;
}

} // namespace

TEST_CASE("shmkit::cli::Table pads ASCII cells to the widest, the last column only when right") {
  Table table = two_columns();
  table.add_row({"a", "1"});
  table.add_cell("longer");
  table.add_cell("12345");
  CHECK(render(table) == "NAME    SIZE\n"
                         "a          1\n"
                         "longer 12345\n");
  CHECK(render(table, TableStyle::aligned, false) == "a          1\n"
                                                     "longer 12345\n");
  CHECK(render(table, TableStyle::raw) == "NAME SIZE\na 1\nlonger 12345\n");
  std::vector<std::uint32_t> order = {1, 0};
  CHECK(render(table, TableStyle::aligned, true, &order) == "NAME    SIZE\n"
                                                            "longer 12345\n"
                                                            "a          1\n");
}

TEST_CASE("shmkit::cli::Table measures UTF-8 cells by code points") {
  Table table({{"NAME", false}, {"N", true}, {"LAST", false}});
  table.add_row({"n\xc3\xa9\xc3\xa9", "1", "x"}); // 3 code points, 5 bytes
  table.add_row({"ab", "22", "\xe2\x82\xac"});
  CHECK(render(table) == "NAME  N LAST\n"
                         "n\xc3\xa9\xc3\xa9   1 x\n"
                         "ab   22 \xe2\x82\xac\n");
  CHECK(render(table, TableStyle::aligned, false) == "n\xc3\xa9\xc3\xa9  1 x\n"
                                                     "ab  22 \xe2\x82\xac\n");
}

TEST_CASE("shmkit::cli::Table keeps cells of 255 bytes and more whole") {
  for (std::size_t size : {254u, 255u, 256u, 70000u}) {
    CAPTURE(size);
    Table table = two_columns();
    const std::string long_cell(size, 'x');
    table.add_row({"a", "1"});
    table.cell_text() += long_cell; // the in-place way, as ls fills its rows
    table.close_cell();
    table.add_cell("7");
    table.add_row({"b", "333"});
    const std::string pad(size - 4, ' ');
    CHECK(render(table) == "NAME" + pad + " SIZE\n" + "a" + std::string(size - 1, ' ') +
                               "    1\n" + long_cell + "    7\n" + "b" +
                               std::string(size - 1, ' ') + "  333\n");
    CHECK(render(table, TableStyle::raw, false) == "a 1\n" + long_cell + " 7\nb 333\n");
  }
}

TEST_CASE("shmkit::cli::Table with many rows matches the row-by-row form") {
  // More than one output block (64 KiB) of rows, in reverse order.
  Table table = two_columns();
  std::string expected_rows;
  std::vector<std::uint32_t> order;
  const int rows = 20000;
  for (int i = 0; i < rows; ++i) {
    table.add_row({"seg" + std::to_string(i), std::to_string(i % 1000)});
    order.insert(order.begin(), static_cast<std::uint32_t>(i));
  }
  for (int i = rows - 1; i >= 0; --i) {
    std::string name = "seg" + std::to_string(i);
    std::string size = std::to_string(i % 1000);
    expected_rows += name + std::string(8 - name.size(), ' ') + " " +
                     std::string(4 - size.size(), ' ') + size + "\n";
  }
  CHECK(render(table, TableStyle::aligned, true, &order) == "NAME     SIZE\n" + expected_rows);
}
