// --target PID (lib/shmkit/target.hpp) against a fake /proc tree: no root, no setns needed.
#include "shmkit/address.hpp"
#include "shmkit/backend.hpp"
#include "shmkit/housekeeping.hpp"
#include "shmkit/target.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

using namespace shmkit;
namespace fs = std::filesystem;

namespace {

// A fake /proc: self/ns/ipc, and processes given by their stat text, IPC link and root.
class FakeProc {
public:
  FakeProc() {
    std::string pattern = (fs::temp_directory_path() / "shmkit-unit-target-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    m_dir = pattern;
    fs::create_directories(proc() / "self" / "ns");
    fs::create_symlink("ipc:[4026531839]", proc() / "self" / "ns" / "ipc");
  }
  FakeProc(const FakeProc &) = delete;
  FakeProc &operator=(const FakeProc &) = delete;
  ~FakeProc() {
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
  }
  fs::path proc() const { return m_dir / "proc"; }
  Paths paths() const {
    Paths p;
    p.proc = proc().string();
    return p;
  }
  // A process `pid` whose stat has `state` and `flags`, with an IPC link and a root that holds
  // a dev/shm directory (when asked).
  void add(int pid, std::string_view comm, char state, unsigned long flags,
           std::string_view ipc_link, bool dev_shm = true) {
    fs::path dir = proc() / std::to_string(pid);
    fs::create_directories(dir / "ns");
    std::ofstream(dir / "stat") << pid << " (" << comm << ") " << state << " 1 " << pid << ' '
                                << pid << " 0 -1 " << flags << " 0 0 0 0 0 0 0 0 20 0 1 0 77 1\n";
    if (!ipc_link.empty())
      fs::create_symlink(std::string(ipc_link), dir / "ns" / "ipc");
    fs::path root = m_dir / ("root" + std::to_string(pid));
    fs::create_directories(dev_shm ? root / "dev" / "shm" : root);
    fs::create_directory_symlink(root, dir / "root");
  }

private:
  fs::path m_dir;
};

constexpr unsigned long k_user_flags = 4194560;    // PF_RANDOMIZE|PF_SUPERPRIV: a user process
constexpr unsigned long k_kthread_flags = 2129984; // 0x208040: PF_KTHREAD among them

} // namespace

TEST_CASE("shmkit::parse_pid") {
  CHECK(*parse_pid("42", "--target") == 42);
  for (std::string_view bad : {"0", "-5", "abc", "", "+5", "12x", " 7", "99999999999"}) {
    CAPTURE(bad);
    auto pid = parse_pid(bad, "--target");
    REQUIRE_FALSE(pid);
    CHECK(pid.error().code == Errc::invalid_argument);
    CHECK(pid.error().message ==
          "invalid --target value '" + escape_bytes(bad) + "' (process ids from 1)");
  }
}

TEST_CASE("shmkit::stat_field") {
  CHECK(stat_field("7 (a) b (c) S 0 1 2 0 -1 4194560 1\n", 3) == "S");
  CHECK(stat_field("7 (a) b (c) S 0 1 2 0 -1 4194560 1\n", 9) == "4194560");
  CHECK(stat_field("7 (a) S 1\n", 4) == "1");
  CHECK_FALSE(stat_field("7 (a) S 1\n", 5));
  CHECK_FALSE(stat_field("no parenthesis", 3));
}

TEST_CASE("shmkit::inspect_target") {
  FakeProc fake;
  SUBCASE("a process in another IPC namespace, with its /dev/shm") {
    fake.add(42, "my app", 'S', k_user_flags, "ipc:[4026532281]");
    auto target = inspect_target(42, fake.paths());
    REQUIRE(target);
    CHECK(target->pid == 42);
    CHECK(target->command == "my app");
    CHECK(target->ipc_ns == 4026532281u);
    CHECK_FALSE(target->same_ipc);
    CHECK(target->dev_shm_dev.has_value());
    const std::string root = (fake.proc() / "42" / "root").string();
    CHECK(target->paths.root == root);
    CHECK(target->paths.dev_shm == root + "/dev/shm");
    CHECK(target->paths.proc == fake.proc().string());
    CHECK(target->paths.mounts_of == "42");
    CHECK(target->paths.sysvipc_shm == Paths{}.sysvipc_shm); // seen through the joined namespace
    CHECK(target_header(*target) == "# ipc:[4026532281] /dev/shm of pid 42 (my app)");
    CHECK(path_in_root(target->paths, target->paths.dev_shm) == "/dev/shm");
    CHECK(path_in_root(Paths{}, "/dev/shm") == "/dev/shm");
  }
  SUBCASE("a process in our own IPC namespace: nothing to join") {
    fake.add(44, "same", 'R', k_user_flags, "ipc:[4026531839]", false);
    auto target = inspect_target(44, fake.paths());
    REQUIRE(target);
    CHECK(target->same_ipc);
    CHECK_FALSE(target->dev_shm_dev.has_value()); // no /dev/shm in its root
    CHECK(enter_ipc_namespace(*target));          // no setns(2), no privilege needed
  }
  SUBCASE("a command name with control characters is escaped in the header") {
    fake.add(46, "a\x1b[31m", 'S', k_user_flags, "ipc:[9]");
    auto target = inspect_target(46, fake.paths());
    REQUIRE(target);
    CHECK(target_header(*target) == "# ipc:[9] /dev/shm of pid 46 (a\\x1b[31m)");
  }
}

TEST_CASE("shmkit::inspect_target errors") {
  FakeProc fake;
  auto failure = [&fake](int pid) {
    auto target = inspect_target(pid, fake.paths());
    REQUIRE_FALSE(target);
    return target.error();
  };
  SUBCASE("no such process") {
    CHECK(failure(99).code == Errc::not_found);
    CHECK(failure(99).message == "--target 99: no such process");
  }
  SUBCASE("a zombie") {
    fake.add(43, "defunct", 'Z', k_user_flags, "");
    CHECK(failure(43).code == Errc::not_supported);
    CHECK(failure(43).message ==
          "--target 43: process 43 (defunct) is a zombie: its root directory and namespaces "
          "are gone");
  }
  SUBCASE("a kernel thread") {
    fake.add(2, "kthreadd", 'S', k_kthread_flags, "ipc:[4026531839]");
    CHECK(failure(2).message == "--target 2: process 2 (kthreadd) is a kernel thread: it has no "
                                "IPC namespace or /dev/shm of its own");
  }
  SUBCASE("a kernel without IPC namespaces") {
    fake.add(42, "app", 'S', k_user_flags, "ipc:[4026532281]");
    fs::remove(fake.proc() / "self" / "ns" / "ipc");
    CHECK(failure(42).code == Errc::not_supported);
    CHECK(failure(42).message == "--target 42: this kernel has no IPC namespaces (" +
                                     (fake.proc() / "self" / "ns" / "ipc").string() +
                                     " is missing)");
  }
  SUBCASE("it exits between the looks: no IPC link, no root") {
    fake.add(45, "gone", 'S', k_user_flags, "");
    CHECK(failure(45).message == "--target 45: no such process");
    fake.add(47, "gone", 'S', k_user_flags, "ipc:[5]");
    fs::remove(fake.proc() / "47" / "root");
    CHECK(failure(47).message == "--target 47: no such process");
  }
  SUBCASE("an IPC link that does not parse") {
    fake.add(48, "odd", 'S', k_user_flags, "mnt:[5]");
    CHECK(failure(48).code == Errc::bad_data);
  }
}

TEST_CASE("shmkit::Paths::root: files under another root keep the addresses the target sees") {
  FakeProc fake;
  fake.add(42, "app", 'S', k_user_flags, "ipc:[4026532281]");
  auto target = inspect_target(42, fake.paths());
  REQUIRE(target);
  const fs::path root = target->paths.root;
  fs::create_directories(root / "data");
  std::ofstream(root / "data" / "ring.bin") << "0123456789";
  std::ofstream(root / "dev" / "shm" / "demo") << "abc";

  auto file = make_backend(Kind::file, target->paths);
  SegmentRef ref{Kind::file, SegmentRef::By::path, 0, "/data/../data/ring.bin"};
  auto info = file->stat(ref);
  REQUIRE(info);
  CHECK(info->segment == "file:/data/ring.bin");
  CHECK(info->name == "/data/ring.bin");
  CHECK(info->size == 10);

  auto posix = make_backend(Kind::posix, target->paths);
  auto listed = posix->list();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].segment == "posix:/demo");
  CHECK((*listed)[0].size == 3);
  auto opened = posix->open({Kind::posix, SegmentRef::By::name, 0, "demo"}, Access::read_only);
  REQUIRE(opened);
  CHECK((*opened)->info().segment == "posix:/demo");

  // The same names do not exist in our own root.
  CHECK_FALSE(make_backend(Kind::file)->stat(ref));
}
