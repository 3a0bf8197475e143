#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/memfd_backend.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace shmkit;

TEST_CASE("shmkit::memfd_link_name") {
  CHECK(memfd_link_name("/memfd:ring (deleted)") == std::string_view("ring"));
  CHECK(memfd_link_name("/memfd: (deleted)") == std::string_view(""));
  CHECK(memfd_link_name("/memfd:a b (deleted) (deleted)") == std::string_view("a b (deleted)"));
  CHECK(memfd_link_name(std::string_view("/memfd:\x01\xff (deleted)")) ==
        std::string_view("\x01\xff"));
  CHECK_FALSE(memfd_link_name("/memfd:ring"));
  CHECK_FALSE(memfd_link_name("/memfd:"));
  CHECK_FALSE(memfd_link_name("/memfd (deleted)"));
  CHECK_FALSE(memfd_link_name("/dev/shm/memfd:x (deleted)"));
  CHECK_FALSE(memfd_link_name("/SYSV00000002 (deleted)"));
  CHECK_FALSE(memfd_link_name("pipe:[1234]"));
  CHECK_FALSE(memfd_link_name(""));
}

TEST_CASE("shmkit::KindTraits memfd") {
  const KindTraits &memfd = traits_of(Kind::memfd);
  CHECK(memfd.kind == Kind::memfd);
  CHECK_FALSE(memfd.listed_by_default);
  CHECK(memfd.listed_on_request);
  CHECK_FALSE(memfd.removable);
  CHECK(std::string(kind_name(Kind::memfd)) == "memfd");
  SUBCASE("lists_kind: memfd only when --type names it, files never") {
    std::vector<Kind> none;
    std::vector<Kind> memfd_only{Kind::memfd};
    std::vector<Kind> file_only{Kind::file};
    std::vector<Kind> sysv_only{Kind::sysv};
    CHECK_FALSE(lists_kind(memfd, none));
    CHECK(lists_kind(memfd, memfd_only));
    CHECK_FALSE(lists_kind(memfd, sysv_only));
    CHECK(lists_kind(traits_of(Kind::sysv), none));
    CHECK_FALSE(lists_kind(traits_of(Kind::sysv), memfd_only));
    CHECK_FALSE(lists_kind(traits_of(Kind::file), file_only));
  }
  SUBCASE("every kind has its own row") {
    for (Kind kind : {Kind::sysv, Kind::posix, Kind::file, Kind::memfd})
      CHECK(traits_of(kind).kind == kind);
  }
  SUBCASE("create refuses memfd addresses from the address alone") {
    auto refused = check_creatable(*parse_address("memfd:12:3"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::invalid_argument);
    CHECK(refused.error().message ==
          "cannot create memfd:12:3: memfd objects are made by the process that holds them "
          "(memfd_create(2)); use posix:NAME for a named object");
  }
}

TEST_CASE("shmkit::MemfdBackend on a fixture /proc") {
  Paths paths;
  paths.proc = "/nonexistent-shmkit-proc";
  MemfdBackend backend(paths);
  auto listed = backend.list();
  REQUIRE_FALSE(listed);
  CHECK(listed.error().code == Errc::not_found);
  auto opened = backend.open(*parse_address("memfd:1:0"), Access::read_only);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == Errc::not_found);
  CHECK(opened.error().message == "cannot open memfd:1:0: no such process 1");
}
