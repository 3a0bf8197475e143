#include "shmkit/set_watch.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

using namespace shmkit;

namespace {

std::vector<std::string> names(const std::vector<SetChange> &changes) {
  std::vector<std::string> out;
  for (const auto &c : changes)
    out.push_back(set_event_name(c.event));
  return out;
}

SegmentInfo sysv(int id) {
  SegmentInfo s;
  s.kind = Kind::sysv;
  s.segment = "id:" + std::to_string(id);
  s.id = id;
  s.cpid = 42;
  s.nattch = 0;
  s.mode = 0600;
  s.size = 4096;
  return s;
}

} // namespace

TEST_CASE("shmkit::diff_segment") {
  SegmentInfo before = sysv(1);
  std::vector<SetChange> out;

  SUBCASE("nothing changed") {
    SegmentInfo after = before;
    after.atime = 123; // times, lpid, rss: not events
    after.lpid = 7;
    diff_segment(before, after, out);
    CHECK(out.empty());
  }
  SUBCASE("each field, in order") {
    SegmentInfo after = before;
    after.mode = 0644;
    after.gid = 5;
    after.size = 8192;
    after.nattch = 3;
    after.dest = true;
    diff_segment(before, after, out);
    CHECK(names(out) ==
          std::vector<std::string>{"chmod", "chown", "resized", "attached", "marked"});
    CHECK(out[3].info.nattch == 3u);
    REQUIRE(out[3].before);
    CHECK(out[3].before->nattch == 0u);
  }
  SUBCASE("detached") {
    before.nattch = 2;
    SegmentInfo after = before;
    after.nattch = 1;
    diff_segment(before, after, out);
    CHECK(names(out) == std::vector<std::string>{"detached"});
  }
  SUBCASE("no attach count (POSIX): no attach events") {
    before.nattch.reset();
    SegmentInfo after = before;
    diff_segment(before, after, out);
    CHECK(out.empty());
  }
}

TEST_CASE("shmkit::same_segment") {
  SegmentInfo a = sysv(1);
  SegmentInfo b = a;
  CHECK(same_segment(a, b));
  b.cpid = 43;
  CHECK_FALSE(same_segment(a, b));
  b = a;
  b.ino = 9;
  CHECK_FALSE(same_segment(a, b));
}

TEST_CASE("shmkit::SetWatcher over a POSIX directory") {
  char tmpl[] = "/tmp/shmkit-setwatch.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  const std::string file = dir + "/obj";
  SetWatchOptions options;
  options.kinds = {Kind::posix};
  options.paths.dev_shm = dir;
  options.paths.sysvipc_shm = dir + "/none";
  int fd = ::open((dir + "/first").c_str(), O_CREAT | O_WRONLY, 0600);
  ::close(fd);
  auto watcher = SetWatcher::start(options);
  REQUIRE(watcher);
  REQUIRE((*watcher)->initial().size() == 1);
  CHECK((*watcher)->initial()[0].segment == "posix:/first");

  StopSignals signals;
  Stopper stop(signals, std::chrono::steady_clock::now() + std::chrono::seconds(20));
  auto next = [&] {
    auto changes = (*watcher)->next(stop, signals.fd());
    REQUIRE(changes);
    return *changes;
  };
  fd = ::open(file.c_str(), O_CREAT | O_WRONLY, 0600);
  REQUIRE(fd >= 0);
  auto created = next();
  REQUIRE(names(created) == std::vector<std::string>{"created"});
  CHECK(created[0].info.segment == "posix:/obj");
  CHECK_FALSE(created[0].before);

  REQUIRE(::fchmod(fd, 0640) == 0);
  auto chmod = next();
  REQUIRE(names(chmod) == std::vector<std::string>{"chmod"});
  CHECK(chmod[0].info.mode == 0640u);
  CHECK(chmod[0].before->mode == 0600u);

  REQUIRE(::ftruncate(fd, 4096) == 0);
  auto resized = next();
  REQUIRE(names(resized) == std::vector<std::string>{"resized"});
  CHECK(resized[0].info.size == 4096u);
  ::close(fd);

  REQUIRE(::unlink(file.c_str()) == 0);
  auto removed = next();
  REQUIRE(names(removed) == std::vector<std::string>{"removed"});
  CHECK(removed[0].info.segment == "posix:/obj");

  // Nothing more: the deadline ends the wait with no changes.
  Stopper soon(signals, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
  auto none = (*watcher)->next(soon, signals.fd());
  REQUIRE(none);
  CHECK(none->empty());
  CHECK(soon.reason() == StopReason::deadline);
  ::unlink((dir + "/first").c_str());
  ::rmdir(dir.c_str());
}
