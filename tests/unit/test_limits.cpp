#include "shmkit/limits.hpp"

#include <doctest/doctest.h>

#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace shmkit;
namespace fs = std::filesystem;

TEST_CASE("shmkit::read_limits") {
  std::string pattern = (fs::temp_directory_path() / "shmkit-limits-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  const fs::path dir = pattern;
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{dir};

  SUBCASE("kernel limits and a fixture /dev/shm") {
    std::ofstream(dir / "psm_a") << "a";
    std::ofstream(dir / "sem.b") << "b";
    fs::create_directory(dir / "odd");

    // One segment of our own, so that used_ids and used_pages cannot be zero.
    int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0600);
    REQUIRE(shmid >= 0);
    Paths paths;
    paths.dev_shm = dir.string();
    auto limits = read_limits(paths);
    shmctl(shmid, IPC_RMID, nullptr);
    REQUIRE(limits);

    struct shminfo info {};
    REQUIRE(shmctl(0, IPC_INFO, reinterpret_cast<struct shmid_ds *>(&info)) >= 0);
    CHECK(limits->shmmax == info.shmmax);
    CHECK(limits->shmmin == 1);
    CHECK(limits->shmmni == info.shmmni);
    CHECK(limits->shmall == info.shmall);
    CHECK(limits->page_size == static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)));
    CHECK(limits->used_ids >= 1);
    CHECK(limits->used_pages >= 1);

    CHECK(limits->devshm_objects == 3U);
    struct statvfs fs_info {};
    REQUIRE(statvfs(dir.c_str(), &fs_info) == 0);
    CHECK(limits->devshm_total == static_cast<std::uint64_t>(fs_info.f_blocks) * fs_info.f_frsize);
    REQUIRE(limits->devshm_used.has_value());
    CHECK(*limits->devshm_used <= *limits->devshm_total);
  }

  SUBCASE("an empty /dev/shm") {
    Paths paths;
    paths.dev_shm = dir.string();
    auto limits = read_limits(paths);
    REQUIRE(limits);
    CHECK(limits->devshm_objects == 0U);
  }

  SUBCASE("a missing /dev/shm is not an error") {
    Paths paths;
    paths.dev_shm = (dir / "missing").string();
    auto limits = read_limits(paths);
    REQUIRE(limits);
    CHECK(limits->shmmni > 0);
    CHECK_FALSE(limits->devshm_total.has_value());
    CHECK_FALSE(limits->devshm_used.has_value());
    CHECK_FALSE(limits->devshm_objects.has_value());
  }
}
