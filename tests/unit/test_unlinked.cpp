#include "shmkit/unlinked.hpp"

#include "shmkit/fd_object.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace shmkit;

TEST_CASE("shmkit::parse_holder_link") {
  SUBCASE("an fd") {
    auto link = parse_holder_link("/proc/4242/fd/7");
    REQUIRE(link);
    CHECK(link->pid == 4242);
    CHECK(link->via == HolderLink::Via::fd);
    CHECK(link->fd == 7);
    CHECK(holder_link_path(*link) == "/proc/4242/fd/7");
    CHECK(parse_holder_link("/proc/1/fd/0"));
  }
  SUBCASE("a mapping") {
    auto link = parse_holder_link("/proc/9/map_files/7f00aa000-7f00ac000");
    REQUIRE(link);
    CHECK(link->via == HolderLink::Via::map_files);
    CHECK(link->start == 0x7f00aa000);
    CHECK(link->end == 0x7f00ac000);
    CHECK(holder_link_path(*link) == "/proc/9/map_files/7f00aa000-7f00ac000");
  }
  SUBCASE("anything else is not a holder link") {
    for (const char *path : {"/proc/self/fd/3",
                             "/proc/0/fd/3",
                             "/proc/01/fd/3",
                             "/proc/1/fd/03",
                             "/proc/1/fd/",
                             "/proc/1/fd/3/",
                             "/proc/1/fd/-1",
                             "/proc/+1/fd/3",
                             "/proc/1/fd/+3",
                             "/proc/1/fd/3x",
                             "/proc//fd/3",
                             "/proc/1/fdinfo/3",
                             "/proc/1/map_files/7F00-7F01",
                             "/proc/1/map_files/2000-1000",
                             "/proc/1/map_files/1000-1000",
                             "/proc/1/map_files/01000-2000",
                             "/proc/1/map_files/1000",
                             "/proc/1/root/dev/shm/x",
                             "proc/1/fd/3",
                             "/tmp/proc/1/fd/3",
                             "/proc/1/fd/3 ",
                             "/proc/99999999999999999999/fd/3",
                             "/proc/1/fd/99999999999"})
      CHECK_MESSAGE(!parse_holder_link(path), std::string(path));
  }
}

TEST_CASE("shmkit::former_path") {
  CHECK(former_path("/dev/shm/x (deleted)") == "/dev/shm/x");
  CHECK(former_path("/dev/shm/x") == "/dev/shm/x");
  CHECK(former_path(" (deleted)") == " (deleted)");
  CHECK(former_path("/dev/shm/a\nb (deleted)") == "/dev/shm/a\nb");
  // shmkit rm's private name gives the name back.
  CHECK(former_path("/dev/shm/.shmkit-rm-0123456789abcdef0123456789abcdef.unl (deleted)") ==
        "/dev/shm/unl");
  CHECK(former_path("/tmp/d/.shmkit-rm-0123456789abcdef0123456789abcdef-12-34.f (deleted)") ==
        "/tmp/d/f");
  // Too long a name to carry: the private name stays.
  CHECK(former_path("/dev/shm/.shmkit-rm-0123456789abcdef0123456789abcdef (deleted)") ==
        "/dev/shm/.shmkit-rm-0123456789abcdef0123456789abcdef");
}

TEST_CASE("shmkit::unhidden_name") {
  CHECK(unhidden_name(".shmkit-rm-0123456789abcdef0123456789abcdef.x") == "x");
  CHECK(unhidden_name(".shmkit-rm-0123456789abcdef0123456789abcdef..x") == ".x");
  CHECK(unhidden_name(".shmkit-rm-0123456789ABCDEF0123456789abcdef.x") ==
        ".shmkit-rm-0123456789ABCDEF0123456789abcdef.x");
  CHECK(unhidden_name(".shmkit-rm-0123.x") == ".shmkit-rm-0123.x");
  CHECK(unhidden_name(".shmkit-rm-0123456789abcdef0123456789abcdef.") ==
        ".shmkit-rm-0123456789abcdef0123456789abcdef.");
  CHECK(unhidden_name(".shmkit-rm-0123456789abcdef0123456789abcdef-.x") ==
        ".shmkit-rm-0123456789abcdef0123456789abcdef-.x");
  CHECK(unhidden_name("plain") == "plain");
}

TEST_CASE("shmkit::posix_name_of") {
  CHECK(posix_name_of("/dev/shm/unl") == "/unl");
  CHECK(posix_name_of("/run/shm/unl") == "/unl");
  CHECK(posix_name_of("unl") == "/unl");
}

TEST_CASE("shmkit::check_not_holder_link") {
  SegmentInfo info;
  info.kind = Kind::posix;
  info.segment = "posix:/x";
  CHECK(check_not_holder_link(info));
  info.segment = "file:/proc/12/fd/3";
  info.unlinked = true;
  auto refused = check_not_holder_link(info);
  REQUIRE(!refused);
  CHECK(refused.error().code == Errc::not_supported);
  CHECK(refused.error().message ==
        "cannot remove file:/proc/12/fd/3: it is already unlinked (it has no name left); it is "
        "freed when the processes that hold it (PIDS) exit or close and unmap it");
  info.unlinked = false;
  refused = check_not_holder_link(info);
  REQUIRE(!refused);
  CHECK(refused.error().message == "cannot remove file:/proc/12/fd/3: it is a process's handle "
                                   "on a file, not its name; remove the file by its path");
  CHECK(holder_link_of(info)->fd == 3);
}

TEST_CASE("shmkit::unlinked_wanted") {
  CHECK(unlinked_wanted({}).posix);
  CHECK(!unlinked_wanted({}).files);
  const Kind sysv[] = {Kind::sysv};
  CHECK(!unlinked_wanted(sysv).any());
  const Kind file[] = {Kind::file};
  CHECK(unlinked_wanted(file).files);
  CHECK(!unlinked_wanted(file).posix);
}
