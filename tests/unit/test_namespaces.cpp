// ls --all-namespaces (lib/shmkit/namespaces.hpp): the pure parsers, and the discovery over a
// fake /proc tree (no root, no setns needed).
#include "shmkit/namespaces.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace shmkit;
namespace fs = std::filesystem;

TEST_CASE("shmkit::parse_ipc_link") {
  CHECK(parse_ipc_link("ipc:[4026531839]") == 4026531839u);
  CHECK(parse_ipc_link("ipc:[1]") == 1u);
  CHECK_FALSE(parse_ipc_link("ipc:[]"));
  CHECK_FALSE(parse_ipc_link("mnt:[4026531839]"));
  CHECK_FALSE(parse_ipc_link("ipc:[12a]"));
  CHECK_FALSE(parse_ipc_link("ipc:[-1]"));
  CHECK_FALSE(parse_ipc_link("ipc:[99999999999999999999999]"));
  CHECK_FALSE(parse_ipc_link("ipc:[5"));
  CHECK_FALSE(parse_ipc_link(""));
}

TEST_CASE("shmkit::container_hint") {
  const std::string id = "3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
  SUBCASE("docker, systemd driver (cgroup v2)") {
    CHECK(container_hint("0::/system.slice/docker-" + id + ".scope\n") == "docker:3f9a1c2b4d5e");
  }
  SUBCASE("docker, cgroupfs driver (cgroup v1: every controller line)") {
    CHECK(container_hint("12:memory:/docker/" + id + "\n11:cpu,cpuacct:/docker/" + id +
                         "\n1:name=systemd:/docker/" + id + "\n") == "docker:3f9a1c2b4d5e");
  }
  SUBCASE("podman: the container's libpod scope, not conmon's") {
    CHECK(container_hint("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" +
                         id + ".scope/container\n") == "podman:3f9a1c2b4d5e");
    CHECK(container_hint("0::/machine.slice/libpod-conmon-" + id + ".scope\n") ==
          "/machine.slice/libpod-conmon-" + id + ".scope");
  }
  SUBCASE("containerd and cri-o under kubepods: the container below its pod") {
    CHECK(container_hint("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-"
                         "pod0b1c2d3e_4f50_6172_8394_a5b6c7d8e9f0.slice/cri-containerd-" +
                         id + ".scope\n") == "containerd:3f9a1c2b4d5e");
    CHECK(container_hint("0::/kubepods.slice/kubepods-besteffort.slice/crio-" + id +
                         ".scope\n") == "crio:3f9a1c2b4d5e");
  }
  SUBCASE("kubepods, cgroupfs driver: a bare id below the pod") {
    CHECK(container_hint("0::/kubepods/burstable/pod0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/" +
                         id + "\n") == "kubepods:3f9a1c2b4d5e");
  }
  SUBCASE("no container id: the cgroup path") {
    CHECK(container_hint("0::/init.scope\n") == "/init.scope");
    CHECK(container_hint("0::/user.slice/user-0.slice/session-3.scope") ==
          "/user.slice/user-0.slice/session-3.scope");
    CHECK(container_hint("0::/\n") == "/");
    // A bare 64-hex directory anywhere else is not taken for a container.
    CHECK(container_hint("0::/apps/" + id + "\n") == "/apps/" + id);
    // Ids that are not 64 lowercase hex digits are not ids.
    CHECK(container_hint("0::/system.slice/docker-abc.scope\n") ==
          "/system.slice/docker-abc.scope");
    CHECK(container_hint("0::/system.slice/docker-" + std::string(64, 'A') + ".scope\n") ==
          "/system.slice/docker-" + std::string(64, 'A') + ".scope");
  }
  SUBCASE("hybrid v1 + v2: the v2 path when no line shows an id") {
    CHECK(container_hint("1:name=systemd:/user.slice\n0::/init.scope\n") == "/init.scope");
    CHECK(container_hint("1:name=systemd:/user.slice\n") == "/user.slice");
  }
  SUBCASE("nothing usable") {
    CHECK(container_hint("") == "");
    CHECK(container_hint("garbage\n0:x\n") == "");
  }
}

namespace {

// A fake /proc: processes with an IPC link, a root (shared by name) and comm/cgroup files.
class FakeProc {
public:
  FakeProc() {
    std::string pattern = (fs::temp_directory_path() / "shmkit-unit-ns-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    m_dir = pattern;
    fs::create_directories(proc() / "self" / "ns");
    fs::create_symlink("ipc:[100]", proc() / "self" / "ns" / "ipc");
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
  // Process `pid` in IPC namespace `ipc` (none: no link) whose root is the directory `root`
  // (made with a dev/shm directory unless `dev_shm` is false).
  void add(int pid, const std::string &ipc, const std::string &root, bool dev_shm = true) {
    fs::path dir = proc() / std::to_string(pid);
    fs::create_directories(dir / "ns");
    std::ofstream(dir / "stat") << pid << " (p" << pid << ") S 1 1 1 0 -1 4194560 0 0\n";
    std::ofstream(dir / "comm") << "p" << pid << "\n";
    std::ofstream(dir / "cgroup") << "0::/ctr-" << root << "\n";
    if (!ipc.empty())
      fs::create_symlink(ipc, dir / "ns" / "ipc");
    fs::path r = m_dir / root;
    fs::create_directories(dev_shm ? r / "dev" / "shm" : r);
    fs::create_directory_symlink(r, dir / "root");
  }
  struct stat shm(const std::string &root) const {
    struct stat st {};
    REQUIRE(::stat((m_dir / root / "dev" / "shm").c_str(), &st) == 0);
    return st;
  }

private:
  fs::path m_dir;
};

} // namespace

TEST_CASE("shmkit::discover_namespaces") {
  FakeProc fake;
  // 30 and 7 share the IPC namespace 100 but not the /dev/shm; 12 has its own IPC namespace on
  // 30's /dev/shm; 50 has no /dev/shm; 60's link does not read as a namespace.
  fake.add(30, "ipc:[100]", "host");
  fake.add(7, "ipc:[100]", "a");
  fake.add(12, "ipc:[200]", "host");
  fake.add(50, "ipc:[300]", "bare", false);
  fake.add(60, "", "host");
  auto found = discover_namespaces(fake.paths());
  REQUIRE(found);
  CHECK(found->own_ipc == 100u);
  REQUIRE(found->ipc.size() == 3);
  CHECK(found->ipc[0].inode == 100u); // by the lowest pid in each
  CHECK(found->ipc[0].member.pid == 7);
  CHECK(found->ipc[0].member.command == "p7");
  CHECK(found->ipc[0].member.container == "/ctr-a");
  CHECK(found->ipc[0].processes == 2);
  CHECK(found->ipc[1].inode == 200u);
  CHECK(found->ipc[1].member.pid == 12);
  CHECK(found->ipc[2].inode == 300u);
  CHECK(found->ipc[2].member.pid == 50);
  REQUIRE(found->dev_shm.size() == 2); // by device and inode: "host" once, "a"; none for 50
  CHECK(found->dev_shm[0].member.pid == 7);
  CHECK(found->dev_shm[0].ino == fake.shm("a").st_ino);
  CHECK(found->dev_shm[1].member.pid == 12);
  CHECK(found->dev_shm[1].ino == fake.shm("host").st_ino);
  CHECK(found->dev_shm[1].dev == fake.shm("host").st_dev);
  CHECK(found->dev_shm[1].processes == 3);
  CHECK(found->uninspected == 0); // 60's link is missing (ENOENT): as if it had exited
}

TEST_CASE("shmkit::discover_namespaces errors") {
  Paths paths;
  paths.proc = "/nonexistent-shmkit-proc";
  auto found = discover_namespaces(paths);
  REQUIRE_FALSE(found);
  CHECK(found.error().code == Errc::not_found);
  CHECK(found.error().message == "cannot read /nonexistent-shmkit-proc: no such file or directory");
}

TEST_CASE("shmkit::IpcNamespaceSwitch: our own namespace needs no setns") {
  auto home = IpcNamespaceSwitch::open();
  REQUIRE(home);
  auto own = read_ipc_link(AT_FDCWD, "/proc/self/ns/ipc");
  REQUIRE(own);
  CHECK(home->enter(::getpid(), *own)); // no privilege needed
  CHECK(home->leave());
  auto wrong = home->enter(::getpid(), *own + 1); // our pid, another inode: "it exited"
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == Errc::not_found);
}
