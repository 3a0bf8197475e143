#include "shmkit/users.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

using namespace shmkit;
namespace fs = std::filesystem;

namespace {

// A scratch directory that is removed with everything in it (and nothing else).
class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "shmkit-unit-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    m_path = pattern;
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
  const fs::path &path() const { return m_path; }

private:
  fs::path m_path;
};

void write_file(const fs::path &path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

struct Expected {
  pid_t pid;
  std::string_view comm;
  bool maps;
  bool holds_fd;
  std::uint64_t dev;
  std::uint64_t ino;
  bool sysv;
};

void check_users(const std::vector<SegmentUser> &got, const std::vector<Expected> &want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].pid == want[i].pid);
    CHECK(got[i].comm == want[i].comm);
    CHECK(got[i].maps == want[i].maps);
    CHECK(got[i].holds_fd == want[i].holds_fd);
    CHECK(got[i].dev == want[i].dev);
    CHECK(got[i].ino == want[i].ino);
    CHECK(got[i].sysv == want[i].sysv);
  }
}

// "maj:min" as /proc/PID/maps prints a device ("%02x:%02x").
std::string maps_dev(dev_t dev) {
  char text[32];
  std::snprintf(text, sizeof text, "%02x:%02x", major(dev), minor(dev));
  return text;
}

SegmentInfo sysv_segment(int shmid) {
  SegmentInfo info;
  info.kind = Kind::sysv;
  info.id = shmid;
  return info;
}

SegmentInfo fd_segment(Kind kind, dev_t dev, ino_t ino) {
  SegmentInfo info;
  info.kind = kind;
  info.dev = dev;
  info.ino = ino;
  return info;
}

constexpr std::string_view k_writer_maps =
    R"(55d0c0a00000-55d0c0a02000 r--p 00000000 fe:00 247134                     /usr/bin/writer
55d0c1a00000-55d0c1a21000 rw-p 00000000 00:00 0                          [heap]
7f4a1d600000-7f4a1d620000 rw-p 00000000 00:00 0 
7f4a1d62b000-7f4a1d62c000 rw-s 00000000 00:01 1026                       /dev/zero (deleted)
7f4a1d62c000-7f4a1d62d000 r--s 00000000 00:1a 5                          /dev/shm/foo
7f4a1d62d000-7f4a1d62e000 rw-s 00001000 00:1a 5                          /dev/shm/foo
7f4a1d62e000-7f4a1d62f000 r--s 00000000 00:01 32769                      /SYSV00000002 (deleted)
7f4a1d62f000-7f4a1d630000 rw-s 00000000 00:01 32769                      /SYSV00000002 (deleted)
7f4a1d630000-7f4a1d631000 rw-s 00000000 103:02 4242                      /var/lib/app/my ring.bin
7f4a1d631000-7f4a1d632000 r--p 00000000 00:1a 6                          /dev/shm/private-only
7f4a1d632000-7f4a1d633000 rw-s 00000000 00:1a 7                          /dev/shm/gone (deleted)
7ffd5b3f0000-7ffd5b3f1000 r--p 00000000 00:00 0                          [vvar]
)";

// No trailing newline, and "/SYSV" names that are not SysV segments.
constexpr std::string_view k_reader_maps =
    R"(7f0000000000-7f0000001000 r--s 00000000 00:01 32769                      /SYSV00000002 (deleted)
7f0000001000-7f0000002000 rw-s 00000000 00:01 7                          /SYSVdeadbeef (deleted)
7f0000002000-7f0000003000 rw-s 00000000 00:01 8                          /SYSVnothex0 (deleted)
7f0000003000-7f0000004000 rw-s 00000000 garbage 9                        /dev/shm/bad-dev)";

// A fixture /proc: pids 100 and 200 map segments, 300 vanished (no maps), 400 is a kernel
// thread (empty maps), 500 maps one file and holds two; "sys", "self" and the plain file
// "600" are not processes.
struct FixtureProc {
  TempDir dir;
  fs::path proc = dir.path() / "proc";
  fs::path data = dir.path() / "data.bin";
  fs::path other = dir.path() / "other.bin";
  struct stat data_st {};
  struct stat other_st {};

  FixtureProc() {
    write_file(proc / "100" / "comm", "writer\n");
    write_file(proc / "100" / "maps", k_writer_maps);
    write_file(proc / "200" / "comm", "reader");
    write_file(proc / "200" / "maps", k_reader_maps);
    fs::create_directories(proc / "300");
    write_file(proc / "400" / "comm", "kthreadd\n");
    write_file(proc / "400" / "maps", "");
    write_file(data, "data");
    write_file(other, "other");
    REQUIRE(stat(data.c_str(), &data_st) == 0);
    REQUIRE(stat(other.c_str(), &other_st) == 0);
    write_file(proc / "500" / "comm", "holder\n");
    write_file(proc / "500" / "maps",
               "7f0000000000-7f0000001000 rw-s 00000000 " + maps_dev(data_st.st_dev) + " " +
                   std::to_string(data_st.st_ino) + "   " + data.string() + "\n");
    fs::create_directories(proc / "500" / "fd");
    fs::create_symlink(data, proc / "500" / "fd" / "3");
    fs::create_symlink(other, proc / "500" / "fd" / "4");
    fs::create_symlink(dir.path(), proc / "500" / "fd" / "5");
    fs::create_symlink(dir.path() / "missing", proc / "500" / "fd" / "6");
    write_file(proc / "sys" / "maps", k_writer_maps);
    fs::create_directory_symlink(proc / "100", proc / "self");
    write_file(proc / "600", "not a directory");
  }

  Paths paths() const {
    Paths result;
    result.proc = proc.string();
    return result;
  }
};

} // namespace

TEST_CASE("shmkit::scan_users") {
  FixtureProc fixture;
  const std::uint64_t shm_dev = makedev(0, 0x1a);
  const std::uint64_t sysv_dev = makedev(0, 1);

  SUBCASE("maps only") {
    auto users = scan_users(fixture.paths(), false);
    REQUIRE(users);
    check_users(*users, {
                            {100, "writer", true, false, shm_dev, 5, false},
                            {100, "writer", true, false, shm_dev, 7, false},
                            {100, "writer", true, false, makedev(0x103, 2), 4242, false},
                            {100, "writer", true, false, sysv_dev, 32769, true},
                            {200, "reader", true, false, sysv_dev, 8, false},
                            {200, "reader", true, false, sysv_dev, 7, true},
                            {200, "reader", true, false, sysv_dev, 32769, true},
                            {500, "holder", true, false, fixture.data_st.st_dev,
                             fixture.data_st.st_ino, false},
                        });
  }

  SUBCASE("with fds: a mapped and held file is one entry") {
    auto users = scan_users(fixture.paths(), true);
    REQUIRE(users);
    REQUIRE(users->size() == 9);
    std::vector<SegmentUser> holder(users->end() - 2, users->end());
    std::vector<Expected> want = {
        {500, "holder", true, true, fixture.data_st.st_dev, fixture.data_st.st_ino, false},
        {500, "holder", false, true, fixture.other_st.st_dev, fixture.other_st.st_ino, false},
    };
    // Both are on one device, so the inode decides the order.
    if (fixture.other_st.st_ino < fixture.data_st.st_ino)
      std::swap(want[0], want[1]);
    check_users(holder, want);
  }

  SUBCASE("an unreadable proc directory fails") {
    Paths paths;
    paths.proc = (fixture.dir.path() / "no-such-proc").string();
    auto users = scan_users(paths, false);
    REQUIRE_FALSE(users);
    CHECK(users.error().code == Errc::not_found);
    CHECK(users.error().sys_errno == ENOENT);
    CHECK(users.error().message == "cannot read " + paths.proc + ": no such file or directory");
  }
}

TEST_CASE("shmkit::users_of") {
  FixtureProc fixture;
  auto users = scan_users(fixture.paths(), true);
  REQUIRE(users);

  auto pids = [](const std::vector<SegmentUser> &found) {
    std::vector<pid_t> result;
    for (const SegmentUser &user : found)
      result.push_back(user.pid);
    return result;
  };

  SUBCASE("sysv by shmid") {
    CHECK(pids(users_of(sysv_segment(32769), *users)) == std::vector<pid_t>{100, 200});
    CHECK(pids(users_of(sysv_segment(7), *users)) == std::vector<pid_t>{200});
    // Inode 5 belongs to a POSIX object, not to shmid 5.
    CHECK(users_of(sysv_segment(5), *users).empty());
    CHECK(users_of(SegmentInfo{}, *users).empty()); // no id
  }

  SUBCASE("posix and file by device and inode") {
    CHECK(pids(users_of(fd_segment(Kind::posix, makedev(0, 0x1a), 5), *users)) ==
          std::vector<pid_t>{100});
    CHECK(users_of(fd_segment(Kind::posix, makedev(0, 0x1b), 5), *users).empty());
    auto held =
        users_of(fd_segment(Kind::file, fixture.other_st.st_dev, fixture.other_st.st_ino), *users);
    REQUIRE(held.size() == 1);
    CHECK(held[0].pid == 500);
    CHECK_FALSE(held[0].maps);
    CHECK(held[0].holds_fd);
    // A SysV mapping on the same device with the same inode is not a file.
    CHECK(pids(users_of(fd_segment(Kind::file, makedev(0, 1), 8), *users)) ==
          std::vector<pid_t>{200});
    CHECK(users_of(fd_segment(Kind::file, makedev(0, 1), 7), *users).empty());
    SegmentInfo no_dev;
    no_dev.kind = Kind::posix;
    CHECK(users_of(no_dev, *users).empty());
  }
}

TEST_CASE("shmkit::scan_users on the live /proc") {
  // This process attaches a SysV segment and maps a /dev/shm object, then must find itself.
  // Only what is created here is removed.
  int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0600);
  REQUIRE(shmid >= 0);
  void *attached = shmat(shmid, nullptr, 0);
  shmctl(shmid, IPC_RMID, nullptr); // destroyed at shmdt, even if a check below throws
  REQUIRE(attached != reinterpret_cast<void *>(-1));

  std::string name = "/dev/shm/shmkit-unit-" + std::to_string(getpid());
  int fd = open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  void *mapped = MAP_FAILED;
  struct stat st {};
  if (fd >= 0) {
    unlink(name.c_str()); // keeps working through fd and mapping; nothing left behind
    if (ftruncate(fd, 4096) == 0 && fstat(fd, &st) == 0)
      mapped = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
  }

  auto users = scan_users(Paths{}, true);
  REQUIRE(users);
  auto mine = users_of(sysv_segment(shmid), *users);
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].pid == getpid());
  CHECK(mine[0].maps);
  CHECK(mine[0].sysv);
  CHECK_FALSE(mine[0].comm.empty());

  if (mapped != MAP_FAILED) {
    auto posix = users_of(fd_segment(Kind::posix, st.st_dev, st.st_ino), *users);
    REQUIRE(posix.size() == 1);
    CHECK(posix[0].pid == getpid());
    CHECK(posix[0].maps);
    CHECK(posix[0].holds_fd);
    munmap(mapped, 4096);
  } else {
    MESSAGE("no /dev/shm: only the sysv half was checked");
  }
  if (fd >= 0)
    close(fd);
  shmdt(attached);
}

TEST_CASE("shmkit::parse_maps") {
  auto entries = parse_maps(k_writer_maps);
  // Shared mappings of named objects only: foo twice, the SysV segment twice, the ring file
  // and the deleted object; not /dev/zero, private or [special] mappings.
  REQUIRE(entries.size() == 6);
  CHECK(entries[0].start == 0x7f4a1d62c000);
  CHECK(entries[0].end == 0x7f4a1d62d000);
  CHECK(entries[0].perms == "r--s");
  CHECK(entries[0].dev == makedev(0, 0x1a));
  CHECK(entries[0].ino == 5);
  CHECK(entries[0].path == "/dev/shm/foo");
  CHECK_FALSE(entries[0].sysv_name);
  CHECK(entries[2].sysv_name);
  CHECK(entries[2].ino == 32769);
  CHECK(entries[4].dev == makedev(0x103, 2));
  CHECK(entries[4].path == "/var/lib/app/my ring.bin"); // spaces kept
  CHECK(entries[5].path == "/dev/shm/gone (deleted)");
  // A bad device or range drops the line, not the rest.
  auto reader = parse_maps(k_reader_maps);
  CHECK(reader.size() == 3);
  CHECK(parse_maps("zzzz-7f00 rw-s 00000000 00:01 1 /SYSV00000001 (deleted)\n").empty());
  CHECK(parse_maps("").empty());
}

TEST_CASE("shmkit::scan_holders") {
  FixtureProc fixture;
  const std::uint64_t sysv_dev = makedev(0, 1);
  const std::vector<std::uint64_t> sysv_devs = {sysv_dev};
  // 700: maps cannot be read (a directory: EISDIR, as EACCES would be); 300 vanished and is
  // not counted. 800 lives in another IPC namespace: its shmid 32769 is another segment.
  fs::create_directories(fixture.proc / "700" / "maps");
  // 710 and 720 fail the same way but are dying (PF_EXITING in the flags) or a zombie: a
  // process that exits during the scan holds nothing and does not make the scan partial.
  fs::create_directories(fixture.proc / "710" / "maps");
  write_file(fixture.proc / "710" / "stat", "710 (a b) c) R 1 710 710 0 -1 4194564 0 0\n");
  fs::create_directories(fixture.proc / "720" / "maps");
  write_file(fixture.proc / "720" / "stat", "720 (zombie) Z 1 720 720 0 -1 4194560 0 0\n");
  fs::create_directories(fixture.proc / "730" / "maps"); // alive, not exiting: unreadable
  write_file(fixture.proc / "730" / "stat", "730 (live) S 1 730 730 0 -1 4194560 0 0\n");
  write_file(fixture.proc / "800" / "comm", "elsewhere\n");
  write_file(fixture.proc / "800" / "maps",
             "7f0000000000-7f0000001000 rw-s 00000000 00:01 32769 /SYSV00000002 (deleted)\n");
  fs::create_directories(fixture.proc / "800" / "ns");
  fs::create_symlink("ipc:[4026531839]", fixture.proc / "800" / "ns" / "ipc");
  fs::create_directories(fixture.proc / "100" / "ns");
  fs::create_symlink("ipc:[4026532000]", fixture.proc / "100" / "ns" / "ipc"); // PROC/self

  auto scan = scan_holders(fixture.paths(), true, sysv_devs);
  REQUIRE(scan);
  CHECK(scan->unreadable == 2); // 700 and 730
  for (const SegmentUser &user : scan->users)
    CHECK(user.pid != 800);

  SUBCASE("mappings: ranges, perms, writable") {
    const SegmentUser &foo = scan->users[0]; // pid 100, /dev/shm/foo mapped twice
    REQUIRE(foo.pid == 100);
    REQUIRE(foo.ino == 5);
    CHECK(foo.maps);
    CHECK(foo.writable);
    CHECK(foo.start == 0x7f4a1d62c000);
    CHECK(foo.end == 0x7f4a1d62d000);
    CHECK(foo.perms == "r--s");
    REQUIRE(foo.ranges.size() == 2);
    CHECK(foo.ranges[1].perms == "rw-s");
    CHECK(foo.path == "/dev/shm/foo");
    CHECK(foo.fd == -1);
    CHECK(foo.fds.empty());
  }

  SUBCASE("fds: numbers, merged with the mapping") {
    auto held = std::find_if(scan->users.begin(), scan->users.end(), [&](const SegmentUser &u) {
      return u.pid == 500 && u.ino == fixture.data_st.st_ino;
    });
    REQUIRE(held != scan->users.end());
    CHECK(held->maps);
    CHECK(held->holds_fd);
    CHECK(held->fd == 3);
    CHECK(held->fds == std::vector<int>{3});
    CHECK(held->perms == "rw-s");
  }

  SUBCASE("a /SYSV name off the SysV devices is a file") {
    std::vector<std::uint64_t> other = {makedev(0, 2)};
    auto off = scan_holders(fixture.paths(), false, other);
    REQUIRE(off);
    for (const SegmentUser &user : off->users)
      CHECK_FALSE(user.sysv);
  }

  SUBCASE("keys") {
    CHECK(user_key(sysv_segment(32769)) == UserKey{true, 0, 32769});
    CHECK(user_key(fd_segment(Kind::posix, makedev(0, 0x1a), 5)) ==
          UserKey{false, makedev(0, 0x1a), 5});
    CHECK_FALSE(user_key(SegmentInfo{}));
  }
}

TEST_CASE("shmkit::scan_holders: PROCMAP_QUERY and the maps text agree") {
  // The live /proc through the ioctl (Linux 6.11+; the text elsewhere) and through the text
  // fallback (SHMKIT_PROC_MAPS=text) must find the same SysV attach of this process.
  int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0600);
  REQUIRE(shmid >= 0);
  void *attached = shmat(shmid, nullptr, SHM_RDONLY);
  shmctl(shmid, IPC_RMID, nullptr);
  REQUIRE(attached != reinterpret_cast<void *>(-1));
  auto mine = [&](const UserScan &scan) {
    std::vector<SegmentUser> found;
    for (const SegmentUser &u : scan.users)
      if (u.pid == getpid() && u.sysv && u.ino == static_cast<std::uint64_t>(shmid))
        found.push_back(u);
    return found;
  };
  auto query = scan_holders(Paths{}, false);
  setenv("SHMKIT_PROC_MAPS", "text", 1);
  auto text = scan_holders(Paths{}, false);
  unsetenv("SHMKIT_PROC_MAPS");
  shmdt(attached);
  REQUIRE(query);
  REQUIRE(text);
  auto a = mine(*query);
  auto b = mine(*text);
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(a[0].start == b[0].start);
  CHECK(a[0].end == b[0].end);
  CHECK(a[0].perms == "r--s");
  CHECK(b[0].perms == "r--s");
  CHECK_FALSE(a[0].writable);
  CHECK(a[0].dev == b[0].dev);
}
