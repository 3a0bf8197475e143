#include "shmkit/sysvipc.hpp"

#include "shmkit/backend.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

using namespace shmkit;

namespace {

// Rows below are printed exactly as ipc/shm.c does (sysvipc_shm_proc_show):
// "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu %21lu %21lu".
constexpr std::string_view k_header16 =
    "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  "
    "cgid      atime      dtime      ctime                   rss                  swap\n";
constexpr std::string_view k_header14 =
    "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  "
    "cgid      atime      dtime      ctime\n";

std::string table(std::string_view header, std::string_view rows) {
  return std::string(header) + std::string(rows);
}

const SysvRow *find_row(const std::vector<SysvRow> &rows, int shmid) {
  auto it = std::find_if(rows.begin(), rows.end(),
                         [shmid](const SysvRow &row) { return row.shmid == shmid; });
  return it == rows.end() ? nullptr : &*it;
}

// Removes a segment this test created, even when an assertion fails half-way.
struct SegmentGuard {
  int shmid = -1;
  void *addr = nullptr;
  bool removed = false;
  SegmentGuard() = default;
  SegmentGuard(const SegmentGuard &) = delete;
  SegmentGuard &operator=(const SegmentGuard &) = delete;
  ~SegmentGuard() {
    if (addr != nullptr)
      shmdt(addr);
    if (shmid >= 0 && !removed)
      shmctl(shmid, IPC_RMID, nullptr);
  }
};

std::string read_all(const char *path, bool &ok) {
  std::string text;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ok = fd >= 0;
  if (!ok)
    return text;
  char buffer[65536];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return text;
}

// Every field both the /proc and the shmctl paths can report (rss/swap are /proc-only).
void check_same(const SegmentInfo &a, const SegmentInfo &b) {
  CHECK(a.segment == b.segment);
  CHECK(a.key == b.key);
  CHECK(a.id == b.id);
  CHECK(a.mode == b.mode);
  CHECK(a.uid == b.uid);
  CHECK(a.gid == b.gid);
  CHECK(a.cuid == b.cuid);
  CHECK(a.cgid == b.cgid);
  CHECK(a.size == b.size);
  CHECK(a.nattch == b.nattch);
  CHECK(a.cpid == b.cpid);
  CHECK(a.lpid == b.lpid);
  CHECK(a.dest == b.dest);
  CHECK(a.locked == b.locked);
  CHECK(a.atime == b.atime);
  CHECK(a.dtime == b.dtime);
  CHECK(a.ctime == b.ctime);
}

} // namespace

TEST_CASE("shmkit::parse_sysvipc_shm") {
  SUBCASE("16 columns (Linux 4.6+, with rss and swap)") {
    auto rows = parse_sysvipc_shm(table(
        k_header16,
        R"(         2      32769   666                  4096  1234  1240      1  1000  1000  1000  1000 1700000100 1700000050 1700000000                  4096                     0
   5432001      65538   600               1048576    77     0      0     0     0     0     0          0          0 1700000200                     0                  8192
)"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 2);
    const SysvRow &row = (*rows)[0];
    CHECK(row.key == 2);
    CHECK(row.shmid == 32769);
    CHECK(row.perms == 0666);
    CHECK(row.size == 4096);
    CHECK(row.cpid == 1234);
    CHECK(row.lpid == 1240);
    CHECK(row.nattch == 1);
    CHECK(row.uid == 1000);
    CHECK(row.gid == 1000);
    CHECK(row.cuid == 1000);
    CHECK(row.cgid == 1000);
    CHECK(row.atime == 1700000100);
    CHECK(row.dtime == 1700000050);
    CHECK(row.ctime == 1700000000);
    CHECK(row.rss == 4096);
    CHECK(row.swap == 0);
    CHECK((*rows)[1].key == 0x52e2c1);
    CHECK((*rows)[1].shmid == 65538);
    CHECK((*rows)[1].size == 1048576);
    CHECK((*rows)[1].rss == 0);
    CHECK((*rows)[1].swap == 8192);
  }

  SUBCASE("14 columns (old kernels): rss and swap absent") {
    auto rows = parse_sysvipc_shm(table(
        k_header14,
        R"(         2      32769   666                  4096  1234  1240      1  1000  1000  1000  1000 1700000100 1700000050 1700000000
)"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK((*rows)[0].shmid == 32769);
    CHECK((*rows)[0].ctime == 1700000000);
    CHECK_FALSE((*rows)[0].rss.has_value());
    CHECK_FALSE((*rows)[0].swap.has_value());
  }

  SUBCASE("negative keys and a key wider than its column") {
    auto rows = parse_sysvipc_shm(table(
        k_header14,
        R"(        -1          3  1600                 65536    10    11      2  1000   100     0     0          1          2          3
-559038737          4  2600                 65536    10    11      2  1000   100     0     0          1          2          3
-2147483648          5  3666                     1     1     1      0 65534 65534     0     0          0          0          9
)"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 3);
    CHECK((*rows)[0].key == -1);
    CHECK((*rows)[1].key == -559038737);
    CHECK((*rows)[2].key == -2147483648LL);
    CHECK((*rows)[2].shmid == 5);
    CHECK((*rows)[2].uid == 65534);
    CHECK(sysv_info((*rows)[0]).key == 0xffffffffU);
    CHECK(sysv_info((*rows)[1]).key == 0xdeadbeefU);
    CHECK(sysv_info((*rows)[2]).key == 0x80000000U);
  }

  SUBCASE("SHM_DEST and SHM_LOCKED above the permission bits") {
    auto rows = parse_sysvipc_shm(table(
        k_header14,
        R"(         0          3  1600                 65536    10    11      2  1000   100     0     0          1          2          3
         7          4  2640                 65536    10    11      2  1000   100     0     0          1          2          3
         0          5  3666                     1     1     1      0 65534 65534     0     0          0          0          9
)"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 3);
    CHECK((*rows)[0].perms == 01600);
    SegmentInfo dest = sysv_info((*rows)[0]);
    CHECK(dest.mode == 0600);
    CHECK(dest.dest);
    CHECK_FALSE(dest.locked);
    SegmentInfo locked = sysv_info((*rows)[1]);
    CHECK(locked.mode == 0640);
    CHECK_FALSE(locked.dest);
    CHECK(locked.locked);
    SegmentInfo both = sysv_info((*rows)[2]);
    CHECK(both.mode == 0666);
    CHECK(both.dest);
    CHECK(both.locked);
  }

  SUBCASE("garbage rows are skipped, good rows around them kept") {
    auto rows = parse_sysvipc_shm(table(
        k_header14,
        R"(         1          1   600                  4096     1     1      0     0     0     0     0          0          0          5
this is not a row

         2          2   600                  4096     1     1      0     0     0     0     0          0
         3          3   600                 4096x     1     1      0     0     0     0     0          0          0          5
         4          4   800                  4096     1     1      0     0     0     0     0          0          0          5
         5          5   600                  4096     1     1      0     0     0     0     0          0          0          5      7
         6         -6   600                  4096     1     1      0     0     0     0     0          0          0          5
         7          7   600                  4096    -1     1      0     0     0     0     0          0          0          5
4294967296          8   600                  4096     1     1      0     0     0     0     0          0          0          5
         9          9   600                  4096     1     1      0     0     0     0     0          0          0          5
)"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 2);
    CHECK((*rows)[0].shmid == 1);
    CHECK((*rows)[1].shmid == 9);
  }

  SUBCASE("the incremental parser counts the rows it skipped (issue 8 defect 14)") {
    // The same rows as above, fed in pieces of 7 bytes; the blank line is not counted.
    const std::string text = table(
        k_header14,
        R"(         1          1   600                  4096     1     1      0     0     0     0     0          0          0          5
this is not a row

         2          2   600                  4096     1     1      0     0     0     0     0          0
         3          3   600                 4096x     1     1      0     0     0     0     0          0          0          5
         4          4   800                  4096     1     1      0     0     0     0     0          0          0          5
         5          5   600                  4096     1     1      0     0     0     0     0          0          0          5      7
         6         -6   600                  4096     1     1      0     0     0     0     0          0          0          5
         7          7   600                  4096    -1     1      0     0     0     0     0          0          0          5
4294967296          8   600                  4096     1     1      0     0     0     0     0          0          0          5
         9          9   600                  4096     1     1      0     0     0     0     0          0          0          5
garbage without a newline)");
    SysvipcParser parser;
    std::vector<int> ids;
    auto keep = [&ids](const SysvRow &row) { ids.push_back(row.shmid); };
    for (std::size_t at = 0; at < text.size(); at += 7)
      REQUIRE(parser.feed(std::string_view(text).substr(at, 7), keep));
    CHECK(parser.skipped() == 8);
    REQUIRE(parser.finish(keep));
    CHECK(parser.skipped() == 9);
    CHECK(ids == std::vector<int>{1, 9});
  }

  SUBCASE("no trailing newline") {
    auto rows = parse_sysvipc_shm(
        table(k_header16,
              "         2      32769   666                  4096  1234  1240      1  1000  1000  "
              "1000  1000 1700000100 1700000050 1700000000                  4096                "
              "     0"));
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK((*rows)[0].swap == 0);
    CHECK((*rows)[0].rss == 4096);
  }

  SUBCASE("header only, with and without newline") {
    auto rows = parse_sysvipc_shm(k_header16);
    REQUIRE(rows);
    CHECK(rows->empty());
    auto bare = parse_sysvipc_shm(k_header14.substr(0, k_header14.size() - 1));
    REQUIRE(bare);
    CHECK(bare->empty());
  }

  SUBCASE("columns are found by name, unknown columns skipped") {
    auto rows = parse_sysvipc_shm("shmid key future perms size cpid lpid nattch uid gid cuid cgid "
                                  "atime dtime ctime\n"
                                  "7 -2 xyz 644 10 1 2 3 4 5 6 7 8 9 10\n");
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK((*rows)[0].shmid == 7);
    CHECK((*rows)[0].key == -2);
    CHECK((*rows)[0].perms == 0644);
    CHECK((*rows)[0].size == 10);
    CHECK((*rows)[0].ctime == 10);
  }

  SUBCASE("missing header") {
    for (std::string_view text :
         {std::string_view(""), std::string_view("\n"),
          std::string_view("         2      32769   666                  4096  1234  1240      1 "
                           " 1000  1000  1000  1000 1700000100 1700000050 1700000000\n")}) {
      auto rows = parse_sysvipc_shm(text);
      REQUIRE_FALSE(rows);
      CHECK(rows.error().code == Errc::bad_data);
      CHECK(rows.error().sys_errno == 0);
      CHECK(rows.error().message == "cannot parse sysvipc shm table: missing header");
    }
  }

  SUBCASE("header without a required column") {
    auto rows = parse_sysvipc_shm("key shmid perms size cpid lpid uid gid cuid cgid atime dtime "
                                  "ctime\n");
    REQUIRE_FALSE(rows);
    CHECK(rows.error().code == Errc::bad_data);
    CHECK(rows.error().message == "cannot parse sysvipc shm table: missing column 'nattch'");
  }

  SUBCASE("header with a duplicate column") {
    auto rows = parse_sysvipc_shm("key shmid perms size cpid lpid nattch uid gid cuid cgid atime "
                                  "dtime ctime key\n");
    REQUIRE_FALSE(rows);
    CHECK(rows.error().code == Errc::bad_data);
    CHECK(rows.error().message == "cannot parse sysvipc shm table: duplicate column 'key'");
  }
}

TEST_CASE("shmkit::sysv_info") {
  SysvRow row;
  row.key = -1;
  row.shmid = 32769;
  row.perms = 0640;
  row.size = 12345;
  row.cpid = 10;
  row.lpid = 0;
  row.nattch = 0;
  row.uid = 1000;
  row.gid = 100;
  row.cuid = 0;
  row.cgid = 0;
  row.atime = 0;
  row.dtime = 0;
  row.ctime = 1700000000;

  SUBCASE("a never-attached segment") {
    SegmentInfo info = sysv_info(row);
    CHECK(info.kind == Kind::sysv);
    CHECK(info.segment == "id:32769");
    CHECK(info.key == 0xffffffffU);
    CHECK(info.id == 32769);
    CHECK_FALSE(info.name.has_value());
    CHECK(info.mode == 0640);
    CHECK(info.uid == 1000);
    CHECK(info.gid == 100);
    CHECK(info.cuid == 0U);
    CHECK(info.cgid == 0U);
    CHECK(info.size == 12345);
    CHECK(info.nattch == 0U);
    CHECK(info.cpid == 10);
    CHECK(info.lpid == 0);
    CHECK_FALSE(info.dest);
    CHECK_FALSE(info.locked);
    CHECK_FALSE(info.hugetlb);
    CHECK_FALSE(info.atime.has_value());
    CHECK_FALSE(info.dtime.has_value());
    CHECK(info.ctime == 1700000000);
    CHECK_FALSE(info.rss.has_value());
    CHECK_FALSE(info.swap.has_value());
    CHECK_FALSE(info.alloc.has_value());
    CHECK_FALSE(info.dev.has_value());
    CHECK_FALSE(info.ino.has_value());
  }

  SUBCASE("times and rss/swap pass through") {
    row.atime = 1700000100;
    row.dtime = 1700000200;
    row.rss = 4096;
    row.swap = 0;
    SegmentInfo info = sysv_info(row);
    CHECK(info.atime == 1700000100);
    CHECK(info.dtime == 1700000200);
    CHECK(info.rss == 4096U);
    CHECK(info.swap == 0U);
  }
}

TEST_CASE("shmkit::sysv_row_from_ds") {
  struct shmid_ds ds {};
  ds.shm_perm.__key = -559038737;
  ds.shm_perm.mode = 03640;
  ds.shm_perm.uid = 1000;
  ds.shm_perm.gid = 100;
  ds.shm_perm.cuid = 0;
  ds.shm_perm.cgid = 1;
  ds.shm_segsz = 1 << 20;
  ds.shm_cpid = 42;
  ds.shm_lpid = 43;
  ds.shm_nattch = 2;
  ds.shm_atime = 1700000100;
  ds.shm_dtime = 0;
  ds.shm_ctime = 1700000000;
  SysvRow row = sysv_row_from_ds(98304, ds);
  CHECK(row.key == -559038737);
  CHECK(row.shmid == 98304);
  CHECK(row.perms == 03640);
  CHECK(row.size == 1U << 20);
  CHECK(row.cpid == 42);
  CHECK(row.lpid == 43);
  CHECK(row.nattch == 2);
  CHECK(row.uid == 1000);
  CHECK(row.gid == 100);
  CHECK(row.cuid == 0);
  CHECK(row.cgid == 1);
  CHECK(row.atime == 1700000100);
  CHECK(row.dtime == 0);
  CHECK(row.ctime == 1700000000);
  CHECK_FALSE(row.rss.has_value());
  CHECK_FALSE(row.swap.has_value());
  SegmentInfo info = sysv_info(row);
  CHECK(info.key == 0xdeadbeefU);
  CHECK(info.segment == "id:98304");
  CHECK(info.mode == 0640);
  CHECK(info.dest);
  CHECK(info.locked);
  CHECK(info.atime == 1700000100);
  CHECK_FALSE(info.dtime.has_value());
}

TEST_CASE("shmkit::list_sysv_via_shmctl") {
  // Only the segment made here is looked at or removed: the machine may hold others.
  SegmentGuard segment;
  segment.shmid = shmget(IPC_PRIVATE, 8192, IPC_CREAT | IPC_EXCL | 0640);
  REQUIRE(segment.shmid >= 0);
  segment.addr = shmat(segment.shmid, nullptr, SHM_RDONLY);
  REQUIRE(segment.addr != reinterpret_cast<void *>(-1));

  auto compare = [&](bool expect_dest) {
    auto listed = list_sysv_via_shmctl();
    REQUIRE(listed);
    const SysvRow *via_shmctl = find_row(*listed, segment.shmid);
    REQUIRE(via_shmctl != nullptr);
    SegmentInfo from_shmctl = sysv_info(*via_shmctl);
    CHECK(from_shmctl.key == 0U);
    CHECK(from_shmctl.size == 8192);
    CHECK(from_shmctl.mode == 0640);
    CHECK(from_shmctl.nattch == 1U);
    CHECK(from_shmctl.cpid == getpid());
    CHECK(from_shmctl.lpid == getpid());
    CHECK(from_shmctl.atime.has_value());
    CHECK(from_shmctl.dest == expect_dest);
    CHECK_FALSE(from_shmctl.rss.has_value());

    bool ok = false;
    std::string text = read_all("/proc/sysvipc/shm", ok);
    if (!ok) {
      MESSAGE("/proc/sysvipc/shm unreadable: only the shmctl path was checked");
      return;
    }
    auto parsed = parse_sysvipc_shm(text);
    REQUIRE(parsed);
    const SysvRow *via_proc = find_row(*parsed, segment.shmid);
    REQUIRE(via_proc != nullptr);
    check_same(sysv_info(*via_proc), from_shmctl);
  };

  SUBCASE("a live segment") { compare(false); }
  SUBCASE("marked for removal while attached") {
    // IPC_RMID on an attached segment only sets SHM_DEST; it stays listed until shmdt.
    REQUIRE(shmctl(segment.shmid, IPC_RMID, nullptr) == 0);
    segment.removed = true;
    compare(true);
  }
}

// issue 8 defect 14: rows of /proc/sysvipc/shm that do not parse made SysV segments vanish
// silently. Now the listing counts them, reports a warning, and fills in through shmctl.
TEST_CASE("shmkit::SysvBackend lists through shmctl when /proc/sysvipc/shm is damaged") {
  SegmentGuard in_table;
  in_table.shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0600);
  REQUIRE(in_table.shmid >= 0);
  SegmentGuard left_out;
  left_out.shmid = shmget(IPC_PRIVATE, 12288, IPC_CREAT | IPC_EXCL | 0600);
  REQUIRE(left_out.shmid >= 0);

  char path[] = "/tmp/shmkit-sysvipc.XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  struct Unlink {
    const char *path;
    ~Unlink() { unlink(path); }
  } unlink_fixture{path};
  Paths paths;
  paths.sysvipc_shm = path;

  // Lists this test's two segments, sorted by shmid, each exactly once.
  auto list = [&](Backend &backend, std::vector<SegmentInfo> &mine) {
    auto done = backend.for_each([&](SegmentInfo &&info) {
      if (info.id == in_table.shmid || info.id == left_out.shmid)
        mine.push_back(std::move(info));
    });
    REQUIRE(done);
    std::sort(mine.begin(), mine.end(),
              [](const SegmentInfo &a, const SegmentInfo &b) { return a.id < b.id; });
    REQUIRE(mine.size() == 2);
    CHECK(mine[0].id != mine[1].id);
  };
  auto size_of = [&](const std::vector<SegmentInfo> &mine, int shmid) {
    for (const auto &info : mine)
      if (info.id == shmid)
        return info.size;
    return std::uint64_t{0};
  };

  SUBCASE("a damaged row") {
    // in_table's row is good (size 777 marks it as read from the file); the other row is not.
    std::ofstream(path) << k_header14 << "         0 " << in_table.shmid
                        << "   600   777     1     1      0     0     0     0     0          0"
                           "          0          5\n"
                        << "         0 " << left_out.shmid
                        << "   600   12288x    1     1      0     0     0     0     0          0"
                           "          0          5\n";
    auto backend = make_backend(Kind::sysv, paths);
    std::vector<SegmentInfo> mine;
    list(*backend, mine);
    CHECK(size_of(mine, in_table.shmid) == 777);
    CHECK(size_of(mine, left_out.shmid) == 12288);
    CHECK(backend->report().unparsed_rows == 1);
    CHECK(backend->report().warnings ==
          std::vector<std::string>{std::string(path) +
                                   ": 1 row could not be parsed; listed through shmctl instead"});

    // The report belongs to the last listing: an intact table clears it.
    std::ofstream(path) << k_header14;
    std::vector<SegmentInfo> again;
    REQUIRE(backend->for_each([&](SegmentInfo &&info) { again.push_back(std::move(info)); }));
    CHECK(backend->report().unparsed_rows == 0);
    CHECK(backend->report().warnings.empty());
  }

  SUBCASE("a header that does not parse") {
    std::ofstream(path) << "this is no header\n";
    auto backend = make_backend(Kind::sysv, paths);
    std::vector<SegmentInfo> mine;
    list(*backend, mine);
    CHECK(size_of(mine, in_table.shmid) == 4096);
    CHECK(size_of(mine, left_out.shmid) == 12288);
    CHECK(backend->report().unparsed_rows == 0);
    CHECK(backend->report().warnings ==
          std::vector<std::string>{std::string(path) +
                                   ": cannot parse sysvipc shm table: missing header; listed "
                                   "through shmctl instead"});
  }

  SUBCASE("an intact table warns about nothing") {
    std::ofstream(path) << k_header14 << "         0 " << in_table.shmid
                        << "   600   777     1     1      0     0     0     0     0          0"
                           "          0          5\n";
    auto backend = make_backend(Kind::sysv, paths);
    std::vector<SegmentInfo> mine;
    REQUIRE(backend->for_each([&](SegmentInfo &&info) {
      if (info.id == in_table.shmid || info.id == left_out.shmid)
        mine.push_back(std::move(info));
    }));
    // Only what the file says: a row it lacks is not looked for when nothing failed to parse.
    REQUIRE(mine.size() == 1);
    CHECK(mine[0].size == 777);
    CHECK(backend->report().warnings.empty());
  }
}
