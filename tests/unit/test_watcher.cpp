#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/hold.hpp"
#include "shmkit/signals.hpp"
#include "shmkit/watcher.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace shmkit;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/shmkit-unit.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> v;
  for (char c : s)
    v.push_back(static_cast<std::byte>(c));
  return v;
}

std::string text_of(std::span<const std::byte> b) {
  return {reinterpret_cast<const char *>(b.data()), b.size()};
}

// "offset+length:old>new" for every change, so that failures print readably.
std::string describe(const ChangeSet &set) {
  std::string out;
  for (const auto &c : set.changes()) {
    if (!out.empty())
      out += ' ';
    out += std::to_string(c.offset) + "+" + std::to_string(c.length) + ":" +
           text_of(set.old_bytes(c)) + ">" + text_of(set.new_bytes(c));
  }
  return out;
}

std::string diff(std::string_view a, std::string_view b, unsigned width, std::uint64_t base = 0) {
  ChangeSet set;
  auto x = bytes_of(a);
  auto y = bytes_of(b);
  diff_region(x, y, base, width, set);
  return describe(set);
}

// A file of `size` bytes: dense (every page written) or sparse (a hole everywhere).
std::string make_file(const TempDir &dir, const char *name, std::size_t size, bool dense) {
  std::string path = dir.path + "/" + name;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  if (dense) {
    std::vector<char> zeros(size, '.');
    REQUIRE(::write(fd, zeros.data(), size) == static_cast<ssize_t>(size));
  } else {
    REQUIRE(::ftruncate(fd, static_cast<off_t>(size)) == 0);
  }
  ::close(fd);
  return path;
}

void poke(const std::string &path, off_t offset, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, data.data(), data.size(), offset) == static_cast<ssize_t>(data.size()));
  ::close(fd);
}

std::unique_ptr<Handle> open_file(const std::string &path) {
  auto handle = make_backend(Kind::file)->open(*parse_address("file:" + path), Access::read_only);
  REQUIRE(handle.has_value());
  return std::move(*handle);
}

// Forwards to a real handle, but check() reports `alive` without looking while `blind` is
// set: the window between a check and the comparison in which another process truncates.
class BlindHandle final : public Handle {
public:
  explicit BlindHandle(std::unique_ptr<Handle> real) : m_real(std::move(real)) {}
  int blind_checks = 0; ///< how many of the next checks report alive without looking
  const SegmentInfo &info() const override { return m_real->info(); }
  std::uint64_t size() const override { return m_real->size(); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    return m_real->read_at(offset, out);
  }
  Result<void> write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    return m_real->write_at(offset, data);
  }
  Result<void> store_atomic(std::uint64_t offset, std::uint64_t value, unsigned width) override {
    return m_real->store_atomic(offset, value, width);
  }
  Result<void> resize(std::uint64_t new_size) override { return m_real->resize(new_size); }
  Result<void> copy_to_fd(int out_fd, std::uint64_t offset, std::uint64_t length) override {
    return m_real->copy_to_fd(out_fd, offset, length);
  }
  Result<Mapping> map(Access access) override { return m_real->map(access); }
  Result<PageLock> lock_pages(const Mapping &mapping) const override {
    return m_real->lock_pages(mapping);
  }
  Result<Liveness> check() override {
    if (blind_checks > 0) {
      --blind_checks;
      return Liveness::alive;
    }
    return m_real->check();
  }
  int fd() const override { return m_real->fd(); }

private:
  std::unique_ptr<Handle> m_real;
};

} // namespace

TEST_CASE("shmkit::diff_region") {
  SUBCASE("byte runs, with absolute offsets") {
    CHECK(diff("abcdef", "abcdef", 0) == "");
    CHECK(diff("abcdef", "aXYdeZ", 0, 100) == "101+2:bc>XY 105+1:f>Z");
    CHECK(diff("abcdef", "ABCDEF", 0) == "0+6:abcdef>ABCDEF");
    CHECK(diff("", "", 0) == "");
  }
  SUBCASE("runs across a long equal stretch (the fast skip)") {
    std::string a(1000, '.');
    std::string b = a;
    b[3] = 'x';
    b[700] = 'y';
    b[701] = 'z';
    b[999] = 'w';
    CHECK(diff(a, b, 0) == "3+1:.>x 700+2:..>yz 999+1:.>w");
  }
  SUBCASE("typed elements: each changed element whole, counted from the first byte") {
    CHECK(diff("aaaabbbbcccc", "aaaabBbbcccC", 4, 16) == "20+4:bbbb>bBbb 24+4:cccc>cccC");
    CHECK(diff("aabbcc", "aXbYcc", 2) == "0+2:aa>aX 2+2:bb>bY");
    CHECK(diff("abcdefgh", "abcdefgH", 8) == "0+8:abcdefgh>abcdefgH");
    CHECK(diff("ab", "xy", 1) == "0+1:a>x 1+1:b>y");
  }
  SUBCASE("a byte run continuing the last change extends it (block boundaries)") {
    ChangeSet set;
    auto a1 = bytes_of("..xx");
    auto b1 = bytes_of("..YY");
    auto a2 = bytes_of("xx..");
    auto b2 = bytes_of("ZZ..");
    diff_region(a1, b1, 0, 0, set);
    diff_region(a2, b2, 4, 0, set);
    CHECK(describe(set) == "2+4:xxxx>YYZZ");
    // Elements never merge.
    ChangeSet typed;
    diff_region(a1, b1, 0, 2, typed);
    diff_region(a2, b2, 4, 2, typed);
    CHECK(describe(typed) == "2+2:xx>YY 4+2:xx>ZZ");
  }
}

TEST_CASE("shmkit::Watcher over a file") {
  TempDir dir;
  for (bool dense : {true, false}) {
    CAPTURE(dense);
    std::string path = make_file(dir, dense ? "dense" : "sparse", 600000, dense);
    auto handle = open_file(path);
    CHECK(region_has_holes(handle->fd(), 0, 600000) == !dense);
    auto started = Watcher::start(std::move(handle), 1000, 590000, 0);
    REQUIRE(started.has_value());
    Watcher &w = *started;
    CHECK(w.method() == (dense ? CompareMethod::mapped : CompareMethod::read));

    auto state = w.poll();
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::alive);
    CHECK(w.changes().empty());

    // Outside the region: not seen. Inside, across the 256 KiB block boundary at 1000+262144:
    // one change.
    poke(path, 10, "outside");
    poke(path, 1000 + 262144 - 2, "ABCD");
    poke(path, 590999, "E");
    poke(path, 591000, "outside too");
    state = w.poll();
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::alive);
    std::string was = dense ? ".." : std::string(2, '\0');
    CHECK(describe(w.changes()) ==
          "263142+4:" + was + was + ">ABCD 590999+1:" + was.substr(1) + ">E");
    CHECK(text_of(w.snapshot().subspan(262142, 4)) == "ABCD");

    // Nothing new: no changes (the snapshot was updated).
    state = w.poll();
    REQUIRE(state.has_value());
    CHECK(w.changes().empty());

    // Shrinking the file but not into the region: still alive.
    REQUIRE(::truncate(path.c_str(), 595000) == 0);
    state = w.poll();
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::alive);
    // Into it: truncated, with the new size.
    REQUIRE(::truncate(path.c_str(), 4096) == 0);
    state = w.poll();
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::truncated);
    CHECK(w.size() == 4096);
  }
}

TEST_CASE("shmkit::Watcher typed elements, removal and replacement") {
  TempDir dir;
  std::string path = make_file(dir, "typed", 64, true);
  auto started = Watcher::start(open_file(path), 8, 16, 4);
  REQUIRE(started.has_value());
  poke(path, 13, "xy");
  auto state = started->poll();
  REQUIRE(state.has_value());
  CHECK(describe(started->changes()) == "12+4:....>.xy.");

  REQUIRE(::unlink(path.c_str()) == 0);
  state = started->poll();
  REQUIRE(state.has_value());
  CHECK(*state == WatchState::removed);

  std::string other = make_file(dir, "other", 64, true);
  auto again = Watcher::start(open_file(other), 0, 64, 0);
  REQUIRE(again.has_value());
  REQUIRE(::rename(make_file(dir, "new", 64, true).c_str(), other.c_str()) == 0);
  state = again->poll();
  REQUIRE(state.has_value());
  CHECK(*state == WatchState::replaced);
}

TEST_CASE("shmkit::Watcher::start rejects bad regions") {
  TempDir dir;
  std::string path = make_file(dir, "small", 100, true);
  std::string shown = "file:" + path;
  auto past = Watcher::start(open_file(path), 96, 8, 0);
  REQUIRE_FALSE(past.has_value());
  CHECK(past.error().code == Errc::past_end);
  CHECK(past.error().message ==
        "8 bytes at offset 96 are past the end of " + shown + " (100 bytes)");
  auto huge = Watcher::start(open_file(path), UINT64_MAX, 2, 0);
  REQUIRE_FALSE(huge.has_value());
  CHECK(huge.error().code == Errc::past_end);
  auto empty = Watcher::start(open_file(path), 0, 0, 0);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().code == Errc::invalid_argument);
  auto ragged = Watcher::start(open_file(path), 0, 6, 4);
  REQUIRE_FALSE(ragged.has_value());
  CHECK(ragged.error().message == "length 6 is not a multiple of the element size 4");
  auto width = Watcher::start(open_file(path), 0, 6, 3);
  REQUIRE_FALSE(width.has_value());
  CHECK(width.error().code == Errc::invalid_argument);
}

TEST_CASE("shmkit::Watcher turns SIGBUS into truncated") {
  TempDir dir;
  for (int blind_checks : {1, 2}) {
    CAPTURE(blind_checks);
    std::string path = make_file(dir, "bus", 3 * 4096, true);
    auto blind = std::make_unique<BlindHandle>(open_file(path));
    BlindHandle *view = blind.get();
    auto started = Watcher::start(std::move(blind), 0, 3 * 4096, 0);
    REQUIRE(started.has_value());
    REQUIRE(started->method() == CompareMethod::mapped);
    // Truncated between the check and the comparison: the comparison touches pages past the
    // end and gets SIGBUS, which must come back as a state, not kill the test binary.
    REQUIRE(::truncate(path.c_str(), 100) == 0);
    view->blind_checks = blind_checks;
    auto state = started->poll();
    if (blind_checks == 1) {
      // The re-check after the fault looks for real and finds the truncation.
      REQUIRE(state.has_value());
      CHECK(*state == WatchState::truncated);
      CHECK(started->size() == 100);
    } else {
      // A fault while the segment still seems large enough (a full tmpfs): an io error.
      REQUIRE_FALSE(state.has_value());
      CHECK(state.error().code == Errc::io);
      CHECK(state.error().message ==
            "cannot read file:" + path + ": SIGBUS inside its size (is its filesystem full?)");
    }
    CHECK(started->changes().empty());
  }
}

TEST_CASE("shmkit::prefault and PageLock on a file mapping") {
  TempDir dir;
  std::string path = make_file(dir, "held", 8 * 4096, false);
  auto handle = make_backend(Kind::file)->open(*parse_address("file:" + path), Access::read_only);
  REQUIRE(handle.has_value());
  auto mapping = (*handle)->map(Access::read_only);
  REQUIRE(mapping.has_value());
  unsigned char resident[8] = {};
  CHECK(prefault(**handle, *mapping).has_value());
  REQUIRE(::mincore(mapping->data(), mapping->size(), resident) == 0);
  for (unsigned char r : resident)
    CHECK((r & 1) == 1);
  {
    auto lock = lock_pages(**handle, *mapping);
    REQUIRE(lock.has_value());
  } // unlocked here, before the mapping goes
  REQUIRE(::truncate(path.c_str(), 0) == 0);
  auto shrunk = prefault(**handle, *mapping);
  REQUIRE_FALSE(shrunk.has_value());
  CHECK(shrunk.error().code == Errc::changed);
}

TEST_CASE("shmkit::StopSignals") {
  ::signal(SIGHUP, SIG_DFL); // not ignored (as under nohup), so that it is waited for
  StopSignals signals;
  auto before = std::chrono::steady_clock::now();
  CHECK(signals.wait(std::chrono::milliseconds(30)) == 0);
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(25));
  ::kill(::getpid(), SIGHUP); // blocked: pending until taken
  CHECK(signals.wait(std::chrono::seconds(5)) == SIGHUP);
  CHECK(signals.wait(std::chrono::milliseconds(-5)) == 0);
}

TEST_CASE("shmkit::Stopper") {
  using Clock = std::chrono::steady_clock;
  ::signal(SIGHUP, SIG_DFL);
  StopSignals signals;
  REQUIRE(signals.fd() >= 0);

  SUBCASE("a deadline, also inside wait_until") {
    Stopper stop(signals, Clock::now() + std::chrono::milliseconds(30));
    CHECK_FALSE(stop.due());
    CHECK(stop.reason() == StopReason::none);
    CHECK(stop.wait_until(Clock::now() + std::chrono::seconds(5)));
    CHECK(stop.reason() == StopReason::deadline);
    CHECK(stop.due()); // sticky
    Stopper none(signals);
    CHECK_FALSE(none.wait_until(Clock::now() + std::chrono::milliseconds(5)));
  }
  SUBCASE("a signal is taken and remembered") {
    Stopper stop(signals);
    ::kill(::getpid(), SIGHUP);
    CHECK(stop.due());
    CHECK(stop.reason() == StopReason::signal);
    CHECK(stop.signal() == SIGHUP);
    CHECK(stop.due());
    CHECK(signals.wait(std::chrono::nanoseconds(0)) == 0); // taken, not pending any more
  }
  // issue 8 defect 9: waiting for a full pipe ends at the deadline or at a stop signal.
  SUBCASE("wait_writable on a full pipe") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK); // our own pipe, only to fill it here
    std::vector<char> chunk(4096, 'x');
    while (::write(fds[1], chunk.data(), chunk.size()) > 0) {
    }
    auto before = Clock::now();
    Stopper late(signals, before + std::chrono::milliseconds(50));
    CHECK_FALSE(late.wait_writable(fds[1]));
    CHECK(late.reason() == StopReason::deadline);
    CHECK(Clock::now() - before >= std::chrono::milliseconds(45));

    Stopper stopped(signals);
    ::kill(::getpid(), SIGHUP);
    CHECK_FALSE(stopped.wait_writable(fds[1]));
    CHECK(stopped.reason() == StopReason::signal);

    // One page read: writable again, for a write of up to PIPE_BUF bytes.
    REQUIRE(::read(fds[0], chunk.data(), chunk.size()) == 4096);
    Stopper fine(signals, Clock::now() + std::chrono::seconds(5));
    CHECK(fine.wait_writable(fds[1]));
    CHECK(fine.reason() == StopReason::none);
    ::close(fds[0]);
    ::close(fds[1]);
  }
}

// issue 8 defect 12: the first snapshot and each comparison give way to a due Stopper.
TEST_CASE("shmkit::Watcher gives way to a Stopper") {
  ::signal(SIGHUP, SIG_DFL);
  StopSignals signals;
  TempDir dir;
  for (bool dense : {true, false}) {
    CAPTURE(dense);
    std::string path = make_file(dir, dense ? "dense" : "sparse", 4 << 20, dense);
    auto opened = Watcher::open(open_file(path), 0, 4 << 20, 0);
    REQUIRE(opened.has_value());
    Stopper expired(signals, std::chrono::steady_clock::now());
    auto state = opened->take_snapshot(&expired);
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::stopped);
    CHECK(expired.reason() == StopReason::deadline);

    Stopper stop(signals);
    state = opened->take_snapshot(&stop);
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::alive);
    state = opened->poll(&stop);
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::alive);
    ::kill(::getpid(), SIGHUP);
    poke(path, 100, "x");
    state = opened->poll(&stop);
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::stopped);
    CHECK(stop.signal() == SIGHUP);
  }
}

// issue 8 defect 13: a truncation during the first snapshot is a state, not an error.
TEST_CASE("shmkit::Watcher truncated during the first snapshot") {
  TempDir dir;
  for (bool dense : {true, false}) {
    CAPTURE(dense);
    std::string path = make_file(dir, dense ? "dense" : "sparse", 1 << 20, dense);
    auto opened = Watcher::open(open_file(path), 0, 1 << 20, 0);
    REQUIRE(opened.has_value());
    CHECK(opened->method() == (dense ? CompareMethod::mapped : CompareMethod::read));
    REQUIRE(::truncate(path.c_str(), 300000) == 0); // inside the second block
    auto state = opened->take_snapshot();
    REQUIRE(state.has_value());
    CHECK(*state == WatchState::truncated);
    CHECK(opened->size() == 300000);
  }
}

// issue 8 defect 10: a snapshot that cannot be held is an error that names its size.
TEST_CASE("shmkit::Watcher::open refuses a snapshot larger than memory") {
  CHECK(human_size(0) == "0 bytes");
  CHECK(human_size(1023) == "1023 bytes");
  CHECK(human_size(1024) == "1 KiB");
  CHECK(human_size(1536) == "1.5 KiB");
  CHECK(human_size(std::uint64_t{300} << 30) == "300 GiB");
  CHECK(human_size(std::uint64_t{2} << 60) == "2 EiB");

  TempDir dir;
  std::string path = make_file(dir, "huge", 4096, false);
  if (::truncate(path.c_str(), off_t{1} << 42) != 0) // 4 TiB, sparse
    return;                                          // a file system without such files
  auto opened = Watcher::open(open_file(path), 0, std::uint64_t{1} << 42, 0);
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code == Errc::no_space);
  CHECK(opened.error().message.starts_with("cannot hold a 4 TiB snapshot of file:" + path +
                                           " in memory: the system has "));
}
