// The rows of `shmkit ls` as they stream in: each is rendered at once into flat buffers (a
// SegmentInfo is over 300 bytes and a listing may have 30,000), keeping only a compact sort
// key, then printed in order as a table, JSON or KEY="value" pairs.
#pragma once

#include "ls_columns.hpp"
#include "table.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace shmkit::cli {

enum class LsMode { table, raw, json, export_pairs };

/// How rows are printed and ordered.
struct RowFormat {
  LsMode mode = LsMode::table;
  std::vector<const Column *> columns;
  TextStyle style;
  bool headings = true;
  /// --sort COL; without it, rows are ordered by kind (kind_traits() order), then by id or
  /// name (KindTraits::ordered_by_id) when `default_sort`, else left as they came.
  const Column *sort = nullptr;
  bool default_sort = true;
};

class RowSink {
public:
  RowSink(const RowFormat &format, RowContext &ctx);
  /// Renders one row.
  void add(const SegmentInfo &s);
  std::size_t size() const { return m_count; }
  /// Appends every row, sorted, to out (flushing Stdout as it grows).
  void render(std::string &out, bool color);

private:
  // 16 bytes a row: the text of the keys is kept in one buffer (m_key_text).
  struct SortKey {
    std::uint64_t number = 0;
    std::uint32_t text_end = 0; // end of this key's text in m_key_text
    std::uint8_t rank = 0;
    bool present = false; // absent values first
  };
  void add_key(std::uint8_t rank, const Cell &cell);
  std::string_view key_text(std::uint32_t row) const;
  bool key_less(std::uint32_t a, std::uint32_t b) const;
  /// The rows in output order; empty when they are in order already.
  std::vector<std::uint32_t> order() const;
  void add_json(const SegmentInfo &s);
  void add_export(const SegmentInfo &s);

  const RowFormat &m_format;
  RowContext &m_ctx;
  Table m_table;
  std::string m_text;               // JSON or export rows, one after the other
  std::vector<std::size_t> m_ends;  // end of each row in m_text
  std::vector<SortKey> m_keys;
  std::string m_key_text;           // the text of every sort key, one after the other
  std::string m_cell;               // scratch for one cell's text
  std::size_t m_count = 0;
};

} // namespace shmkit::cli
