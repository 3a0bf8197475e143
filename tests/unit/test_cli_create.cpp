// shmkit create's option table and plan(): what the command line alone decides.
#include "commands.hpp"
#include "create_plan.hpp"
#include "gate.hpp"

#include "shmkit/backend.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace shmkit;
using namespace shmkit::cli;

namespace {

// A create command line parsed the way main() parses it, with every option registered.
struct CreateLine {
  CLI::App app;
  std::shared_ptr<Args> args;

  explicit CreateLine(std::vector<const char *> argv) {
    OptionGate all;
    args = register_options(app, all, create_command().options);
    argv.insert(argv.begin(), "create");
    app.parse(static_cast<int>(argv.size()), argv.data());
  }
  bool rules_hold() const { return bool(check_rules(create_command().options, *args)); }
  // The message of plan(), "" when it accepts the line.
  std::string plan_error() const {
    auto plan = create_command().plan(*args);
    if (plan)
      return "";
    CHECK(plan.error().code == Errc::invalid_argument);
    return plan.error().message;
  }
};

} // namespace

TEST_CASE("shmkit::cli::create options") {
  // create's options have no needs/excludes between them: which kind takes --hugetlb,
  // --noreserve or --allocate is the kind's answer (plan), and --exist-ok with --from creates
  // with the contents, or leaves an existing segment as it is.
  CHECK(CreateLine({"posix:/x", "--size", "1", "--exist-ok", "--from", "f"}).rules_hold());
  CHECK(CreateLine({"key:1", "-s", "1", "-m", "600", "--hugetlb", "--noreserve"}).rules_hold());
  CHECK_THROWS_AS(CreateLine({"posix:/x", "--size"}), CLI::ParseError);
  CHECK_THROWS_AS(CreateLine({"--size", "1"}), CLI::ParseError); // SEGMENT is required
}

TEST_CASE("shmkit::cli::create plan") {
  SUBCASE("addresses") {
    CHECK(CreateLine({"key:0x100000000", "-s", "1"}).plan_error() ==
          "invalid key '0x100000000': larger than 4294967295");
    CHECK(CreateLine({"id:5", "-s", "1"}).plan_error() ==
          "cannot create id:5: the kernel chooses ids; use key:N, key:auto, key:private or "
          "ftok:PATH");
    CHECK(CreateLine({"posix:/sem.x", "-s", "1"}).plan_error() ==
          "cannot create posix:/sem.x: names starting with 'sem.' belong to POSIX semaphores");
    // A missing ftok file takes the system to find: the backend fails at creation (status 1).
    CHECK(CreateLine({"ftok:/nonexistent", "-s", "1"}).plan_error() == "");
    // file:/dev/shm/sem.x is refused by the file backend when creating.
    CHECK(CreateLine({"file:/dev/shm/sem.x", "-s", "1"}).plan_error() == "");
  }
  SUBCASE("size, mode and --from") {
    CHECK(CreateLine({"posix:/x"}).plan_error() ==
          "--size is required (or --from with a regular file)");
    CHECK(CreateLine({"posix:/x", "-s", "0"}).plan_error() == "invalid size '0': must be positive");
    CHECK(CreateLine({"posix:/x", "-s", "8E"}).plan_error() ==
          "invalid size '8E': too large for a posix segment");
    CHECK(CreateLine({"/tmp/x/y", "-s", "8E"}).plan_error() ==
          "invalid size '8E': too large for a file segment");
    CHECK(CreateLine({"key:1", "-s", "8E"}).plan_error() == ""); // the kernel's SHMMAX decides
    CHECK(CreateLine({"posix:/x", "-s", "1", "-m", "4755"}).plan_error() ==
          "invalid mode '4755': setuid, setgid and sticky bits are not allowed");
    CHECK(CreateLine({"posix:/x", "--from", ""}).plan_error() ==
          "invalid --from: empty path (use - for standard input)");
    CHECK(CreateLine({"posix:/x", "--from", "f", "-m", "444"}).plan_error() ==
          "--from needs a mode the owner can write, not 0444");
    // Whether the input is larger than --size, empty or a terminal takes the system to tell.
    CHECK(CreateLine({"posix:/x", "--from", "-"}).plan_error() == "");
    CHECK(CreateLine({"posix:/x", "--from", "f", "-s", "1"}).plan_error() == "");
  }
  SUBCASE("options a kind does not take") {
    CHECK(CreateLine({"posix:/x", "-s", "1", "--hugetlb"}).plan_error() ==
          "--hugetlb applies only to sysv segments");
    CHECK(CreateLine({"./f", "-s", "1", "--noreserve"}).plan_error() ==
          "--noreserve applies only to sysv segments");
    CHECK(CreateLine({"key:private", "-s", "1", "--allocate"}).plan_error() ==
          "--allocate applies only to posix and file segments (sysv segments: see --noreserve)");
  }
  SUBCASE("a good command line") {
    auto plan = plan_create(*CreateLine({"key:auto", "-s", "64K", "-m", "0o640", "--exist-ok",
                                         "--hugetlb", "--noreserve"})
                                 .args);
    REQUIRE(plan);
    CHECK(plan->spec.ref.by == SegmentRef::By::key_auto);
    CHECK(plan->size == std::optional<std::uint64_t>(65536));
    CHECK(plan->spec.mode == 0640);
    CHECK(plan->exist_ok);
    CHECK(plan->spec.hugetlb);
    CHECK(plan->spec.noreserve);
    CHECK_FALSE(plan->spec.allocate);
    CHECK_FALSE(plan->from);

    plan = plan_create(*CreateLine({"posix:demo", "--from", "-", "--allocate"}).args);
    REQUIRE(plan);
    CHECK(plan->spec.ref.to_string() == "posix:/demo");
    CHECK_FALSE(plan->size);
    CHECK(plan->from == std::optional<std::string>("-"));
    CHECK(plan->spec.mode == 0600);
    CHECK(plan->spec.allocate);
  }
}
