// shmkit rm's option table (needs/excludes) and plan(): what the command line alone decides.
#include "commands.hpp"
#include "gate.hpp"
#include "rm_select.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

// An rm command line parsed the way main() parses it, with every option registered.
struct RmLine {
  CLI::App app;
  std::shared_ptr<Args> args;

  explicit RmLine(std::vector<const char *> argv) {
    OptionGate all;
    args = register_options(app, all, rm_command().options);
    argv.insert(argv.begin(), "rm");
    app.parse(static_cast<int>(argv.size()), argv.data());
  }
  // The message of the table's rules, "" when they hold.
  std::string rules() const {
    auto ok = check_rules(rm_command().options, *args);
    return ok ? "" : ok.error().message;
  }
  // The message of plan(), "" when it accepts the line.
  std::string plan_error() const {
    auto plan = rm_command().plan(*args);
    if (plan)
      return "";
    CHECK(plan.error().code == Errc::invalid_argument);
    return plan.error().message;
  }
};

} // namespace

TEST_CASE("shmkit::cli::rm options") {
  SUBCASE("segment names exclude --all") {
    CHECK(RmLine({"--all", "--yes", "id:5"}).rules() == "--all and SEGMENT exclude each other");
    CHECK(RmLine({"--all", "--type", "sysv", "id:5"}).rules() ==
          "--all and SEGMENT exclude each other");
  }
  SUBCASE("the filters need --all") {
    CHECK(RmLine({"--type", "sysv", "id:5"}).rules() == "--type needs --all");
    CHECK(RmLine({"-u", "root", "id:5"}).rules() == "--owner needs --all");
    CHECK(RmLine({"--match", "*", "id:5"}).rules() == "--match needs --all");
    CHECK(RmLine({"--older-than", "1s", "id:5"}).rules() == "--older-than needs --all");
    CHECK(RmLine({"--orphaned", "id:5"}).rules() == "--orphaned needs --all");
    CHECK(RmLine({"--any-owner", "id:5"}).rules() == "--any-owner needs --all");
  }
  SUBCASE("--grace needs --orphaned") {
    CHECK(RmLine({"--all", "--grace", "1s"}).rules() == "--grace needs --orphaned");
    CHECK(RmLine({"--grace", "1s", "id:5"}).rules() == "--grace needs --orphaned");
    CHECK(RmLine({"--orphaned", "--grace", "1s", "id:5"}).rules() == "--orphaned needs --all");
    CHECK(RmLine({"--all", "--orphaned", "--grace", "0s"}).rules() == "");
  }
  SUBCASE("--any-owner excludes --owner") {
    CHECK(RmLine({"--all", "--any-owner", "--owner", "root"}).rules() ==
          "--any-owner and --owner exclude each other");
    CHECK(RmLine({"--all", "--any-owner"}).rules() == "");
  }
  SUBCASE("flags that combine with everything") {
    CHECK(RmLine({"-n", "-y", "-f", "-vv", "id:5", "posix:/a"}).rules() == "");
    CHECK(RmLine({"-a", "-n", "-y", "-f", "-v", "-t", "posix", "-u", "0", "--match", "a*",
                  "--older-than", "2m", "--orphaned", "--grace", "5s"})
              .rules() == "");
  }
}

TEST_CASE("shmkit::cli::rm plan") {
  SUBCASE("usage errors") {
    CHECK(RmLine({}).plan_error() == "no segment given (name one or more, or use --all)");
    CHECK(RmLine({"id:5", "key:0"}).plan_error() ==
          "key 0 is IPC_PRIVATE and names no segment: use id:N");
    CHECK(RmLine({"posix:/a/b"}).plan_error() == "invalid posix name 'a/b': contains '/'");
    CHECK(RmLine({"--all", "--type", "shm"}).plan_error() ==
          "invalid --type 'shm': use sysv, posix or both, comma-separated");
    CHECK(RmLine({"--all", "--type", "sysv,"}).plan_error() ==
          "invalid --type '': use sysv, posix or both, comma-separated");
    CHECK(RmLine({"--all", "--type", "posix,file"}).plan_error() ==
          "--type file cannot be used with --all: files are never listed; name them instead");
    CHECK(RmLine({"--all", "--owner", ""}).plan_error() == "invalid user: empty");
    CHECK(RmLine({"--all", "--older-than", "5y"}).plan_error() ==
          "invalid --older-than '5y': unknown unit (use ms, s, m, h or d)");
    CHECK(RmLine({"--all", "--orphaned", "--grace", "1x"}).plan_error() ==
          "invalid --grace '1x': unknown unit (use ms, s, m, h or d)");
    // issue 10: --keep ''.
    CHECK(RmLine({"--all", "--keep", ""}).plan_error() == "invalid --keep: empty glob");
    CHECK(RmLine({"--all", "--keep", "a*", "--keep", ""}).plan_error() ==
          "invalid --keep: empty glob");
  }
  SUBCASE("--keep: repeatable, needs --all (issue 10)") {
    CHECK(RmLine({"--keep", "a*", "id:5"}).rules() == "--keep needs --all");
    auto plan =
        plan_rm(*RmLine({"--all", "--keep", "posix:/pulse-*", "--keep", "PostgreSQL.*"}).args);
    REQUIRE(plan);
    CHECK(plan->filters.keep == std::vector<std::string>{"posix:/pulse-*", "PostgreSQL.*"});
  }
  SUBCASE("what needs the system is left to the work") {
    // An unknown user needs getpwnam, a missing ftok file a stat: runtime failures (issue 9).
    CHECK(RmLine({"--all", "--owner", "no-such-user-xyz"}).plan_error() == "");
    CHECK(RmLine({"ftok:/nonexistent"}).plan_error() == "");
    CHECK(RmLine({"--all"}).plan_error() == ""); // --yes is needed only without a terminal
  }
  SUBCASE("named segments, in order") {
    auto plan = plan_rm(*RmLine({"-n", "-f", "id:5", "/demo", "ftok:/etc/passwd:A"}).args);
    REQUIRE(plan);
    CHECK_FALSE(plan->all);
    CHECK(plan->dry_run);
    CHECK(plan->force);
    CHECK_FALSE(plan->yes);
    CHECK_FALSE(plan->verbose);
    REQUIRE(plan->refs.size() == 3);
    CHECK(plan->refs[0].to_string() == "id:5");
    CHECK(plan->refs[1].to_string() == "posix:/demo");
    CHECK(plan->refs[2].by == SegmentRef::By::ftok);
  }
  SUBCASE("--all defaults: every listed kind, the default grace, any owner left to the work") {
    auto plan = plan_rm(*RmLine({"--all", "-y"}).args);
    REQUIRE(plan);
    CHECK(plan->all);
    CHECK(plan->yes);
    std::vector<Kind> listed;
    for (const KindTraits &traits : kind_traits())
      if (traits.listed_by_default)
        listed.push_back(traits.kind);
    CHECK(plan->filters.kinds == listed);
    CHECK_FALSE(plan->filters.owner);
    CHECK_FALSE(plan->filters.any_owner);
    CHECK_FALSE(plan->filters.match);
    CHECK_FALSE(plan->filters.older_than);
    CHECK_FALSE(plan->filters.orphaned);
    CHECK(plan->filters.grace == k_default_grace);
    CHECK(plan->filters.grace_text == "1h");
  }
  SUBCASE("--all filters") {
    auto plan = plan_rm(*RmLine({"--all", "-t", "posix", "-u", "root", "--match", "a*",
                                 "--older-than", "2m", "--orphaned", "--grace", "0s", "-v"})
                             .args);
    REQUIRE(plan);
    REQUIRE(plan->filters.kinds.size() == 1);
    CHECK(kind_name(plan->filters.kinds[0]) == std::string("posix"));
    CHECK(plan->filters.owner == std::optional<std::string>("root"));
    CHECK(plan->filters.match == std::optional<std::string>("a*"));
    CHECK(plan->filters.older_than == std::chrono::minutes(2));
    CHECK(plan->filters.orphaned);
    CHECK(plan->filters.grace == std::chrono::milliseconds(0));
    CHECK(plan->filters.grace_text == "0s");
    CHECK(plan->verbose);
  }
}

TEST_CASE("shmkit::cli::age_text") {
  CHECK(age_text(-5) == "0s");
  CHECK(age_text(119) == "119s");
  CHECK(age_text(120) == "2m");
  CHECK(age_text(2 * 3600 - 1) == "119m");
  CHECK(age_text(2 * 3600) == "2h");
  CHECK(age_text(2 * 86400) == "2d");
}
