// cmd/target.hpp: --target taken off the command line before the subcommand (issue 11).
#include "json.hpp"
#include "target.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

// A command line ("shmkit" then `words`) whose argv stays valid as long as it lives.
struct CommandLine {
  explicit CommandLine(std::vector<std::string> w) : words(std::move(w)) {
    words.insert(words.begin(), "shmkit");
    for (auto &word : words)
      argv.push_back(word.data());
  }
  CommandLine(const CommandLine &) = delete;
  CommandLine &operator=(const CommandLine &) = delete;
  std::vector<std::string> words;
  std::vector<char *> argv;
};

// take_top_level over a command line that outlives the result (TopLevel points into it).
Result<TopLevel> take(CommandLine &line) {
  return take_top_level(static_cast<int>(line.argv.size()), line.argv.data());
}

std::string joined(const TopLevel &top) {
  std::string out;
  for (std::size_t i = 1; i < top.argv.size(); ++i)
    out += (i > 1 ? " " : "") + std::string(top.argv[i]);
  return out;
}

} // namespace

TEST_CASE("shmkit::cli::take_top_level") {
  SUBCASE("no --target: the command line as it was") {
    CommandLine line({"ls", "--json"});
    auto top = take(line);
    REQUIRE(top);
    CHECK_FALSE(top->target);
    CHECK(joined(*top) == "ls --json");
  }
  SUBCASE("--target PID and --target=PID come off") {
    CommandLine line({"--target", "42", "rm", "id:3"});
    auto top = take(line);
    REQUIRE(top);
    CHECK(top->target == 42);
    CHECK(joined(*top) == "rm id:3");
    CommandLine help({"--target=7", "--help"});
    top = take(help);
    REQUIRE(top);
    CHECK(top->target == 7);
    CHECK(joined(*top) == "--help");
  }
  SUBCASE("after the subcommand or after --, it belongs to the subcommand") {
    CommandLine line({"rm", "--target", "42"});
    auto top = take(line);
    REQUIRE(top);
    CHECK_FALSE(top->target);
    CHECK(joined(*top) == "rm --target 42");
    CommandLine dashes({"--", "--target", "42"});
    top = take(dashes);
    REQUIRE(top);
    CHECK_FALSE(top->target);
    CHECK(joined(*top) == "-- --target 42");
  }
  SUBCASE("usage errors") {
    auto message = [](std::vector<std::string> words) {
      CommandLine line(std::move(words));
      auto top = take(line);
      REQUIRE_FALSE(top);
      CHECK(top.error().code == Errc::invalid_argument);
      return top.error().message;
    };
    CHECK(message({"--target"}) == "option --target needs a value (a process id)");
    CHECK(message({"--target", "1", "--target=2", "ls"}) == "option --target given twice");
    CHECK(message({"--target", "-5", "ls"}) == "invalid --target value '-5' (process ids from 1)");
    CHECK(message({"--target=", "ls"}) == "invalid --target value '' (process ids from 1)");
    CHECK(message({"--target", "ls"}) == "invalid --target value 'ls' (process ids from 1)");
  }
}

TEST_CASE("shmkit::cli target output without --target") {
  CHECK(target_process() == nullptr);
  CHECK(target_heading().empty());
  CHECK(system_paths().dev_shm == Paths{}.dev_shm);
  CHECK(system_paths().root.empty());
  std::string out;
  JsonWriter json(out);
  json.object();
  write_target_json(json);
  write_row_target(json);
  json.end();
  CHECK(out == "{}");
  CHECK(use_target(std::nullopt)); // nothing to enter
}

TEST_CASE("shmkit::cli::is_target_option") {
  CHECK(is_target_option("--target"));
  CHECK(is_target_option("--target=42"));
  CHECK(is_target_option("--target=")); // a missing value: take_top_level() says so
  CHECK_FALSE(is_target_option("--targets"));
  CHECK_FALSE(is_target_option("--target-pid=4"));
  CHECK_FALSE(is_target_option("-t"));
  CHECK_FALSE(is_target_option("--all-namespaces"));
  CHECK_FALSE(is_target_option(""));
}

TEST_CASE("shmkit::cli::requested_target") {
  CHECK_FALSE(requested_target());
  request_target(42);
  CHECK(requested_target() == 42);
  request_target(std::nullopt);
  CHECK_FALSE(requested_target());
}
