#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"

#include <doctest/doctest.h>

#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

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

std::span<const std::byte> bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte *>(s.data()), s.size()};
}

} // namespace

TEST_CASE("shmkit::SysvBackend list falls back to shmctl(SHM_STAT)") {
  int id = ::shmget(IPC_PRIVATE, 12345, IPC_CREAT | 0640);
  REQUIRE(id >= 0);
  auto from_proc = make_backend(Kind::sysv)->list();
  Paths missing;
  missing.sysvipc_shm = "/nonexistent/sysvipc/shm";
  auto from_shmctl = make_backend(Kind::sysv, missing)->list();
  ::shmctl(id, IPC_RMID, nullptr);
  REQUIRE(from_proc.has_value());
  REQUIRE(from_shmctl.has_value());
  auto find = [&](const std::vector<SegmentInfo> &rows) {
    for (const auto &r : rows)
      if (r.id == id)
        return r;
    FAIL("segment not listed");
    return SegmentInfo{};
  };
  SegmentInfo a = find(*from_proc);
  SegmentInfo b = find(*from_shmctl);
  CHECK(a.segment == "id:" + std::to_string(id));
  CHECK(b.segment == a.segment);
  CHECK(b.key == a.key);
  CHECK(b.mode == 0640);
  CHECK(a.mode == 0640);
  CHECK(b.size == 12345);
  CHECK(a.size == 12345);
  CHECK(b.uid == a.uid);
  CHECK(b.cuid == a.cuid);
  CHECK(b.cpid == a.cpid);
  CHECK(b.nattch == a.nattch);
  CHECK(b.ctime == a.ctime);
}

TEST_CASE("shmkit::SysvBackend create, open, bounds, remove") {
  auto backend = make_backend(Kind::sysv);
  CreateSpec spec;
  spec.ref = *parse_address("key:private", AddressUse::create);
  spec.size = 4; // smaller than a page: bounds follow the segment, not the page
  spec.mode = 0604;
  auto made = backend->create(spec);
  REQUIRE(made.has_value());
  CHECK(made->mode == 0604);
  CHECK(made->size == 4);
  auto ref = *parse_address(made->segment);
  {
    auto handle = backend->open(ref, Access::read_write);
    REQUIRE(handle.has_value());
    CHECK((*handle)->size() == 4);
    CHECK((*handle)->write_at(0, bytes("abcd")).has_value());
    auto too_far = (*handle)->write_at(1, bytes("abcd"));
    REQUIRE_FALSE(too_far.has_value());
    CHECK(too_far.error().code == Errc::past_end);
    CHECK(too_far.error().message == "4 bytes at offset 1 do not fit in " + made->segment + " (4 bytes)");
    auto misaligned = (*handle)->store_atomic(2, 1, 4);
    CHECK(misaligned.error().code == Errc::invalid_argument);
    CHECK((*handle)->store_atomic(0, 0x64636261, 4).has_value());
    std::byte buf[8];
    auto n = (*handle)->read_at(0, buf);
    REQUIRE(n.has_value());
    CHECK(*n == 4);
    CHECK(std::memcmp(buf, "abcd", 4) == 0);
    CHECK(*(*handle)->check() == Liveness::alive);
  }
  auto removed = backend->remove(*made);
  CHECK(removed.has_value());
  auto again = backend->stat(ref);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == Errc::not_found);
  CHECK(again.error().message == "no sysv segment " + made->segment);
}

TEST_CASE("shmkit::PosixBackend on an injected /dev/shm") {
  TempDir dir;
  Paths paths;
  paths.dev_shm = dir.path;
  auto backend = make_backend(Kind::posix, paths);
  ::umask(077);
  CreateSpec spec;
  spec.ref = *parse_address("posix:/unit");
  spec.size = 100;
  spec.mode = 0644;
  auto made = backend->create(spec);
  REQUIRE(made.has_value());
  CHECK(made->segment == "posix:/unit");
  CHECK(made->mode == 0644); // fchmod after creation: umask does not narrow it
  struct stat st {};
  REQUIRE(::stat((dir.path + "/unit").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);

  auto dup = backend->create(spec);
  REQUIRE_FALSE(dup.has_value());
  CHECK(dup.error().code == Errc::exists);
  CHECK(dup.error().message == "cannot create posix:/unit: already exists");
  spec.exist_ok = true;
  CHECK(backend->create(spec).has_value());
  spec.size = 101;
  auto small = backend->create(spec);
  REQUIRE_FALSE(small.has_value());
  CHECK(small.error().message == "posix:/unit exists with size 100, smaller than the requested 101");

  REQUIRE(::mkfifo((dir.path + "/fifo").c_str(), 0600) == 0);
  REQUIRE(::symlink("/etc/passwd", (dir.path + "/link").c_str()) == 0);
  auto fifo = backend->open(*parse_address("fifo"), Access::read_only); // must not hang
  REQUIRE_FALSE(fifo.has_value());
  CHECK(fifo.error().message == "cannot open posix:/fifo: not a regular file");
  auto link = backend->open(*parse_address("link"), Access::read_only);
  REQUIRE_FALSE(link.has_value());
  CHECK(link.error().message == "cannot open posix:/link: is a symbolic link");

  auto listed = backend->list();
  REQUIRE(listed.has_value());
  CHECK(listed->size() == 3);

  auto handle = backend->open(*parse_address("posix:/unit"), Access::read_write);
  REQUIRE(handle.has_value());
  CHECK((*handle)->write_at(10, bytes("xyz")).has_value());
  REQUIRE(::truncate((dir.path + "/unit").c_str(), 5) == 0);
  std::byte buf[20];
  auto truncated = (*handle)->read_at(0, buf);
  REQUIRE_FALSE(truncated.has_value());
  CHECK(truncated.error().code == Errc::changed);
  CHECK(*(*handle)->check() == Liveness::truncated);
  REQUIRE(::unlink((dir.path + "/unit").c_str()) == 0);
  { std::ofstream(dir.path + "/unit") << "new"; }
  CHECK(*(*handle)->check() == Liveness::replaced);

  // remove() re-checks the inode: the replacement is not what was listed.
  auto stale = backend->remove(*made);
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == Errc::changed);
  CHECK(stale.error().message == "not removing posix:/unit: it was replaced since it was listed");
}
