#include "shmkit/audit.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace shmkit;
namespace fs = std::filesystem;

namespace {

// A real mountinfo, with an optional field, a mount point holding a space (\040) and a later
// mount on the same point that hides the first.
constexpr std::string_view k_mountinfo =
    R"(22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
25 24 0:23 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw,inode64
24 1 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4k,mode=755
1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
40 1 0:40 / /mnt/my\040disk rw master:7 - tmpfs my\134src rw
garbage line
41 25 0:41 / /dev/shm rw,relatime - tmpfs shmkit-test rw,size=262144k
)";

std::vector<std::string> ids(const std::vector<Finding> &findings) {
  std::vector<std::string> out;
  for (const auto &f : findings)
    out.emplace_back(f.id);
  return out;
}

AuditSegment segment(std::string name, unsigned mode, uid_t uid) {
  AuditSegment s;
  s.segment = std::move(name);
  s.kind = Kind::posix;
  s.mode = mode;
  s.uid = uid;
  s.owner = std::to_string(uid);
  return s;
}

} // namespace

TEST_CASE("shmkit::parse_mountinfo") {
  auto mounts = parse_mountinfo(k_mountinfo);
  REQUIRE(mounts.size() == 6);
  CHECK(mounts[0].mount_point == "/proc");
  CHECK(mounts[0].fs_type == "proc");
  CHECK(mounts[1].options == "rw,nosuid,nodev");
  CHECK(mounts[1].has_option("nosuid"));
  CHECK(mounts[1].has_option("nodev"));
  CHECK_FALSE(mounts[1].has_option("noexec"));
  CHECK_FALSE(mounts[1].has_option("no"));
  CHECK(mounts[4].mount_point == "/mnt/my disk");
  CHECK(mounts[4].source == "my\\src");
  CHECK(mounts[5].source == "shmkit-test");
  CHECK(mounts[5].super_options == "rw,size=262144k");

  SUBCASE("mount_of: the longest prefix, the last mount on a point") {
    const MountEntry *shm = mount_of(mounts, "/dev/shm");
    REQUIRE(shm != nullptr);
    CHECK(shm->source == "shmkit-test");
    CHECK(mount_of(mounts, "/dev/shm/x")->source == "shmkit-test");
    CHECK(mount_of(mounts, "/dev/shmx")->mount_point == "/dev");
    CHECK(mount_of(mounts, "/etc")->mount_point == "/");
    CHECK(mount_of({}, "/dev/shm") == nullptr);
  }
  SUBCASE("no trailing newline, empty text") {
    CHECK(parse_mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw").size() == 1);
    CHECK(parse_mountinfo("").empty());
    CHECK(parse_mountinfo("1 0 8:1 / / rw shared:1").empty()); // no " - "
  }
}

TEST_CASE("shmkit::parse_remove_ipc") {
  std::vector<ConfigFile> files{{"/etc/systemd/logind.conf", "[Login]\n#RemoveIPC=no\n"}};
  CHECK_FALSE(parse_remove_ipc(files).has_value());
  CHECK(LogindConfig{true, files}.remove_ipc().value);
  CHECK(LogindConfig{true, files}.remove_ipc().source.empty());

  files.push_back({"/etc/systemd/logind.conf.d/10-pg.conf", "[Login]\n  RemoveIPC = No \n"});
  auto s = parse_remove_ipc(files);
  REQUIRE(s);
  CHECK_FALSE(s->value);
  CHECK(s->source == "/etc/systemd/logind.conf.d/10-pg.conf");

  SUBCASE("a later file wins; other sections and bad words do not count") {
    files.push_back({"/run/x.conf", "[Other]\nRemoveIPC=yes\n[Login]\nRemoveIPC=maybe\n"});
    CHECK_FALSE(parse_remove_ipc(files)->value);
    files.push_back({"/run/y.conf", "[Login]\r\nRemoveIPC=on\r\n"});
    CHECK(parse_remove_ipc(files)->value);
  }
  CHECK(parse_systemd_bool("TRUE") == true);
  CHECK(parse_systemd_bool("0") == false);
  CHECK_FALSE(parse_systemd_bool("2").has_value());
}

TEST_CASE("shmkit::read_logind_config") {
  std::string pattern = (fs::temp_directory_path() / "shmkit-audit-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  const fs::path root = pattern;
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{root};
  auto write = [&](const std::string &rel, const std::string &text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  };

  CHECK_FALSE(read_logind_config(root.string()).present);

  write("usr/lib/systemd/logind.conf", "[Login]\nRemoveIPC=no\n");
  write("etc/systemd/logind.conf", "[Login]\n");
  write("usr/lib/systemd/logind.conf.d/20-b.conf", "[Login]\nRemoveIPC=no\n");
  write("run/systemd/logind.conf.d/10-a.conf", "[Login]\nRemoveIPC=no\n");
  write("etc/systemd/logind.conf.d/20-b.conf", "[Login]\nRemoveIPC=yes\n");
  write("etc/systemd/logind.conf.d/ignored.txt", "[Login]\nRemoveIPC=no\n");
  auto config = read_logind_config(root.string());
  CHECK(config.present);
  REQUIRE(config.files.size() == 3);
  // Only the first main file; 20-b.conf of /etc masks that of /usr/lib; sorted by name.
  CHECK(config.files[0].path == root.string() + "/etc/systemd/logind.conf");
  CHECK(config.files[1].path == root.string() + "/run/systemd/logind.conf.d/10-a.conf");
  CHECK(config.files[2].path == root.string() + "/etc/systemd/logind.conf.d/20-b.conf");
  CHECK(config.remove_ipc().value);

  write("etc/login.defs", "# comment\nUID_MIN   500\n");
  CHECK(read_sys_uid_max(root.string()) == 499);
}

TEST_CASE("shmkit::parse_sys_uid_max") {
  CHECK(parse_sys_uid_max("") == 999);
  CHECK(parse_sys_uid_max("#SYS_UID_MAX 100\nUID_MIN\t1000\n") == 999);
  CHECK(parse_sys_uid_max("UID_MIN 2000\nSYS_UID_MAX 1500") == 1500);
  CHECK(parse_sys_uid_max("SYS_UID_MAX abc\n") == 999);
}

TEST_CASE("shmkit::audit") {
  AuditFacts facts;
  facts.now = 1'000'000;
  facts.age = std::chrono::seconds(3600);

  SUBCASE("clean: nothing") {
    MountEntry m;
    m.options = "rw,nosuid,nodev,noexec";
    facts.dev_shm_mount = m;
    facts.dev_shm_size = 100;
    facts.dev_shm_used = 90;
    facts.segments.push_back(segment("posix:/a", 0600, 1000));
    facts.segments.push_back(segment("posix:/b", 0644, 1000));
    facts.shm_rmid_forced = true; // but no SysV segment
    facts.logind = LogindConfig{false, {}};
    CHECK(audit(facts).empty());
  }
  SUBCASE("mount options") {
    MountEntry m;
    m.options = "rw,relatime";
    facts.dev_shm_mount = m;
    auto f = audit(facts);
    CHECK(ids(f) == std::vector<std::string>{"devshm-nosuid", "devshm-nodev", "devshm-noexec"});
    CHECK(f[0].subject == "/dev/shm");
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[2].severity == Severity::info);
  }
  SUBCASE("full filesystem and limits") {
    facts.dev_shm_size = 1000;
    facts.dev_shm_used = 901;
    Limits l;
    l.shmmni = 10;
    l.used_ids = 10;
    l.shmall = 1000;
    l.used_pages = 900; // exactly 90%: not more
    facts.limits = l;
    auto f = audit(facts);
    CHECK(ids(f) == std::vector<std::string>{"devshm-full", "shmmni-high"});
    CHECK(f[0].message == "90.1% full (901 of 1000 bytes used)");
    CHECK(f[1].message == "100.0% of SHMMNI used (10 of 10 segments)");
  }
  SUBCASE("segments") {
    facts.segments.push_back(segment("id:1", 0666, 0));
    facts.segments.push_back(segment("posix:/r", 0644, 0));
    facts.segments.push_back(segment("posix:/u", 0600, 4242));
    facts.segments.back().owner_known = false;
    facts.segments.push_back(segment("posix:/o", 0600, 0));
    facts.segments.back().state = State::orphaned;
    facts.segments.back().last_activity = facts.now - 7200;
    auto f = audit(facts);
    CHECK(ids(f) == std::vector<std::string>{"world-writable", "world-readable-system",
                                             "owner-unknown", "orphaned"});
    CHECK(f[0].severity == Severity::critical);
    CHECK(f[0].message == "mode 0666: any local user can change its contents");
    CHECK(f[1].message == "mode 0644, owned by system user 0: any local user can read it");
    CHECK(f[2].message == "owner uid 4242 has no passwd entry");
    CHECK(f[3].message ==
          "orphaned: no user and nothing can come back for it, idle for 2h (more than 1h)");
  }
  SUBCASE("shm_rmid_forced with a long-lived SysV segment") {
    auto s = segment("id:7", 0600, 0);
    s.kind = Kind::sysv;
    s.ctime = facts.now - 60;
    facts.segments.push_back(s);
    facts.shm_rmid_forced = true;
    CHECK(audit(facts).empty());
    facts.segments.back().ctime = facts.now - 3601;
    auto f = audit(facts);
    CHECK(ids(f) == std::vector<std::string>{"shm-rmid-forced"});
    facts.shm_rmid_forced = false;
    CHECK(audit(facts).empty());
  }
  SUBCASE("logind RemoveIPC with segments of non-system users") {
    facts.segments.push_back(segment("posix:/sys", 0600, 100));
    facts.logind = LogindConfig{true, {}};
    CHECK(audit(facts).empty()); // only a system user's segment
    facts.segments.push_back(segment("posix:/alice", 0600, 1000));
    facts.segments.back().owner = "alice";
    auto f = audit(facts);
    REQUIRE(ids(f) == std::vector<std::string>{"logind-remove-ipc"});
    CHECK(f[0].message == "RemoveIPC=yes (the default) removes the 1 segment(s) of non-system "
                          "users (alice) when they log out");
    facts.logind->files.push_back({"/etc/systemd/logind.conf", "[Login]\nRemoveIPC=no\n"});
    CHECK(audit(facts).empty());
    facts.sys_uid_max = 1000;
    facts.logind->files.clear();
    CHECK(audit(facts).empty());
  }
  CHECK(short_duration(59) == "59s");
  CHECK(short_duration(86400 * 3) == "3d");
}
