#include "shmkit/address.hpp"

#include <doctest/doctest.h>

#include <sys/ipc.h>

#include <cerrno>
#include <string>

using namespace shmkit;
using By = SegmentRef::By;

namespace {

SegmentRef ok(std::string_view text, AddressUse use = AddressUse::existing) {
  auto r = parse_address(text, use);
  if (!r)
    FAIL("parse_address(" << std::string(text) << "): " << r.error().message);
  return *r;
}

void bad(std::string_view text, Errc code, const std::string &message,
         AddressUse use = AddressUse::existing) {
  auto r = parse_address(text, use);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

} // namespace

TEST_CASE("shmkit::parse_address") {
  SUBCASE("explicit forms") {
    auto id = ok("id:32769");
    CHECK(id.kind == Kind::sysv);
    CHECK(id.by == By::id);
    CHECK(id.number == 32769);
    CHECK(id.to_string() == "id:32769");

    auto key = ok("key:0x0052e2c1");
    CHECK(key.by == By::key);
    CHECK(key.number == 0x0052e2c1);
    CHECK(key.to_string() == "key:0x0052e2c1");
    CHECK(ok("key:2").number == 2);
    CHECK(ok("key:0xffffffff").number == 0xffffffffu);

    auto posix = ok("posix:/psm_9f2c");
    CHECK(posix.kind == Kind::posix);
    CHECK(posix.text == "psm_9f2c");
    CHECK(posix.to_string() == "posix:/psm_9f2c");
    CHECK(ok("posix:demo").text == "demo");

    auto file = ok("file:/var/lib/app/ring.bin");
    CHECK(file.kind == Kind::file);
    CHECK(file.text == "/var/lib/app/ring.bin");
    CHECK(ok("file:rel").text == "rel");
  }
  SUBCASE("shorthands") {
    CHECK(ok("0x00000002").by == By::key);
    CHECK(ok("0x00000002").number == 2);
    CHECK(ok("32769").by == By::id);
    CHECK(ok("/demo").kind == Kind::posix);
    CHECK(ok("/demo").text == "demo");
    CHECK(ok("demo").text == "demo");
    CHECK(ok("./ring.bin").kind == Kind::file);
    CHECK(ok("../ring.bin").kind == Kind::file);
    CHECK(ok("/tmp/x").kind == Kind::file);
    CHECK(ok("/tmp/x").text == "/tmp/x");
    CHECK(ok("dir/x").kind == Kind::file);
  }
  SUBCASE("create-only keys") {
    CHECK(ok("key:auto", AddressUse::create).by == By::key_auto);
    CHECK(ok("key:private", AddressUse::create).by == By::key_private);
    bad("key:auto", Errc::invalid_argument, "key:auto is only valid for create");
    bad("key:private", Errc::invalid_argument, "key:private is only valid for create");
  }
  SUBCASE("ftok") {
    // Parsing makes no system call: the key is computed by ftok_key() when the segment is used.
    auto key_of = [&](std::string_view text) {
      auto keyed = ftok_key(ok(text));
      REQUIRE(keyed);
      CHECK(keyed->by == By::key);
      return keyed->number;
    };
    auto a = ok("ftok:/etc/passwd:A");
    CHECK(a.by == By::ftok);
    CHECK(a.text == "/etc/passwd");
    CHECK(a.number == 'A');
    CHECK(a.to_string() == "ftok:/etc/passwd:65");
    CHECK(key_of("ftok:/etc/passwd:A") == static_cast<std::uint32_t>(::ftok("/etc/passwd", 'A')));
    CHECK(key_of("ftok:/etc/passwd") == static_cast<std::uint32_t>(::ftok("/etc/passwd", 1)));
    CHECK(key_of("ftok:/etc/passwd:65") == static_cast<std::uint32_t>(::ftok("/etc/passwd", 65)));
    auto missing = ftok_key(ok("ftok:/nonexistent/x"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::not_found);
    CHECK(missing.error().message ==
          "cannot compute ftok key of /nonexistent/x: no such file or directory");
    bad("ftok:/etc/passwd:256", Errc::out_of_range,
        "invalid ftok project id '256': larger than 255");
    bad("ftok:/etc/passwd:0", Errc::invalid_argument,
        "invalid ftok project id '0': must be 1..255 or one character");
    bad("ftok:", Errc::invalid_argument, "invalid address 'ftok:': empty path");
    // issue 8 defect 19e: PROJ is checked before the file is looked at.
    bad("ftok:/etc/hostname:0x41", Errc::invalid_argument,
        "invalid ftok project id '0x41': must be 1..255 or one character");
    bad("ftok:/nonexistent/x:AB", Errc::invalid_argument,
        "invalid ftok project id 'AB': must be 1..255 or one character");
    bad("ftok:/nonexistent/x:", Errc::invalid_argument,
        "invalid ftok project id '': must be 1..255 or one character");
    bad("ftok:/nonexistent/x:300", Errc::out_of_range,
        "invalid ftok project id '300': larger than 255");
    // A ':' before a '/' belongs to the path; one in the file name is written \x3a.
    CHECK(ok("ftok:/nonexistent:dir/x").text == "/nonexistent:dir/x");
    CHECK(ok("ftok:/nonexistent/a\\x3ab").text == "/nonexistent/a:b");
  }
  SUBCASE("ftok through the seam: the key 0xffffffff is a key, not a failure") {
    // issue 13 (found by tests/fuzz/address.cpp, its input is corpus/address/crash-94f8a468...):
    // ftok(3) returns -1 both on failure and for a file whose key is 0xffffffff (project id 255,
    // device minor 0xff, inode ending in 0xffff); ftok_key() took it for a failure, errno 0.
    static std::string asked;
    auto all_ones = [](const char *path, int proj) -> key_t {
      asked = std::string(path) + ":" + std::to_string(proj);
      return -1; // errno untouched: stat succeeded
    };
    auto keyed = ftok_key(ok("ftok:/some/file:255"), all_ones);
    REQUIRE(keyed);
    CHECK(asked == "/some/file:255");
    CHECK(keyed->by == By::key);
    CHECK(keyed->number == 0xffffffffu);
    CHECK(keyed->to_string() == "key:0xffffffff");
    auto missing = [](const char *, int) -> key_t {
      errno = ENOENT;
      return -1;
    };
    auto failed = ftok_key(ok("ftok:/some/file:A"), missing);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == Errc::not_found);
    CHECK(failed.error().message ==
          "cannot compute ftok key of /some/file: no such file or directory");
    // Other addresses never reach the seam.
    asked.clear();
    CHECK(ftok_key(ok("key:0x10"), all_ones)->to_string() == "key:0x00000010");
    CHECK(asked.empty());
  }
  SUBCASE("bad escapes are refused, not taken literally") {
    // issue 8 defect 19f
    const char *tail = ": \\x needs two hex digits (a backslash is \\x5c)";
    bad("posix:a\\x", Errc::invalid_argument,
        std::string("invalid escape '\\x' in address") + tail);
    bad("posix:a\\x4", Errc::invalid_argument,
        std::string("invalid escape '\\x4' in address") + tail);
    bad("a\\xZZ", Errc::invalid_argument, std::string("invalid escape '\\xZZ' in address") + tail);
    bad("a\\x4Zb", Errc::invalid_argument, std::string("invalid escape '\\x4Z' in address") + tail);
    bad("file:/tmp/a\\xg0", Errc::invalid_argument,
        std::string("invalid escape '\\xg0' in address") + tail);
    bad("ftok:/tmp/\\x:A", Errc::invalid_argument,
        std::string("invalid escape '\\x' in address") + tail);
    bad("posix:a\\x\n", Errc::invalid_argument,
        std::string("invalid escape '\\x\\x0a' in address") + tail);
    CHECK(ok("posix:a\\x5cxZZ").text == "a\\xZZ"); // an escaped backslash stays literal
    CHECK(ok("posix:a\\b").text == "a\\b");        // a backslash not before x is kept
  }
  SUBCASE("bad keys and ids") {
    bad("key:0x100000000", Errc::out_of_range, "invalid key '0x100000000': larger than 4294967295");
    bad("0x100000000", Errc::out_of_range, "invalid key '0x100000000': larger than 4294967295");
    bad("key:-1", Errc::invalid_argument, "invalid key '-1': a sign is not allowed");
    bad("key:0", Errc::invalid_argument, "key 0 is IPC_PRIVATE and names no segment: use id:N");
    bad("key:0", Errc::invalid_argument, "key 0 is IPC_PRIVATE: use key:private",
        AddressUse::create);
    bad("id:-1", Errc::invalid_argument, "invalid id '-1': a sign is not allowed");
    bad("id:2147483648", Errc::out_of_range, "invalid id '2147483648': larger than 2147483647");
    bad("2147483648", Errc::out_of_range, "invalid id '2147483648': larger than 2147483647");
  }
  SUBCASE("bad names") {
    bad("", Errc::invalid_argument, "invalid address: empty");
    bad("posix:", Errc::invalid_argument, "invalid posix name: empty");
    bad("/", Errc::invalid_argument, "invalid posix name: empty");
    bad("posix:/", Errc::invalid_argument, "invalid posix name: empty");
    bad(".", Errc::invalid_argument, "invalid posix name '.': not an object name");
    bad("posix:..", Errc::invalid_argument, "invalid posix name '..': not an object name");
    bad("posix:/a/b", Errc::invalid_argument, "invalid posix name 'a/b': contains '/'");
    bad("posix:" + std::string(256, 'a'), Errc::invalid_argument,
        "invalid posix name: 256 bytes long, at most 255");
    CHECK(ok("posix:" + std::string(255, 'a')).text.size() == 255);
    bad("file:", Errc::invalid_argument, "invalid address 'file:': empty path");
  }
  SUBCASE("escaped names round-trip") {
    std::string raw = "a\nb\x1b[31m\xff\\x";
    std::string shown = escape_bytes(raw);
    CHECK(shown == "a\\x0ab\\x1b[31m\\xff\\x5cx");
    CHECK(unescape_bytes(shown) == raw);
    auto ref = ok("posix:/" + shown);
    CHECK(ref.text == raw);
    CHECK(ref.to_string() == "posix:/" + shown);
    CHECK(escape_bytes("caf\xc3\xa9") == "caf\xc3\xa9"); // valid UTF-8 is kept
    CHECK(escape_bytes("a b") == "a\\x20b");
    CHECK(escape_bytes("\xc2\x85") == "\\xc2\\x85"); // C1 control
  }
}

TEST_CASE("shmkit::parse_address memfd:PID:FD") {
  SUBCASE("accepted, canonical form round-trips") {
    auto ref = ok("memfd:4242:17");
    CHECK(ref.kind == Kind::memfd);
    CHECK(ref.by == By::memfd);
    CHECK(ref.number == 4242);
    CHECK(ref.fd == 17);
    CHECK(ref.to_string() == "memfd:4242:17");
    CHECK(ok(ref.to_string()).to_string() == "memfd:4242:17");
    CHECK(ok("memfd:1:0").fd == 0);
    CHECK(ok("memfd:2147483647:2147483647").number == 2147483647);
    CHECK(ok("memfd:007:03").to_string() == "memfd:7:3");
  }
  SUBCASE("refused, before any system call") {
    bad("memfd:", Errc::invalid_argument,
        "invalid address 'memfd:': missing PID (use memfd:PID:FD)");
    bad("memfd::3", Errc::invalid_argument,
        "invalid address 'memfd::3': missing PID (use memfd:PID:FD)");
    bad("memfd:12", Errc::invalid_argument,
        "invalid address 'memfd:12': missing FD (use memfd:PID:FD)");
    bad("memfd:12:", Errc::invalid_argument,
        "invalid address 'memfd:12:': missing FD (use memfd:PID:FD)");
    bad("memfd:12:3:4", Errc::invalid_argument,
        "invalid address 'memfd:12:3:4': too many parts (use memfd:PID:FD)");
    bad("memfd:12:x", Errc::invalid_argument,
        "invalid address 'memfd:12:x': FD is not a decimal number (use memfd:PID:FD)");
    bad("memfd:12:-1", Errc::invalid_argument,
        "invalid address 'memfd:12:-1': FD is not a decimal number (use memfd:PID:FD)");
    bad("memfd:12:0x3", Errc::invalid_argument,
        "invalid address 'memfd:12:0x3': FD is not a decimal number (use memfd:PID:FD)");
    bad("memfd:abc:3", Errc::invalid_argument,
        "invalid address 'memfd:abc:3': PID is not a decimal number (use memfd:PID:FD)");
    bad("memfd:-5:3", Errc::invalid_argument,
        "invalid address 'memfd:-5:3': PID is not a decimal number (use memfd:PID:FD)");
    bad("memfd:0:3", Errc::invalid_argument,
        "invalid address 'memfd:0:3': PID 0 is no process (use memfd:PID:FD)");
    bad("memfd:2147483648:3", Errc::out_of_range,
        "invalid memfd pid '2147483648': larger than 2147483647");
    bad("memfd:1:2147483648", Errc::out_of_range,
        "invalid memfd fd '2147483648': larger than 2147483647");
    bad("memfd:1:\x1b[2J", Errc::invalid_argument,
        "invalid address 'memfd:1:\\x1b[2J': FD is not a decimal number (use memfd:PID:FD)");
  }
  SUBCASE("create refuses it as an address too") {
    bad("memfd:", Errc::invalid_argument,
        "invalid address 'memfd:': missing PID (use memfd:PID:FD)", AddressUse::create);
    CHECK(ok("memfd:1:2", AddressUse::create).kind == Kind::memfd);
  }
}
