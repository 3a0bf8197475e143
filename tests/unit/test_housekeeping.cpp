#include "shmkit/housekeeping.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace shmkit;

namespace {

// Paths with only `proc` set.
Paths proc_only(std::string proc) {
  Paths paths;
  paths.sysvipc_shm.clear();
  paths.dev_shm.clear();
  paths.proc = std::move(proc);
  return paths;
}

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
    auto forced = shm_rmid_forced(proc_only(proc.root + "/nowhere"));
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

// A fake /proc for the creator check: PROC/stat with btime, PROC/PID/stat with a start time,
// removed again by the destructor. Pids 100 and 200 are alive (fake_alive), others are not.
struct FakeStat {
  static constexpr std::int64_t k_btime = 1'600'000'000;
  std::string root;
  std::vector<std::string> files;
  std::vector<std::string> dirs;
  FakeStat() {
    char pattern[] = "/tmp/shmkit-unit-stat.XXXXXX";
    root = ::mkdtemp(pattern);
    put("stat", "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 0\nctxt 9\nbtime " + std::to_string(k_btime) +
                    "\nprocesses 5\n");
  }
  FakeStat(const FakeStat &) = delete;
  FakeStat &operator=(const FakeStat &) = delete;
  ~FakeStat() {
    for (const std::string &f : files)
      ::unlink((root + "/" + f).c_str());
    for (const std::string &d : dirs)
      ::rmdir((root + "/" + d).c_str());
    ::rmdir(root.c_str());
  }
  void put(const std::string &name, const std::string &text) {
    std::ofstream(root + "/" + name) << text;
    files.push_back(name);
  }
  // Process `pid` started at `start_ms` (ms since the epoch), in clock ticks since btime.
  void started(pid_t pid, std::int64_t start_ms) {
    std::string dir = std::to_string(pid);
    ::mkdir((root + "/" + dir).c_str(), 0700);
    dirs.push_back(dir);
    long hz = ::sysconf(_SC_CLK_TCK);
    std::int64_t ticks = (start_ms - k_btime * 1000) * hz / 1000;
    put(dir + "/stat", std::to_string(pid) +
                           " (sh (x) y) S 1 2 3 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 " +
                           std::to_string(ticks) + " 1000 100 18446744073709551615\n");
  }
  Paths paths() const {
    Paths paths;
    paths.proc = root;
    return paths;
  }
};

bool fake_alive(pid_t pid) { return pid == 100 || pid == 200; }

std::string reasons_of(const Classification &c) { return c.reasons.text(); }

TEST_CASE("shmkit::parse_stat_starttime and parse_btime") {
  CHECK(parse_stat_starttime("1 (init) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 42 1 2\n") ==
        42u);
  // The command name may hold spaces and parentheses: the last ')' ends it.
  CHECK(parse_stat_starttime("7 (a) b (c) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 99 1\n") ==
        99u);
  CHECK_FALSE(parse_stat_starttime("7 (a) S 0 1"));
  CHECK_FALSE(parse_stat_starttime("no parenthesis"));
  CHECK_FALSE(parse_stat_starttime("7 (a) S 0 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 x1 1"));
  CHECK(parse_btime("cpu 1\nbtime 1700000000\nprocesses 3\n") == 1'700'000'000);
  CHECK(parse_btime("btime 5") == 5);
  CHECK_FALSE(parse_btime("cpu 1\nprocesses 3\n"));
  CHECK_FALSE(parse_btime("btime x\n"));
}

TEST_CASE("shmkit::state_name and the reason words") {
  CHECK(state_name(State::in_use) == "in-use");
  CHECK(state_name(State::idle) == "idle");
  CHECK(state_name(State::orphaned) == "orphaned");
  CHECK(state_name(State::unknown) == "unknown");
  CHECK(state_name(State::dest) == "dest");
  Reasons all;
  for (std::uint16_t bit = 1; bit != 1u << 10; bit = static_cast<std::uint16_t>(bit << 1))
    all.add(static_cast<Reason>(bit));
  CHECK(all.text() == "marked,attached,mapped,open,no-users,creator-alive,creator-dead,"
                      "creator-pid-reused,recent,cannot-read-proc");
  CHECK(Reasons().text().empty());
  CHECK(reason_name(Reason::creator_pid_reused) == "creator-pid-reused");
}

// issue 10: STATE and REASON.
TEST_CASE("shmkit::classify") {
  using std::chrono::milliseconds;
  FakeStat proc;
  CreatorCheck creators(proc.paths(), fake_alive);
  const std::time_t now = 1'700'000'000;
  ClassifyOptions options;
  options.now_ms = std::int64_t{now} * 1000;
  const UserScan none;
  auto old_sysv = [&](std::uint64_t nattch, std::optional<pid_t> cpid) {
    SegmentInfo info = sysv(nattch, cpid);
    info.ctime = now - 7200;
    return info;
  };
  SUBCASE("dest wins over in-use, and lists what still holds it") {
    SegmentInfo info = old_sysv(2, 100);
    info.dest = true;
    Classification c = classify(info, none, options, creators);
    CHECK(c.state == State::dest);
    CHECK(reasons_of(c) == "marked,attached");
  }
  SUBCASE("sysv attached: the kernel's count, no scan needed") {
    Classification c = classify(old_sysv(1, 300), none, options, creators);
    CHECK(c.state == State::in_use);
    CHECK(reasons_of(c) == "attached");
  }
  SUBCASE("sysv: the creator alive, dead, or its pid reused") {
    proc.started(100, (std::int64_t{now} - 9000) * 1000); // before the segment
    Classification alive = classify(old_sysv(0, 100), none, options, creators);
    CHECK(alive.state == State::idle);
    CHECK(reasons_of(alive) == "no-users,creator-alive");
    Classification dead = classify(old_sysv(0, 300), none, options, creators);
    CHECK(dead.state == State::orphaned);
    CHECK(reasons_of(dead) == "no-users,creator-dead");
    proc.started(200, (std::int64_t{now} - 7199) * 1000); // one second after its ctime
    Classification reused = classify(old_sysv(0, 200), none, options, creators);
    CHECK(reused.state == State::orphaned);
    CHECK(reasons_of(reused) == "no-users,creator-pid-reused");
  }
  SUBCASE("pid reuse needs a start after the end of ctime's second") {
    SegmentInfo info = old_sysv(0, 200);
    proc.started(200, (std::int64_t{now} - 7200) * 1000 + 990); // the same second
    CHECK(classify(info, none, options, creators).reasons.has(Reason::creator_alive));
    CHECK(creators.creator(200, now - 7200) == Creator::alive);
    CHECK(creators.creator(200, now - 7201) == Creator::pid_reused);
  }
  SUBCASE("a live pid whose start time cannot be read counts as the creator") {
    CHECK(creators.creator(100, now) == Creator::alive); // no PROC/100/stat
    CHECK(creators.creator(100, std::nullopt) == Creator::alive);
    CHECK(creators.creator(300, now) == Creator::dead);
  }
  SUBCASE("no creator pid (another pid namespace): unknown") {
    for (std::optional<pid_t> cpid : {std::optional<pid_t>(0), std::optional<pid_t>()}) {
      Classification c = classify(old_sysv(0, cpid), none, options, creators);
      CHECK(c.state == State::unknown);
      CHECK(reasons_of(c) == "no-users,cannot-read-proc");
    }
  }
  SUBCASE("sysv: the grace period; the newest of ctime, atime and dtime") {
    SegmentInfo info = old_sysv(0, 300);
    info.atime = now - 5000;
    info.dtime = 0; // never detached
    CHECK(last_activity(info) == now - 5000);
    CHECK(classify(info, none, options, creators).state == State::orphaned);
    info.dtime = now - 60;
    CHECK(last_activity(info) == now - 60);
    Classification recent = classify(info, none, options, creators);
    CHECK(recent.state == State::idle);
    CHECK(reasons_of(recent) == "no-users,creator-dead,recent");
    options.grace = milliseconds(0);
    CHECK(classify(info, none, options, creators).state == State::orphaned);
    options.grace = milliseconds(59'000);
    CHECK(classify(info, none, options, creators).state == State::orphaned);
    // The end of its second: 60 s ago may be only 59.x s ago.
    options.grace = milliseconds(59'001);
    CHECK(classify(info, none, options, creators).state == State::idle);
  }
  SUBCASE("posix: mapped, open, by the users the scan found, not ourselves") {
    UserScan scan;
    scan.users = {user(101, 5, 42, true, false), user(102, 5, 43, false, true),
                  user(103, 5, 44, true, true), user(104, 5, 45, false, true)};
    auto at = [&](ino_t ino) {
      SegmentInfo info = posix(5, ino);
      info.ctime = info.mtime = now - 7200;
      return classify(info, scan, options, creators);
    };
    CHECK(at(42).state == State::in_use);
    CHECK(reasons_of(at(42)) == "mapped");
    CHECK(reasons_of(at(43)) == "open");
    CHECK(reasons_of(at(44)) == "mapped,open");
    CHECK(at(46).state == State::orphaned);
    CHECK(reasons_of(at(46)) == "no-users");
    // issue 8 defect 19a: rm's own fd is no use.
    options.self = 104;
    CHECK(at(45).state == State::orphaned);
    // A process we cannot read may map it: unknown, unless a user is seen.
    scan.unreadable = 3;
    CHECK(at(45).state == State::unknown);
    CHECK(reasons_of(at(45)) == "no-users,cannot-read-proc");
    CHECK(at(42).state == State::in_use);
  }
  SUBCASE("posix: the newest of mtime and ctime, not atime; unknown time is recent") {
    SegmentInfo info = posix(5, 42);
    CHECK_FALSE(last_activity(info));
    Classification unknown_time = classify(info, none, options, creators);
    CHECK(unknown_time.state == State::idle);
    CHECK(reasons_of(unknown_time) == "no-users,recent");
    info.ctime = now - 7200;
    info.mtime = now - 7300;
    info.atime = now; // a read is no sign of life
    CHECK(last_activity(info) == now - 7200);
    CHECK(classify(info, none, options, creators).state == State::orphaned);
    info.mtime = now - 10;
    CHECK(classify(info, none, options, creators).state == State::idle);
    UserScan partial;
    partial.unreadable = 1;
    CHECK(reasons_of(classify(info, partial, options, creators)) ==
          "no-users,recent,cannot-read-proc");
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
    CHECK(proc_self_pid(proc_only("/nonexistent")) == ::getpid());
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

// issue 10: the start time from the live /proc agrees with the clock.
TEST_CASE("shmkit::CreatorCheck on the live /proc") {
  CreatorCheck creators(Paths{});
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  auto started = creators.start_ms(::getpid());
  REQUIRE(started);
  CHECK(*started <= now_ms);
  CHECK(*started > now_ms - 3'600'000); // this test binary started less than an hour ago
  // A segment made now by this process: we are its creator. One made an hour before we
  // started: our pid is a reuse.
  CHECK(creators.creator(::getpid(), std::time(nullptr)) == Creator::alive);
  CHECK(creators.creator(::getpid(), std::time(nullptr) - 7200) == Creator::pid_reused);
  CHECK(creators.creator(dead_pid(), std::time(nullptr)) == Creator::dead);
}
