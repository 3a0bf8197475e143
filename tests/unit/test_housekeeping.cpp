#include "shmkit/housekeeping.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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

// issue 8 defect 4: the grace period.
TEST_CASE("shmkit::orphan_status") {
  const std::vector<SegmentUser> none;
  using std::chrono::milliseconds;
  const milliseconds hour = k_default_grace;
  const std::int64_t now_ms = 1'700'000'000'000;
  const std::time_t now = 1'700'000'000;
  SUBCASE("sysv: the newest of ctime, atime and dtime") {
    SegmentInfo info = sysv(0, dead_pid());
    info.ctime = now - 7200;
    info.atime = now - 5000;
    info.dtime = 0; // never detached
    CHECK(last_activity(info) == now - 5000);
    CHECK(orphan_status(info, none, hour, now_ms) == Orphan::orphaned);
    info.dtime = now - 60;
    CHECK(last_activity(info) == now - 60);
    CHECK(orphan_status(info, none, hour, now_ms) == Orphan::recent);
    CHECK(orphan_status(info, none, milliseconds(0), now_ms) == Orphan::orphaned);
    CHECK(orphan_status(info, none, milliseconds(59'000), now_ms) == Orphan::orphaned);
    // The end of its second: 60 s ago may be only 59.x s ago.
    CHECK(orphan_status(info, none, milliseconds(59'001), now_ms) == Orphan::recent);
  }
  SUBCASE("sysv: in use and a live creator come before the grace test") {
    SegmentInfo attached = sysv(1, dead_pid());
    attached.ctime = 0;
    CHECK(orphan_status(attached, none, hour, now_ms) == Orphan::in_use);
    SegmentInfo alive = sysv(0, ::getpid());
    alive.ctime = 0;
    CHECK(orphan_status(alive, none, hour, now_ms) == Orphan::creator_alive);
  }
  SUBCASE("a fresh segment whose creator is gone is not orphaned (shmkit create, ipcmk)") {
    SegmentInfo fresh = sysv(0, dead_pid());
    fresh.ctime = now;
    CHECK(orphan_status(fresh, none, hour, now_ms) == Orphan::recent);
    CHECK(is_orphaned(fresh, none)); // no grace: the old rule
  }
  SUBCASE("posix: the newest of mtime and ctime, not atime") {
    SegmentInfo info = posix(5, 42);
    info.ctime = now - 7200;
    info.mtime = now - 7300;
    info.atime = now; // a read is no sign of life
    CHECK(last_activity(info) == now - 7200);
    CHECK(orphan_status(info, none, hour, now_ms) == Orphan::orphaned);
    info.mtime = now - 10;
    CHECK(orphan_status(info, none, hour, now_ms) == Orphan::recent);
    std::vector<SegmentUser> users{user(100, 5, 42, false, true)};
    CHECK(orphan_status(info, users, hour, now_ms) == Orphan::in_use);
    // issue 8 defect 19a: rm's own fd is no use.
    info.mtime = now - 7200;
    CHECK(orphan_status(info, users, hour, now_ms, 100) == Orphan::orphaned);
  }
  SUBCASE("no time known: never orphaned while a grace period applies") {
    SegmentInfo info = posix(5, 42);
    CHECK_FALSE(last_activity(info));
    CHECK(orphan_status(info, none, hour, now_ms) == Orphan::recent);
    CHECK(orphan_status(info, none, milliseconds(0), now_ms) == Orphan::orphaned);
  }
}

// issue 8 defects 19a and 20.
TEST_CASE("shmkit::usage_of") {
  std::vector<SegmentUser> users{user(100, 5, 42, true, false), user(101, 5, 42, false, true),
                                 user(102, 5, 42, true, true),  user(103, 5, 42, false, true),
                                 user(103, 5, 42, true, false), user(104, 5, 99, true, false)};
  SUBCASE("mapping (ls NATTCH) and holding only") {
    Usage usage = usage_of(posix(5, 42), users);
    CHECK(usage.mapping == 3); // 100, 102, 103
    CHECK(usage.holding == 1); // 101
    CHECK(usage.attaches == 0);
    CHECK(usage.total() == 4);
  }
  SUBCASE("the caller is not counted") {
    Usage usage = usage_of(posix(5, 42), users, 101);
    CHECK(usage.mapping == 3);
    CHECK(usage.holding == 0);
    CHECK(use_count(posix(5, 99), users, 104) == 0);
    CHECK(use_count(posix(5, 99), users, 105) == 1);
  }
  SUBCASE("sysv: attaches") {
    Usage usage = usage_of(sysv(2, 1), users, 100);
    CHECK(usage.attaches == 2);
    CHECK(usage.total() == 2);
  }
  SUBCASE("proc_self_pid") {
    CHECK(proc_self_pid(Paths{}) > 0);
    CHECK(proc_self_pid(Paths{"", "", "/nonexistent"}) == ::getpid());
  }
}

TEST_CASE("shmkit::address_of") {
  SegmentInfo info = sysv(0, 1);
  CHECK(address_of(info).to_string() == "id:7");
  SegmentInfo named = posix(1, 2);
  named.name = std::string("/a\x41\nb");
  SegmentRef ref = address_of(named);
  CHECK(ref.kind == Kind::posix);
  CHECK(ref.by == SegmentRef::By::name);
  CHECK(ref.text == "a\x41\nb"); // raw bytes, never decoded
  named.kind = Kind::file;
  named.name = std::string("/tmp/x");
  CHECK(address_of(named).by == SegmentRef::By::path);
  CHECK(address_of(named).text == "/tmp/x");
}

// issue 8 defect 7: what a dry run checks without acting.
TEST_CASE("shmkit::check_removal") {
  char pattern[] = "/tmp/shmkit-unit-rm.XXXXXX";
  std::string dir = ::mkdtemp(pattern);
  Paths paths;
  paths.dev_shm = dir;
  auto backend = make_backend(Kind::posix, paths);
  std::ofstream(dir + "/obj") << "x";
  SegmentRef ref;
  ref.kind = Kind::posix;
  ref.by = SegmentRef::By::name;
  ref.text = "obj";
  auto info = backend->stat(ref);
  REQUIRE(info);
  SUBCASE("the same object, ours") { CHECK(check_removal(*backend, *info, paths)); }
  SUBCASE("replaced") {
    ::unlink((dir + "/obj").c_str());
    std::ofstream(dir + "/other") << "y";
    std::ofstream(dir + "/obj") << "z";
    auto checked = check_removal(*backend, *info, paths);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == Errc::changed);
    CHECK(checked.error().message ==
          "not removing posix:/obj: it was replaced since it was listed");
    ::unlink((dir + "/other").c_str());
  }
  SUBCASE("gone: the real removal's message") {
    ::unlink((dir + "/obj").c_str());
    auto checked = check_removal(*backend, *info, paths);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == Errc::not_found);
    CHECK(checked.error().message == "cannot remove posix:/obj: no such file or directory");
  }
  SUBCASE("permission of root or of the owner") {
    // Whoever runs the tests owns the directory and the object: allowed, sticky or not.
    ::chmod(dir.c_str(), 01777);
    CHECK(check_remove_permission(*info, paths));
    SegmentInfo sysv_info = sysv(0, 1);
    sysv_info.uid = ::geteuid();
    CHECK(check_remove_permission(sysv_info, paths));
  }
  ::unlink((dir + "/obj").c_str());
  ::rmdir(dir.c_str());
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
