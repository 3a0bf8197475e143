#include "shmkit/mapping.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

using namespace shmkit;

// issue 8 defect 11: a store through a mapping of an object that another process truncated
// raises SIGBUS; guarded_store turns it into false instead of killing the process.
TEST_CASE("shmkit::guarded_store survives a truncated object") {
  char path[] = "/tmp/shmkit-unit-map.XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  long page = ::sysconf(_SC_PAGESIZE);
  REQUIRE(::ftruncate(fd, page) == 0);
  void *mem = ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ | PROT_WRITE, MAP_SHARED,
                     fd, 0);
  REQUIRE(mem != MAP_FAILED);
  auto *word = static_cast<std::uint64_t *>(mem);

  SUBCASE("every width stores while the page exists") {
    CHECK(guarded_store(word, 0x1122334455667788u, 8));
    CHECK(*word == 0x1122334455667788u);
    CHECK(guarded_store(word, 0xaabb, 2));
    CHECK(*word == 0x112233445566aabbu);
    CHECK(guarded_store(word, 0x01, 1));
    CHECK(*word == 0x112233445566aa01u);
    CHECK(guarded_store(word, 0xdeadbeef, 4));
    CHECK(*word == 0x11223344deadbeefu);
  }
  SUBCASE("a store past the new end is SIGBUS, reported as false, and the process lives on") {
    REQUIRE(::ftruncate(fd, 0) == 0);
    CHECK_FALSE(guarded_store(word, 42, 8));
    CHECK_FALSE(guarded_store(word, 42, 4));
    REQUIRE(::ftruncate(fd, page) == 0);
    CHECK(guarded_store(word, 42, 8));
    CHECK(*word == 42);
  }
  ::munmap(mem, static_cast<std::size_t>(page));
  ::close(fd);
}
