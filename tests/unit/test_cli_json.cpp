// The one JSON writer of cmd/ (json.hpp): escaping, invalid UTF-8, layouts, NDJSON, and the
// escaped `segment` address of ls --json (issue 9).
#include "json.hpp"
#include "ls_columns.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

} // namespace

TEST_CASE("shmkit::cli::append_json_string escapes control characters") {
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quoted("\n\t\r") == "\"\\n\\t\\r\"");
  CHECK(quoted(std::string_view("\x01\x1b[31m\x7f", 7)) == "\"\\u0001\\u001b[31m\\u007f\"");
  CHECK(quoted(std::string_view("\0", 1)) == "\"\\u0000\"");
  CHECK(quoted("caf\xc3\xa9 \xe2\x82\xac") == "\"caf\xc3\xa9 \xe2\x82\xac\""); // valid UTF-8 kept
}

TEST_CASE("shmkit::cli::append_json_string turns invalid UTF-8 into U+FFFD") {
  CHECK(quoted("a\xff" "b") == "\"a\xef\xbf\xbd" "b\"");
  CHECK(quoted("\xc3") == "\"\xef\xbf\xbd\""); // truncated sequence
  CHECK(quoted("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); // surrogate
  CHECK(is_valid_utf8("caf\xc3\xa9"));
  CHECK_FALSE(is_valid_utf8("a\xff"));
  CHECK(to_hex("a\xff") == "61ff");
}

TEST_CASE("shmkit::cli::JsonWriter") {
  std::string out;
  JsonWriter json(out);

  SUBCASE("objects, arrays, numbers, null, booleans") {
    json.object()
        .field("name", "x")
        .field("n", std::uint64_t{18446744073709551615u})
        .field("neg", -3)
        .key("list")
        .array()
        .number(1)
        .string("two")
        .null()
        .boolean(true)
        .end()
        .key("empty")
        .object()
        .end()
        .end();
    CHECK(out == "{\"name\": \"x\", \"n\": 18446744073709551615, \"neg\": -3, "
                 "\"list\": [1, \"two\", null, true], \"empty\": {}}");
  }
  SUBCASE("one element per line") {
    json.object().key("rows").array(JsonWriter::Layout::lines);
    json.raw("{\"a\": 1}").raw("{\"a\": 2}");
    json.end().end().line();
    CHECK(out == "{\"rows\": [\n  {\"a\": 1},\n  {\"a\": 2}\n]}\n");
  }
  SUBCASE("an empty array stays on one line") {
    json.object().key("rows").array(JsonWriter::Layout::lines).end().end().line();
    CHECK(out == "{\"rows\": []}\n");
  }
  SUBCASE("NDJSON: one object per line") {
    json.object().field("event", "change").end().line();
    JsonWriter next(out);
    next.object().field("event", "timeout").end().line();
    CHECK(out == "{\"event\": \"change\"}\n{\"event\": \"timeout\"}\n");
  }
  SUBCASE("number_text: numbers stay numbers, the rest becomes strings") {
    json.array().number_text("12.50").number_text("-3").number_text("1e+300");
    json.number_text("inf").number_text("-nan").number_text("").end();
    CHECK(out == "[12.50, -3, 1e+300, \"inf\", \"-nan\", \"\"]");
  }
  SUBCASE("text_field adds NAME_hex only for invalid UTF-8") {
    json.object().text_field("name", "ok").text_field("odd", "a\xff").end();
    CHECK(out == "{\"name\": \"ok\", \"odd\": \"a\xef\xbf\xbd\", \"odd_hex\": \"61ff\"}");
  }
  SUBCASE("control characters in keys and values") {
    json.object().field("k\n", "v\x01").end();
    CHECK(out == "{\"k\\n\": \"v\\u0001\"}");
  }
}

TEST_CASE("shmkit::cli::ls JSON: the segment field is the escaped canonical address") {
  const Column *segment = find_column("segment");
  const Column *name = find_column("name");
  REQUIRE(segment != nullptr);
  REQUIRE(name != nullptr);
  SegmentInfo info;
  info.kind = Kind::posix;
  info.segment = "posix:/a\\x41\x01\xff";
  info.name = "/a\\x41\x01\xff";
  RowContext ctx;
  std::string out;
  JsonWriter json(out);
  json.object();
  write_cell_json(json, *segment, segment->read(info, ctx));
  write_cell_json(json, *name, name->read(info, ctx));
  json.end();
  // segment: escape_bytes of the raw address (a backslash is \x5c), valid UTF-8, no segment_hex;
  // name: the raw bytes, with U+FFFD and name_hex.
  CHECK(out == "{\"segment\": \"posix:/a\\\\x5cx41\\\\x01\\\\xff\", "
               "\"name\": \"/a\\\\x41\\u0001\xef\xbf\xbd\", \"name_hex\": \"2f615c783431" "01ff\"}");
}
