// Fuzz target: the column lists of `ls -o COLS` and the key of `ls --sort COL`
// (cmd/ls_columns.hpp parse_columns, used by cmd/ls.cpp).
//
// Properties: an accepted list names only registry columns, each once; "+COLS" starts with the
// default columns in order; the list printed back as names (lowercase and uppercase) parses to
// the same list, and "+" of a list that starts with the defaults too; each name alone is a
// valid --sort key; every rejection is one printable line.
#include "fuzz_common.hpp"

#include "ls_columns.hpp"

#include <algorithm>
#include <cctype>
#include <string>

using namespace shmkit;
using namespace shmkit::fuzz;
using shmkit::cli::Column;

namespace {

std::string join(const std::vector<const Column *> &columns, bool upper) {
  std::string out;
  for (const Column *c : columns) {
    if (!out.empty())
      out += ',';
    for (char ch : upper ? c->header : c->name)
      out += ch;
  }
  return out;
}

bool in_registry(const Column *c) {
  for (const Column &row : cli::k_columns)
    if (&row == c)
      return true;
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view spec(reinterpret_cast<const char *>(data), size);
  auto columns = cli::parse_columns(spec);
  if (!columns) {
    FUZZ_CHECK_ERROR(columns.error());
    FUZZ_CHECK(columns.error().code == Errc::invalid_argument);
    return 0;
  }
  FUZZ_CHECK(!columns->empty());
  for (std::size_t i = 0; i < columns->size(); ++i) {
    const Column *c = (*columns)[i];
    FUZZ_CHECK(c != nullptr && in_registry(c));
    FUZZ_CHECK(std::find(columns->begin(), columns->begin() + static_cast<std::ptrdiff_t>(i), c) ==
               columns->begin() + static_cast<std::ptrdiff_t>(i));
    // Each name, alone, is a --sort key (what ls.cpp accepts: exactly one column).
    FUZZ_CHECK(cli::find_column(c->name) == c && cli::find_column(c->header) == c);
    auto sort = cli::parse_columns(c->name);
    FUZZ_CHECK(sort && sort->size() == 1 && sort->front() == c);
  }
  const auto defaults = cli::default_columns();
  if (!spec.empty() && spec[0] == '+')
    FUZZ_CHECK(columns->size() >= defaults.size() &&
               std::equal(defaults.begin(), defaults.end(), columns->begin()));
  for (bool upper : {false, true}) {
    const std::string printed = join(*columns, upper);
    auto again = cli::parse_columns(printed);
    FUZZ_CHECK_MSG(again && *again == *columns, printed);
  }
  if (columns->size() >= defaults.size() &&
      std::equal(defaults.begin(), defaults.end(), columns->begin())) {
    std::vector<const Column *> extra(
        columns->begin() + static_cast<std::ptrdiff_t>(defaults.size()), columns->end());
    if (!extra.empty()) {
      auto plus = cli::parse_columns("+" + join(extra, false));
      FUZZ_CHECK(plus && *plus == *columns);
    }
  }
  return 0;
}
