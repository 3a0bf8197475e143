// shmkit ls in parts (issue 9): the column registry, how sizes, times, keys and permissions
// render in text and JSON, and the option table's needs/excludes rules.
#include "command.hpp"
#include "commands.hpp"
#include "gate.hpp"
#include "ls_columns.hpp"
#include "ls_limits.hpp"
#include "options.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <set>
#include <string>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

std::string text_of(const Column &column, const Cell &cell, const TextStyle &style = {}) {
  std::string out;
  append_cell_text(out, column, cell, style);
  return out;
}

std::string json_of(const Column &column, const Cell &cell) {
  std::string out;
  JsonWriter json(out);
  json.object();
  write_cell_json(json, column, cell);
  json.end();
  return out;
}

const Column &column(std::string_view name) {
  const Column *c = find_column(name);
  REQUIRE(c != nullptr);
  return *c;
}

// Parses `line` (the arguments after "ls") with every option registered, as main does.
struct Parsed {
  CLI::App app{"ls"};
  std::shared_ptr<Args> args;
  explicit Parsed(const std::string &line) {
    OptionGate gate;
    args = register_options(app, gate, ls_command().options);
    app.parse(line, false);
  }
};

struct UtcZone {
  UtcZone() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

} // namespace

TEST_CASE("shmkit::cli::ls column registry: every column has one complete row") {
  std::set<std::string_view> names;
  for (const Column &c : k_columns) {
    CAPTURE(c.header);
    CHECK(!c.name.empty());
    CHECK(names.insert(c.name).second);
    std::string upper(c.name);
    for (auto &ch : upper)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(c.header == upper);
    CHECK(!c.help.empty());
    CHECK((c.read != nullptr));
    CHECK(find_column(c.header) == &c);
    CHECK(find_column(c.name) == &c);
    // --help (and so the drift test against the man page and completions) lists it.
    std::string line = "\n  " + std::string(c.header);
    line.append(detail::k_output_name_width - c.header.size(), ' ');
    CHECK(k_output_help.find(line + std::string(c.help)) != std::string_view::npos);
  }
  CHECK(k_output_help.substr(0, 15) == "Columns to show");
  CHECK(find_column("nosuch") == nullptr);
}

TEST_CASE("shmkit::cli::ls default columns and -o") {
  std::string shown;
  for (const Column *c : default_columns())
    shown += std::string(c->header) + ' ';
  CHECK(shown == "SEGMENT TYPE KEY PERMS OWNER SIZE NATTCH CPID LPID STATUS ");

  auto plus = parse_columns("+ctime,Size,rss");
  REQUIRE(plus);
  CHECK(plus->size() == default_columns().size() + 2);
  CHECK(plus->back()->header == "RSS");
  auto twice = parse_columns("size,SIZE,id");
  REQUIRE(twice);
  CHECK(twice->size() == 2);
  auto unknown = parse_columns("segment,foo");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "unknown column 'FOO'");
  auto empty = parse_columns("segment,");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "empty column name in --output");
  auto sort = parse_columns(",", "--sort"); // `ls --sort ','` named --output before
  REQUIRE_FALSE(sort);
  CHECK(sort.error().message == "empty column name in --sort");
}

TEST_CASE("shmkit::cli::ls sizes in text and JSON") {
  const Column &size = column("size");
  CHECK(size.value == ValueKind::size);
  CHECK(size.align == Align::right);
  CHECK(text_of(size, number_cell(0)) == "0B");
  CHECK(text_of(size, number_cell(1023)) == "1023B");
  CHECK(text_of(size, number_cell(1024)) == "1K");
  CHECK(text_of(size, number_cell(1536)) == "1.5K");
  CHECK(text_of(size, number_cell(10 * 1024 - 1)) == "10K");
  CHECK(text_of(size, number_cell(12345)) == "12K");
  CHECK(text_of(size, number_cell(std::uint64_t{5} << 30)) == "5G");
  CHECK(text_of(size, number_cell(UINT64_MAX)) == "16E");
  TextStyle bytes;
  bytes.bytes = true;
  CHECK(text_of(size, number_cell(12345), bytes) == "12345");
  CHECK(json_of(size, number_cell(12345)) == "{\"size\": 12345}");
  CHECK(text_of(column("rss"), Cell{}) == "-");
  CHECK(json_of(column("rss"), Cell{}) == "{\"rss\": null}");
  // NATTCH is a count: never in human units.
  CHECK(text_of(column("nattch"), number_cell(2048)) == "2048");
}

TEST_CASE("shmkit::cli::ls times in text and JSON") {
  UtcZone utc;
  const Column &atime = column("atime");
  const std::time_t t = 1700000000; // Tue 2023-11-14 22:13:20 UTC
  Cell cell = time_cell(t);
  TextStyle style;
  style.now = t + 60;
  CHECK(text_of(atime, cell, style) == "22:13");
  style.now = t + 86400 * 2;
  CHECK(text_of(atime, cell, style) == "Nov14");
  style.now = t + 86400 * 365;
  CHECK(text_of(atime, cell, style) == "2023-11-14");
  style.time = TimeFormat::full;
  CHECK(text_of(atime, cell, style) == "Tue Nov 14 22:13:20 2023");
  style.time = TimeFormat::iso;
  CHECK(text_of(atime, cell, style) == "2023-11-14T22:13:20+0000");
  CHECK(json_of(atime, cell) ==
        "{\"atime\": \"2023-11-14T22:13:20Z\", \"atime_epoch\": 1700000000}");
  // 0 means never: absent.
  CHECK_FALSE(time_cell(std::time_t{0}).present);
  CHECK(text_of(atime, time_cell(std::nullopt)) == "-");
  CHECK(json_of(column("dtime"), Cell{}) == "{\"dtime\": null, \"dtime_epoch\": null}");
  CHECK(parse_time_format("iso"));
  CHECK(parse_time_format("long").error().message ==
        "unknown time format 'long' (use short, full, iso)");
}

TEST_CASE("shmkit::cli::ls keys, permissions, text and lists") {
  SegmentInfo info;
  info.key = 42;
  info.mode = 0640;
  info.dest = true;
  info.locked = true;
  info.name = "/x";
  RowContext ctx;
  const Column &key = column("key");
  CHECK(text_of(key, key.read(info, ctx)) == "0x0000002a");
  CHECK(json_of(key, key.read(info, ctx)) == "{\"key\": \"0x0000002a\"}");
  const Column &perms = column("perms");
  CHECK(text_of(perms, perms.read(info, ctx)) == "rw-r-----");
  TextStyle octal;
  octal.numeric_perms = true;
  CHECK(text_of(perms, perms.read(info, ctx), octal) == "640");
  CHECK(json_of(perms, perms.read(info, ctx)) == "{\"perms\": \"0640\"}");
  const Column &status = column("status");
  CHECK(text_of(status, status.read(info, ctx)) == "dest,locked");
  CHECK(json_of(status, status.read(info, ctx)) == "{\"status\": [\"dest\", \"locked\"]}");
  SegmentInfo plain;
  CHECK(text_of(status, status.read(plain, ctx)) == "-");
  CHECK(json_of(status, status.read(plain, ctx)) == "{\"status\": []}");
  // Text is escaped in tables; the id of a POSIX object is absent.
  info.name = "/a\nb";
  const Column &name = column("name");
  CHECK(text_of(name, name.read(info, ctx)) == "/a\\x0ab");
  CHECK(text_of(column("id"), column("id").read(info, ctx)) == "-");
}

TEST_CASE("shmkit::cli::ls --limits JSON keeps exact values") {
  Limits l;
  l.shmmni = 4096;
  l.used_ids = 1024;
  l.shmall = 18446744073692774399u;
  l.shmmax = 18446744073692774399u;
  std::string out;
  render_limits(out, l, LimitsFormat{true});
  CHECK(out.rfind("{\"limits\": [\n  {\"resource\": \"SHMMNI\", \"description\": \"Shared memory "
                  "segments\", \"limit\": 4096, \"limit_exact\": \"4096\", \"used\": 1024, "
                  "\"used_exact\": \"1024\", \"use_percent\": 25.00},\n",
                  0) == 0);
  CHECK(out.find("\"limit_exact\": \"18446744073692774399\"") != std::string::npos);
  CHECK(out.find("\"used\": null, \"used_exact\": null, \"use_percent\": null}") !=
        std::string::npos);
  CHECK(out.ends_with("\"use_percent\": null}\n]}\n"));
}

TEST_CASE("shmkit::cli::ls option rules (needs/excludes in the table)") {
  auto rule = [](const std::string &line) -> std::string {
    Parsed parsed(line);
    auto ok = check_rules(ls_command().options, *parsed.args);
    return ok ? std::string() : ok.error().message;
  };
  CHECK(rule("--json") == "");
  CHECK(rule("--raw --noheadings -o size") == "");
  CHECK(rule("--json --raw") == "--raw and --json exclude each other");
  CHECK(rule("-J -e") == "--json and --export exclude each other");
  CHECK(rule("--export --raw") == "--raw and --export exclude each other");
  CHECK(rule("--limits --json --bytes") == "");
  CHECK(rule("--limits -o size") == "--limits and --output exclude each other");
  CHECK(rule("--limits --sort size") == "--limits and --sort exclude each other");
  CHECK(rule("--limits -e") == "--limits and --export exclude each other");
  CHECK(rule("--limits posix:/x") == "--limits and segment exclude each other");
}

TEST_CASE("shmkit::cli::ls plan: the command line alone, no system call") {
  auto plan = [](const std::string &line) {
    Parsed parsed(line);
    return ls_command().plan(*parsed.args);
  };
  CHECK(plan("-o +ctime --sort size --time-format iso --color never -t sysv,posix"));
  // An unknown user needs getpwnam: the work fails (status 1), not the plan.
  CHECK(plan("--owner no-such-user-x"));
  CHECK(plan("-o segment,foo").error().message == "unknown column 'FOO'");
  CHECK(plan("--sort size,id").error().message == "--sort takes one column");
  CHECK(plan("--type shm").error().message == "unknown type 'shm' (use sysv, posix, file, memfd)");
  CHECK(plan("--color sometimes").error().message ==
        "unknown --color value 'sometimes' (use auto, always, never)");
  CHECK(plan("--time-format long").error().message ==
        "unknown time format 'long' (use short, full, iso)");
  CHECK_FALSE(plan("key:0x100000000"));
  // issue 10: --grace, as rm --grace.
  CHECK(plan("--grace 0s -o +state,reason"));
  CHECK(plan("--grace 1y").error().message ==
        "invalid --grace '1y': unknown unit (use ms, s, m, h or d)");
}
