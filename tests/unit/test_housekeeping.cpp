#include "shmkit/housekeeping.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

using namespace shmkit;

namespace {

// A fake /proc with only sys/kernel/shm_rmid_forced, removed again by the destructor.
struct FakeProc {
  std::string root;
  FakeProc() {
    char pattern[] = "/tmp/shmkit-unit-proc.XXXXXX";
    root = ::mkdtemp(pattern);
    ::mkdir((root + "/sys").c_str(), 0700);
    ::mkdir((root + "/sys/kernel").c_str(), 0700);
  }
  FakeProc(const FakeProc &) = delete;
  FakeProc &operator=(const FakeProc &) = delete;
  ~FakeProc() {
    ::unlink(file().c_str());
    ::rmdir((root + "/sys/kernel").c_str());
    ::rmdir((root + "/sys").c_str());
    ::rmdir(root.c_str());
  }
  std::string file() const { return root + "/sys/kernel/shm_rmid_forced"; }
  void write(const std::string &text) const { std::ofstream(file()) << text; }
  Paths paths() const {
    Paths paths;
    paths.proc = root;
    return paths;
  }
};

// The pid of a child that has exited and been reaped: nobody has it (until it is reused).
pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

SegmentInfo sysv(std::uint64_t nattch, std::optional<pid_t> cpid) {
  SegmentInfo info;
  info.kind = Kind::sysv;
  info.id = 7;
  info.nattch = nattch;
  info.cpid = cpid;
  return info;
}

SegmentInfo posix(dev_t dev, ino_t ino) {
  SegmentInfo info;
  info.kind = Kind::posix;
  info.dev = dev;
  info.ino = ino;
  return info;
}

SegmentUser user(pid_t pid, std::uint64_t dev, std::uint64_t ino, bool maps, bool holds_fd) {
  SegmentUser u;
  u.pid = pid;
  u.dev = dev;
  u.ino = ino;
  u.maps = maps;
  u.holds_fd = holds_fd;
  return u;
}

} // namespace

TEST_CASE("shmkit::shm_rmid_forced") {
  FakeProc proc;
  SUBCASE("0 and 1, with or without a newline") {
    proc.write("0\n");
    CHECK(*shm_rmid_forced(proc.paths()) == false);
    proc.write("1\n");
    CHECK(*shm_rmid_forced(proc.paths()) == true);
    proc.write("1");
    CHECK(*shm_rmid_forced(proc.paths()) == true);
  }
  SUBCASE("garbage") {
    proc.write("2\n");
    auto forced = shm_rmid_forced(proc.paths());
    REQUIRE_FALSE(forced);
    CHECK(forced.error().code == Errc::io);
  }
  SUBCASE("missing") {
    auto forced = shm_rmid_forced(Paths{"", "", proc.root + "/nowhere"});
    REQUIRE_FALSE(forced);
    CHECK(forced.error().code == Errc::not_found);
  }
}

TEST_CASE("shmkit::process_alive") {
  CHECK(process_alive(::getpid()));
  CHECK(process_alive(1)); // init exists, even when we may not signal it (EPERM)
  CHECK_FALSE(process_alive(0));
  CHECK_FALSE(process_alive(-1));
  CHECK_FALSE(process_alive(dead_pid()));
}

TEST_CASE("shmkit::is_orphaned") {
  const std::vector<SegmentUser> none;
  SUBCASE("sysv: no attach and the creator gone") { CHECK(is_orphaned(sysv(0, dead_pid()), none)); }
  SUBCASE("sysv: attached, or the creator alive, or unknown") {
    CHECK_FALSE(is_orphaned(sysv(1, dead_pid()), none));
    CHECK_FALSE(is_orphaned(sysv(0, ::getpid()), none));
    CHECK_FALSE(is_orphaned(sysv(0, std::nullopt), none));
  }
  SUBCASE("posix: by the users found in /proc") {
    std::vector<SegmentUser> users{user(100, 5, 42, true, false), user(101, 5, 43, false, true)};
    CHECK_FALSE(is_orphaned(posix(5, 42), users));
    CHECK_FALSE(is_orphaned(posix(5, 43), users));
    CHECK(is_orphaned(posix(5, 44), users));
    CHECK(is_orphaned(posix(6, 42), users));
    CHECK(is_orphaned(posix(5, 42), none));
  }
}

TEST_CASE("shmkit::use_count") {
  SUBCASE("sysv: the kernel's attach count") {
    CHECK(use_count(sysv(3, 1), {}) == 3);
    CHECK(use_count(sysv(0, 1), {}) == 0);
  }
  SUBCASE("posix: distinct processes") {
    std::vector<SegmentUser> users{user(100, 5, 42, true, false), user(100, 5, 42, false, true),
                                   user(101, 5, 42, true, true), user(102, 5, 99, true, false)};
    CHECK(use_count(posix(5, 42), users) == 2);
    CHECK(use_count(posix(5, 99), users) == 1);
    CHECK(use_count(posix(5, 1), users) == 0);
  }
}

TEST_CASE("shmkit::lookup_uid") {
  SUBCASE("names and numbers") {
    CHECK(*lookup_uid("root") == 0);
    CHECK(*lookup_uid("0") == 0);
    CHECK(*lookup_uid("54321") == 54321); // no passwd entry needed
    CHECK(*lookup_uid("4294967294") == 4294967294u);
  }
  SUBCASE("errors") {
    for (const char *bad : {"", "no-such-user-xyz", "4294967295", "-1", "1x"}) {
      CAPTURE(bad);
      auto uid = lookup_uid(bad);
      REQUIRE_FALSE(uid);
      CHECK(uid.error().code == Errc::invalid_argument);
    }
    CHECK(lookup_uid("").error().message == "invalid user: empty");
    CHECK(lookup_uid("no-such-user-xyz").error().message == "unknown user 'no-such-user-xyz'");
  }
}
