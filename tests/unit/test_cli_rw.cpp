// read, write and watch in the shape of issue 9: their option tables' needs/excludes rules and
// what plan() makes of a command line, from the text alone.
#include "command.hpp"
#include "commands.hpp"
#include "gate.hpp"
#include "options.hpp"
#include "read_plan.hpp"
#include "watch_plan.hpp"
#include "write_plan.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <vector>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

// Parses `line` (the arguments after the subcommand) with every option of `command`
// registered, negative values moved behind "--" as main() does.
struct Parsed {
  CLI::App app{"test"};
  std::shared_ptr<Args> args;
  Parsed(const Command &command, const std::string &line) {
    OptionGate gate;
    args = register_options(app, gate, command.options);
    std::vector<std::string> words;
    for (std::size_t at = 0; at < line.size();) {
      std::size_t end = line.find(' ', at);
      end = end == std::string::npos ? line.size() : end;
      words.push_back(line.substr(at, end - at));
      std::replace(words.back().begin(), words.back().end(), '~', ' '); // '~' for a space
      at = end + 1;
    }
    std::vector<const char *> argv;
    for (const auto &word : words)
      argv.push_back(word.c_str());
    auto moved = negative_values_last(app, argv);
    if (!moved.empty())
      words = moved;
    std::vector<std::string> reversed(words.rbegin(), words.rend());
    app.parse(reversed);
  }
};

// The message of check_rules for `line`, "" when the rules hold.
std::string rules(const Command &command, const std::string &line) {
  Parsed parsed(command, line);
  auto ok = check_rules(command.options, *parsed.args);
  return ok ? std::string() : ok.error().message;
}

template <typename T> std::string error_of(const Result<T> &result) {
  return result ? std::string() : result.error().message;
}

std::vector<std::byte> bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> out;
  for (unsigned v : values)
    out.push_back(static_cast<std::byte>(v));
  return out;
}

} // namespace

TEST_CASE("shmkit::cli::read options and plan") {
  const Command &read = read_command();
  SUBCASE("rules") {
    CHECK(rules(read, "posix:/x --type u8 --count 2 --endian big") == "");
    // --count and --endian need --type or --layout: checked by plan_read.
    CHECK(rules(read, "posix:/x --count 2") == "");
    CHECK(rules(read, "posix:/x --endian big") == "");
    CHECK(rules(read, "posix:/x --type u8 --format hex") == "--type and --format exclude each other");
    CHECK(rules(read, "posix:/x --type u8 -n 4") == "--type and --length exclude each other");
    CHECK(rules(read, "posix:/x -s 4 -n 4 --format xxd -v") == "");
  }
  SUBCASE("plans") {
    Parsed typed(read, "posix:/x --type u16 --count 3 -s 2");
    auto plan = plan_read(*typed.args);
    REQUIRE(plan.has_value());
    CHECK(plan->format == ReadFormat::typed);
    CHECK(plan->segment.offset == 2);
    CHECK(plan->segment.typed_length() == 6u);

    Parsed xxd(read, "posix:/x --format xxd -v -n 16");
    plan = plan_read(*xxd.args);
    REQUIRE(plan.has_value());
    CHECK(plan->format == ReadFormat::xxd);
    CHECK(plan->squeeze == Squeeze::no);
    CHECK(plan->segment.length == 16u);

    Parsed plain(read, "posix:/x");
    plan = plan_read(*plain.args);
    REQUIRE(plan.has_value());
    CHECK_FALSE(plan->format.has_value()); // hexdump on a terminal, raw otherwise: when run
    CHECK(plan->squeeze == Squeeze::yes);
  }
  SUBCASE("usage errors") {
    Parsed octal(read, "posix:/x --format octal");
    CHECK(error_of(plan_read(*octal.args)) ==
          "unknown format 'octal' (valid: raw, hexdump, xxd, hex, string)");
    Parsed zero(read, "posix:/x -n 0");
    CHECK(error_of(plan_read(*zero.args)) == "invalid length '0': must be positive");
    Parsed count(read, "posix:/x --count 2");
    CHECK(error_of(plan_read(*count.args)) == "--count needs --type or --layout");
    Parsed endian(read, "posix:/x --endian big");
    CHECK(error_of(plan_read(*endian.args)) == "--endian needs --type or --layout");
    Parsed address(read, "posix:/a/b");
    CHECK_FALSE(plan_read(*address.args).has_value());
    CHECK_FALSE(read.plan(*address.args).has_value());
    Parsed good(read, "posix:/x");
    CHECK(read.plan(*good.args).has_value()); // a Work, not run here
  }
}

TEST_CASE("shmkit::cli::write options and plan") {
  const Command &write = write_command();
  SUBCASE("rules") {
    CHECK(rules(write, "posix:/x --data x --hex 00") == "--data and --hex exclude each other");
    CHECK(rules(write, "posix:/x --type u8 1 --zero") == "--type and --zero exclude each other");
    CHECK(rules(write, "posix:/x --file f --fill 1 -n 1") == "--file and --fill exclude each other");
    CHECK(rules(write, "posix:/x --fill 1 --zero -n 1") == "--fill and --zero exclude each other");
    CHECK(rules(write, "posix:/x --fill 1") == "--fill needs --length");
    CHECK(rules(write, "posix:/x --data x --endian big") == "--endian needs --type");
    CHECK(rules(write, "posix:/x --atomic --data abcd") == "--atomic needs --type");
    CHECK(rules(write, "posix:/x --atomic --zero -n 8") == "--atomic needs --type");
    CHECK(rules(write, "posix:/x --atomic --type u32 -s 4 1 --grow -v") == "");
  }
  SUBCASE("sources") {
    Parsed none(write, "posix:/x");
    auto plan = plan_write(*none.args);
    REQUIRE(plan.has_value());
    CHECK(plan->source == WriteSource::standard_input);

    Parsed data(write, "posix:/x --data ab -s 3 -v");
    plan = plan_write(*data.args);
    REQUIRE(plan.has_value());
    CHECK(plan->source == WriteSource::data);
    CHECK(plan->bytes == bytes({'a', 'b'}));
    CHECK(plan->segment.offset == 3);
    CHECK(plan->verbose);

    Parsed hex(write, "posix:/x --hex deadBEEF");
    plan = plan_write(*hex.args);
    REQUIRE(plan.has_value());
    CHECK(plan->bytes == bytes({0xde, 0xad, 0xbe, 0xef}));

    Parsed fill(write, "posix:/x --fill 0xff -n 4 --grow");
    plan = plan_write(*fill.args);
    REQUIRE(plan.has_value());
    CHECK(plan->source == WriteSource::fill);
    CHECK(plan->fill == std::byte{0xff});
    CHECK(plan->segment.length == 4u);
    CHECK(plan->grow);

    Parsed zero(write, "posix:/x --zero");
    plan = plan_write(*zero.args);
    REQUIRE(plan.has_value());
    CHECK(plan->source == WriteSource::zero);
    CHECK_FALSE(plan->segment.length.has_value());

    Parsed file(write, "posix:/x --file /some/path");
    plan = plan_write(*file.args);
    REQUIRE(plan.has_value());
    CHECK(plan->source == WriteSource::file);
    CHECK(plan->file == "/some/path");
  }
  SUBCASE("typed values, negative ones too (issue 8 defect 17)") {
    Parsed big(write, "posix:/x --type i16 -1 -s 2 -2 --endian big");
    auto plan = plan_write(*big.args);
    REQUIRE(plan.has_value());
    CHECK(plan->source == WriteSource::typed);
    CHECK(plan->segment.offset == 2);
    CHECK(plan->bytes == bytes({0xff, 0xff, 0xff, 0xfe}));

    Parsed nan(write, "posix:/x -t f32 -nan -inf");
    plan = plan_write(*nan.args);
    REQUIRE(plan.has_value());
    CHECK(plan->bytes.size() == 8);

    Parsed atomic(write, "posix:/x --atomic --type u32 -s 8 7");
    plan = plan_write(*atomic.args);
    REQUIRE(plan.has_value());
    CHECK(plan->atomic);
  }
  SUBCASE("usage errors") {
    auto check = [&](const std::string &line, const std::string &message) {
      CAPTURE(line);
      Parsed parsed(write, line);
      CHECK(error_of(plan_write(*parsed.args)) == message);
      CHECK_FALSE(write.plan(*parsed.args).has_value());
    };
    check("posix:/x --data x 5", "unexpected argument '5' (values need --type)");
    check("posix:/x --data x -n 1", "--length needs --fill or --zero");
    check("posix:/x --type u8", "--type u8 needs at least one VALUE");
    check("posix:/x --type u8 300", "value '300' out of range for u8 (0..255)");
    check("posix:/x --type u16 1 2 abc",
          "invalid u16 value 'abc': expected a decimal or 0x hex integer");
    check("posix:/x --hex abc", "invalid --hex: odd number of hex digits");
    check("posix:/x --fill 256 -n 1", "invalid fill byte '256': larger than 255");
    check("posix:/x --zero -n 0", "invalid length '0': must be positive");
    check("posix:/x --atomic --type u8 1 2", "--atomic stores exactly one value");
    check("posix:/x -s 2 --atomic --type u32 1",
          "offset 2 is not aligned to 4 bytes, as --atomic needs for u32");
    check("posix:/x -s -8 -t i8 1", "invalid offset '-8': a sign is not allowed");
  }
}

TEST_CASE("shmkit::cli::watch options and plan") {
  const Command &watch = watch_command();
  SUBCASE("rules") {
    // --until, --count and --endian need --type or --layout: checked by plan_watch.
    CHECK(rules(watch, "posix:/x --until 5") == "");
    CHECK(rules(watch, "posix:/x --layout int~a; --type u8") ==
          "--layout and --type exclude each other");
    CHECK(rules(watch, "posix:/x --struct s") == "--struct needs --layout");
    CHECK(rules(watch, "posix:/x --type u32 --length 8 --count 2") ==
          "--count and --length exclude each other");
    CHECK(rules(watch, "posix:/x --type u32 --count 2 --until 3 --endian big -J") == "");
  }
  SUBCASE("plans") {
    Parsed whole(watch, "posix:/x");
    auto plan = plan_watch(*whole.args);
    REQUIRE(plan.has_value());
    CHECK_FALSE(plan->segment.length.has_value()); // to the end, when run
    CHECK(plan->interval == std::chrono::milliseconds(100));
    CHECK_FALSE(plan->timeout.has_value());
    CHECK_FALSE(plan->format.json);

    Parsed one(watch, "posix:/x --type u32 -s 8 --interval 1s --timeout 2m --json");
    plan = plan_watch(*one.args);
    REQUIRE(plan.has_value());
    CHECK(plan->segment.length == 4u); // one value
    CHECK(plan->interval == std::chrono::milliseconds(1000));
    CHECK(plan->timeout == std::chrono::milliseconds(120000));
    CHECK(plan->format.json);
    CHECK(plan->format.type == ValueType::u32);

    CHECK(rules(watch, "posix:/x --type i16 --count 3 --until -1 --changes 5") == "");
    Parsed negative(watch, "posix:/x --type i16 --count 3 --until -1 --changes 5");
    plan = plan_watch(*negative.args);
    REQUIRE(plan.has_value());
    CHECK(plan->segment.length == 6u);
    CHECK(plan->changes == 5u);
    REQUIRE(plan->until.has_value());
    CHECK(plan->until->size == 2);

    Parsed lengths(watch, "posix:/x --type u32 --length 8");
    plan = plan_watch(*lengths.args);
    REQUIRE(plan.has_value());
    CHECK(plan->segment.length == 8u);
  }
  SUBCASE("usage errors") {
    auto check = [&](const std::string &line, const std::string &message) {
      CAPTURE(line);
      Parsed parsed(watch, line);
      CHECK(error_of(plan_watch(*parsed.args)) == message);
    };
    check("posix:/x --interval 0ms", "invalid interval '0ms': must be positive");
    check("posix:/x --interval 1x", "invalid interval '1x': unknown unit (use ms, s, m, h or d)");
    check("posix:/x --timeout 0", "invalid timeout '0': must be positive");
    check("posix:/x --changes 0", "invalid number of changes '0': must be positive");
    check("posix:/x --type u32 --length 6",
          "--length 6 is not a multiple of the u32 size (4 bytes); use --count");
    check("posix:/x --type i8 --until 300", "value '300' out of range for i8 (-128..127)");
    check("posix:/x --type u8 --count 0", "invalid count '0': must be positive");
    check("posix:/x --until 5", "--until needs --type or --layout");
    check("posix:/x --count 2", "--count needs --type or --layout");
    check("posix:/x --endian big", "--endian needs --type or --layout");
    check("posix:/x --layout int~a; --until b=1", "unknown field 'b' in --until");
    check("posix:/x --layout int~a; --until a",
          "--until 'a' needs FIELD=VALUE (or !=, <, >, <=, >=) with --layout");
    check("posix:/x --layout int~a; --count 2 --until [2].a=1",
          "record 2 in --until is past the 2 watched (--count)");
  }
  SUBCASE("layouts") {
    Parsed records(watch, "posix:/x --layout struct~r~{~char~c;~int~n;~}; --count 3 -s 8 "
                          "--until n>=5");
    auto plan = plan_watch(*records.args);
    REQUIRE(plan.has_value());
    CHECK(plan->segment.length == 24u); // 3 records of 8 bytes (3 bytes of padding each)
    CHECK(plan->segment.offset == 8u);
    CHECK(plan->records == 3u);
    REQUIRE(plan->field_until.has_value());
    CHECK(plan->field_until->op == CompareOp::ge);
    CHECK_FALSE(plan->field_until->record.has_value());
  }
}
