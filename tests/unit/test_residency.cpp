// measure_residency(): RSS and SWAP of POSIX objects and files by cachestat(2), and by the
// mincore(2) fallback that kernels before 6.5 get (ResidencyMethod::mincore forces it).
#include "shmkit/backend.hpp"
#include "shmkit/residency.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace shmkit;

namespace {

const std::uint64_t k_page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/shmkit-unit.XXXXXX";
    path = ::mkdtemp(tmpl);
    ::chmod(path.c_str(), 0755);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

// Makes `path` `pages` pages long with only the pages in `touched` written (the rest holes,
// never in memory), and returns its SegmentInfo as a listing would.
SegmentInfo make_object(Kind kind, const std::string &path, const std::string &name,
                        std::uint64_t pages, const std::vector<std::uint64_t> &touched,
                        mode_t mode = 0644) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, mode);
  REQUIRE(fd >= 0);
  ::fchmod(fd, mode);
  REQUIRE(::ftruncate(fd, static_cast<off_t>(pages * k_page)) == 0);
  std::string page(k_page, 'x');
  for (std::uint64_t at : touched)
    REQUIRE(::pwrite(fd, page.data(), page.size(), static_cast<off_t>(at * k_page)) ==
            static_cast<ssize_t>(page.size()));
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  ::close(fd);
  SegmentInfo info;
  info.kind = kind;
  info.segment = (kind == Kind::posix ? "posix:" : "file:") + name;
  info.name = name;
  info.size = pages * k_page;
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  return info;
}

// measure_residency() in a child running as nobody (uid/gid 65534); rss/swap as -1 for null.
std::pair<long long, long long> measure_as_nobody(const SegmentInfo &info, const Paths &paths,
                                                  ResidencyMethod method) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    long long out[2] = {-2, -2};
    if (::setgroups(0, nullptr) == 0 && ::setresgid(65534, 65534, 65534) == 0 &&
        ::setresuid(65534, 65534, 65534) == 0) {
      Residency r = measure_residency(info, paths, method);
      out[0] = r.rss ? static_cast<long long>(*r.rss) : -1;
      out[1] = r.swap ? static_cast<long long>(*r.swap) : -1;
    }
    (void)!::write(fds[1], out, sizeof out);
    ::_exit(0);
  }
  ::close(fds[1]);
  long long got[2] = {-3, -3};
  (void)!::read(fds[0], got, sizeof got);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {got[0], got[1]};
}

} // namespace

TEST_CASE("measure_residency: a file, by cachestat and by mincore") {
  TempDir dir;
  std::string path = dir.path + "/data";
  SegmentInfo info = make_object(Kind::file, path, path, 8, {0, 2, 5});
  for (auto method : {ResidencyMethod::automatic, ResidencyMethod::mincore}) {
    CAPTURE(static_cast<int>(method));
    Residency r = measure_residency(info, Paths{}, method);
    REQUIRE(r.rss.has_value());
    CHECK(*r.rss == 3 * k_page);
    // The pages of a file on a disk filesystem are never swapped.
    REQUIRE(r.swap.has_value());
    CHECK(*r.swap == 0);
  }
}

TEST_CASE("measure_residency: a POSIX object on tmpfs; mincore cannot tell its swap") {
  Paths paths; // the real /dev/shm (tmpfs): a unit test has no tmpfs of its own
  std::string name = "/shmkit-unit-residency-" + std::to_string(::getpid());
  std::string path = paths.dev_shm + name;
  ::unlink(path.c_str());
  SegmentInfo info = make_object(Kind::posix, path, name, 5, {1, 3});
  Residency by_cachestat = measure_residency(info, paths);
  Residency by_mincore = measure_residency(info, paths, ResidencyMethod::mincore);
  ::unlink(path.c_str());
  REQUIRE(by_cachestat.rss.has_value());
  CHECK(*by_cachestat.rss == 2 * k_page);
  REQUIRE(by_cachestat.swap.has_value());
  CHECK(*by_cachestat.swap == 0); // nothing paged out (tests/e2e/ls-memory-swap.sh pages out)
  REQUIRE(by_mincore.rss.has_value());
  CHECK(*by_mincore.rss == 2 * k_page);
  CHECK_FALSE(by_mincore.swap.has_value());
}

TEST_CASE("measure_residency: replaced, vanished, FIFO and symlink give null, never block") {
  TempDir dir;
  std::string path = dir.path + "/data";
  SegmentInfo info = make_object(Kind::file, path, path, 2, {0});
  for (auto method : {ResidencyMethod::automatic, ResidencyMethod::mincore}) {
    SegmentInfo other = info;
    other.ino = *info.ino + 1; // the name now refers to a different object
    Residency r = measure_residency(other, Paths{}, method);
    CHECK_FALSE(r.rss.has_value());
    CHECK_FALSE(r.swap.has_value());

    SegmentInfo gone = info;
    gone.name = dir.path + "/missing";
    CHECK_FALSE(measure_residency(gone, Paths{}, method).rss.has_value());

    std::string fifo = dir.path + "/fifo";
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    struct stat st {};
    REQUIRE(::stat(fifo.c_str(), &st) == 0);
    SegmentInfo planted = info;
    planted.name = fifo;
    planted.ino = st.st_ino;
    CHECK_FALSE(measure_residency(planted, Paths{}, method).rss.has_value());

    std::string link = dir.path + "/link";
    ::unlink(link.c_str());
    REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);
    SegmentInfo linked = info;
    linked.name = link;
    CHECK_FALSE(measure_residency(linked, Paths{}, method).rss.has_value());
  }
}

TEST_CASE("measure_residency: SysV figures come from the listing, never from an attach") {
  SegmentInfo info;
  info.kind = Kind::sysv;
  info.segment = "id:7";
  info.id = 7;
  info.rss = 3 * k_page;
  info.swap = k_page;
  Residency r = measure_residency(info, Paths{});
  CHECK(r.rss == info.rss);
  CHECK(r.swap == info.swap);
  info.rss.reset();
  info.swap.reset();
  r = measure_residency(info, Paths{});
  CHECK_FALSE(r.rss.has_value());
  CHECK_FALSE(r.swap.has_value());
}

TEST_CASE("measure_residency: a caller who may not write gets null, never mincore's lie") {
  if (::geteuid() != 0)
    return; // needs to become nobody
  TempDir dir;
  std::string path = dir.path + "/data";
  SegmentInfo info = make_object(Kind::file, path, path, 4, {1}, 0644);
  // mincore would report all 4 pages resident to nobody (Linux 5.0, 134fca9063ad).
  auto [rss, swap] = measure_as_nobody(info, Paths{}, ResidencyMethod::mincore);
  CHECK(rss == -1);
  CHECK(swap == -1);
  // cachestat: refused (EPERM) by kernels that restrict it like mincore; an older kernel may
  // answer, and then with the truth.
  auto [crss, cswap] = measure_as_nobody(info, Paths{}, ResidencyMethod::automatic);
  CHECK((crss == -1 || crss == static_cast<long long>(k_page)));
  // A file nobody may write is measured by both.
  std::string shared = dir.path + "/shared";
  SegmentInfo open_info = make_object(Kind::file, shared, shared, 4, {0, 3}, 0666);
  for (auto method : {ResidencyMethod::automatic, ResidencyMethod::mincore}) {
    auto [orss, oswap] = measure_as_nobody(open_info, Paths{}, method);
    CHECK(orss == static_cast<long long>(2 * k_page));
    CHECK(oswap == 0);
  }
}

TEST_CASE("SysvBackend without memory needs lists through SHM_STAT_ANY, the same but RSS/SWAP") {
  int id = ::shmget(IPC_PRIVATE, 12345, IPC_CREAT | 0640);
  REQUIRE(id >= 0);
  // A damaged table would warn if it were read: without memory needs it is not.
  TempDir dir;
  Paths damaged;
  damaged.sysvipc_shm = dir.path + "/shm";
  {
    std::FILE *f = std::fopen(damaged.sysvipc_shm.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("not a table\n", f);
    std::fclose(f);
  }
  auto fast = make_backend(Kind::sysv, damaged);
  fast->set_needs({.memory = false});
  auto by_stat = fast->list();
  auto full = make_backend(Kind::sysv);
  auto by_proc = full->list();
  ::shmctl(id, IPC_RMID, nullptr);
  REQUIRE(by_stat.has_value());
  REQUIRE(by_proc.has_value());
  CHECK(fast->report().warnings.empty());
  auto find = [&](const std::vector<SegmentInfo> &rows) {
    for (const auto &r : rows)
      if (r.id == id)
        return r;
    FAIL("segment not listed");
    return SegmentInfo{};
  };
  SegmentInfo a = find(*by_stat);
  SegmentInfo b = find(*by_proc);
  CHECK_FALSE(a.rss.has_value());
  CHECK_FALSE(a.swap.has_value());
  CHECK(b.rss.has_value());
  CHECK(b.swap.has_value());
  CHECK(a.segment == b.segment);
  CHECK(a.key == b.key);
  CHECK(a.mode == b.mode);
  CHECK(a.size == b.size);
  CHECK(a.uid == b.uid);
  CHECK(a.gid == b.gid);
  CHECK(a.cuid == b.cuid);
  CHECK(a.cgid == b.cgid);
  CHECK(a.nattch == b.nattch);
  CHECK(a.cpid == b.cpid);
  CHECK(a.lpid == b.lpid);
  CHECK(a.dest == b.dest);
  CHECK(a.locked == b.locked);
  CHECK(a.atime == b.atime);
  CHECK(a.dtime == b.dtime);
  CHECK(a.ctime == b.ctime);
  // BackendSet hands the needs to the backends it makes.
  BackendSet set;
  set.set_needs({.memory = false});
  auto again = set.of(Kind::sysv).list();
  REQUIRE(again.has_value());
  for (const auto &r : *again)
    CHECK_FALSE(r.rss.has_value());
}
