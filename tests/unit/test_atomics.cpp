#include "command.hpp"
#include "commands.hpp"
#include "gate.hpp"
#include "options.hpp"
#include "write_plan.hpp"

#include "shmkit/address.hpp"
#include "shmkit/atomic_ops.hpp"
#include "shmkit/backend.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace shmkit;
using shmkit::cli::Args;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/shmkit-unit-atomics.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

// The same checks on a handle of any kind, whose first 16 bytes are zero.
void exercise(Handle &handle, const std::string &shown) {
  CHECK(*handle.load_atomic(0, 8) == 0);
  auto added = handle.atomic_update(8, 8, AtomicOp::add, 5, 0);
  REQUIRE(added.has_value());
  CHECK(added->previous == 0);
  CHECK(added->swapped);
  CHECK(*handle.load_atomic(8, 8) == 5);
  // A negative operand in two's complement subtracts.
  CHECK(handle.atomic_update(8, 8, AtomicOp::add, static_cast<std::uint64_t>(-7), 0)->previous ==
        5);
  CHECK(*handle.load_atomic(8, 8) == static_cast<std::uint64_t>(-2));

  auto failed = handle.atomic_update(0, 4, AtomicOp::cas, 9, 1);
  REQUIRE(failed.has_value());
  CHECK_FALSE(failed->swapped);
  CHECK(failed->previous == 0);
  CHECK(*handle.load_atomic(0, 4) == 0);
  auto swapped = handle.atomic_update(0, 4, AtomicOp::cas, 9, 0);
  CHECK(swapped->swapped);
  CHECK(swapped->previous == 0);
  CHECK(*handle.load_atomic(0, 4) == 9);
  CHECK(handle.atomic_update(4, 2, AtomicOp::bit_or, 0x0f0f, 0)->previous == 0);
  CHECK(handle.atomic_update(4, 2, AtomicOp::bit_and, 0x00ff, 0)->previous == 0x0f0f);
  CHECK(handle.atomic_update(4, 2, AtomicOp::bit_xor, 0x0101, 0)->previous == 0x000f);
  CHECK(*handle.load_atomic(4, 2) == 0x010e);
  CHECK(handle.atomic_update(6, 1, AtomicOp::add, 0x1ff, 0)->previous == 0); // truncated: 0xff
  CHECK(*handle.load_atomic(6, 1) == 0xff);
  CHECK(*handle.load_atomic(0, 8) == 0x00ff010e00000009u);

  auto misaligned = handle.atomic_update(2, 4, AtomicOp::add, 1, 0);
  REQUIRE_FALSE(misaligned.has_value());
  CHECK(misaligned.error().code == Errc::invalid_argument);
  CHECK(misaligned.error().message == "offset 2 is not aligned to 4 bytes");
  auto bad_width = handle.load_atomic(0, 3);
  CHECK(bad_width.error().message == "cannot access 3 bytes atomically");
  auto past = handle.load_atomic(16, 8);
  REQUIRE_FALSE(past.has_value());
  CHECK(past.error().code == Errc::past_end);
  CHECK(past.error().message == "8 bytes at offset 16 do not fit in " + shown + " (20 bytes)");
  CHECK(handle.atomic_update(16, 4, AtomicOp::add, 1, 0)->previous == 0); // the last word
}

// write's plan for `line` (the arguments after "write"), parsed as main() does, with the
// table's rules checked first: the error message, or "" and the plan in `out`.
std::string plan_of(std::vector<std::string> words, cli::WritePlan &out) {
  const cli::Command &write = cli::write_command();
  CLI::App app{"test"};
  cli::OptionGate gate;
  auto args = cli::register_options(app, gate, write.options);
  std::vector<const char *> argv;
  for (const auto &word : words)
    argv.push_back(word.c_str());
  auto moved = cli::negative_values_last(app, argv);
  if (!moved.empty())
    words = moved;
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  app.parse(reversed);
  if (auto ok = cli::check_rules(write.options, *args); !ok)
    return ok.error().message;
  auto plan = cli::plan_write(*args);
  if (!plan)
    return plan.error().message;
  out = std::move(*plan);
  return {};
}

std::string plan_of(const std::string &line, cli::WritePlan &out) {
  std::vector<std::string> words;
  for (std::size_t at = 0; at < line.size();) {
    std::size_t end = line.find(' ', at);
    end = end == std::string::npos ? line.size() : end;
    words.push_back(line.substr(at, end - at));
    at = end + 1;
  }
  return plan_of(std::move(words), out);
}

} // namespace

TEST_CASE("shmkit::cli::plan_write atomic operations") {
  cli::WritePlan plan;
  SUBCASE("operands as native-order bits") {
    REQUIRE(plan_of("posix:/x --type u64 --add -1", plan) == "");
    REQUIRE(plan.update.has_value());
    CHECK(plan.update->op == AtomicOp::add);
    CHECK(plan.update->operand == UINT64_MAX);
    REQUIRE(plan_of("posix:/x --type u8 --add -255", plan) == "");
    CHECK(static_cast<std::uint8_t>(plan.update->operand) == 1);
    REQUIRE(plan_of("posix:/x --type i16 -s 2 --add -2", plan) == "");
    CHECK(static_cast<std::uint16_t>(plan.update->operand) == 0xfffe);
    REQUIRE(plan_of("posix:/x --type u32 -s 4 --cas 7 0x10", plan) == "");
    CHECK(plan.update->op == AtomicOp::cas);
    CHECK(plan.update->expected == 7);
    CHECK(plan.update->operand == 16);
    REQUIRE(plan_of("posix:/x --type u32 --endian big --xor 1", plan) == "");
    CHECK(plan.update->op == AtomicOp::bit_xor);
    CHECK(plan.update->operand == 0x01000000u); // byte 3 of a little-endian word
    REQUIRE(plan_of("posix:/x --type f64 --cas -0 1", plan) == "");
    CHECK(plan.update->expected == 0x8000000000000000u);
    REQUIRE(plan_of("posix:/x --type u16 --and 0xff", plan) == "");
    CHECK(plan.update->op == AtomicOp::bit_and);
    REQUIRE(plan_of("posix:/x --type u16 --or 0xff --endian little", plan) == "");
    CHECK(plan.update->op == AtomicOp::bit_or);
    REQUIRE(plan_of("posix:/x --type u16 --add 1 --endian little", plan) == "");
  }
  SUBCASE("usage errors") {
    CHECK(plan_of("posix:/x --type u64 --cas 1", plan) ==
          "--cas needs two values: --cas EXPECTED NEW");
    CHECK(plan_of("posix:/x --type u64 --cas 1 2 3", plan) == "--cas takes one NEW value, not 2");
    CHECK(plan_of("posix:/x --type u64 -s 4 --add 1", plan) ==
          "offset 4 is not aligned to 8 bytes, as --add needs for u64");
    CHECK(plan_of("posix:/x --type u8 --cas 0 256", plan) ==
          "value '256' out of range for u8 (0..255)");
    CHECK(plan_of("posix:/x --type u8 --add 256", plan) ==
          "value '256' out of range for --add on u8 (-255..255)");
    CHECK(plan_of("posix:/x --type u8 --add -0x", plan) ==
          "invalid u8 value '-0x': expected a decimal or 0x hex integer");
    CHECK(plan_of("posix:/x --type f32 --add 1", plan) == "--add needs an integer --type, not f32");
    CHECK(plan_of("posix:/x --type f32 --xor 1", plan) == "--xor needs an integer --type, not f32");
    CHECK(plan_of("posix:/x --type u32 --add 1 --cas 0 1", plan) ==
          "--cas and --add exclude each other");
    CHECK(plan_of("posix:/x --add 1", plan) == "--add needs --type, or --layout with --field");
    CHECK(plan_of("posix:/x --type u32 --endian big --add 1", plan) ==
          "--add works in this machine's byte order only (--endian native)");
    CHECK(plan_of("posix:/x --type u32 --or 1 5", plan) ==
          "unexpected argument '5' (--or takes no VALUE)");
  }
}

TEST_CASE("shmkit::cli::plan_write --layout") {
  cli::WritePlan plan;
  const std::string decls = "struct r { uint32_t magic; int16_t d; char name[4]; uint64_t n; };";
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> words{"posix:/x", "-s", "8", "--layout", decls};
    words.insert(words.end(), more.begin(), more.end());
    return plan_of(std::move(words), plan);
  };
  SUBCASE("--set encodes every assignment at its field's offset") {
    REQUIRE(with({"--set", "magic=0x01020304", "--set", "name=hi", "--set", "d=-2"}) == "");
    REQUIRE(plan.assignments.size() == 3);
    CHECK(plan.assignments[0].path == "magic");
    CHECK(plan.assignments[0].offset == 0);
    CHECK(plan.assignments[0].bytes ==
          std::vector{std::byte{4}, std::byte{3}, std::byte{2}, std::byte{1}});
    CHECK(plan.assignments[1].offset == 6);
    CHECK(plan.assignments[1].bytes ==
          std::vector{std::byte{'h'}, std::byte{'i'}, std::byte{0}, std::byte{0}});
    CHECK(plan.assignments[2].offset == 4);
    CHECK(plan.segment.offset == 8);
    CHECK(plan.layout->size == 24);
    CHECK_FALSE(plan.update.has_value());
  }
  SUBCASE("--field makes an update at the field's offset, with its type") {
    REQUIRE(with({"--field", "n", "--add", "-1"}) == "");
    REQUIRE(plan.update.has_value());
    CHECK(plan.segment.offset == 24);
    CHECK(plan.segment.type == ValueType::u64);
    CHECK(plan.update->operand == UINT64_MAX);
    CHECK(plan.update->field->path == "n");
    REQUIRE(with({"--field", "d", "--cas", "-1", "5"}) == "");
    CHECK(plan.update->expected == 0xffff);
    CHECK(plan.update->operand == 5);
  }
  SUBCASE("usage errors") {
    CHECK(with({"--set", "x=1"}) == "unknown field 'x' in --set");
    CHECK(with({"--set", "d=1", "--set", "d=2"}) == "field 'd' is set twice");
    CHECK(with({"--set", "d"}) == "invalid --set 'd': expected FIELD=VALUE");
    CHECK(with({"--set", "name=hello"}) ==
          "field 'name': string of 5 bytes does not fit in char[4]");
    CHECK(with({"--set", "d=1", "--field", "d"}) == "--set and --field exclude each other");
    CHECK(with({"--field", "d"}) == "--field needs --cas, --add, --or, --and or --xor");
    CHECK(with({"--field", "name", "--add", "1"}) ==
          "field 'name' is a string (char[4]): atomic operations need a 1, 2, 4 or 8-byte number");
    CHECK(plan_of({"posix:/x", "-s", "4", "--layout", decls, "--field", "n", "--add", "1"}, plan) ==
          "field 'n' at offset 20 is not aligned to 8 bytes, as atomic operations need");
    CHECK(with({}) == "--layout needs --set FIELD=VALUE, or --field NAME with --cas, --add, --or, "
                      "--and or --xor");
    CHECK(with({"--type", "u8", "--set", "d=1"}) == "--layout and --type exclude each other");
  }
}

TEST_CASE("shmkit::check_atomic_access") {
  CHECK(check_atomic_access(0, 1).has_value());
  CHECK(check_atomic_access(7, 1).has_value());
  CHECK(check_atomic_access(6, 2).has_value());
  CHECK(check_atomic_access(16, 8).has_value());
  CHECK(check_atomic_access(12, 8).error().message == "offset 12 is not aligned to 8 bytes");
  CHECK(check_atomic_access(12, 8).error().code == Errc::invalid_argument);
  CHECK(check_atomic_access(0, 16).error().message == "cannot access 16 bytes atomically");
  CHECK(check_atomic_access(0, 0).error().message == "cannot access 0 bytes atomically");
}

TEST_CASE("shmkit::atomic_apply_word") {
  alignas(8) std::uint64_t word = 0;
  SUBCASE("cas swaps only on the expected value and returns what it found") {
    word = 41;
    AtomicResult miss = atomic_apply_word(&word, 8, AtomicOp::cas, 50, 40);
    CHECK_FALSE(miss.swapped);
    CHECK(miss.previous == 41);
    CHECK(word == 41);
    AtomicResult hit = atomic_apply_word(&word, 8, AtomicOp::cas, 50, 41);
    CHECK(hit.swapped);
    CHECK(hit.previous == 41);
    CHECK(word == 50);
  }
  SUBCASE("narrow widths touch only their bytes and compare only their bits") {
    word = 0x1122334455667788u;
    auto *bytes = reinterpret_cast<unsigned char *>(&word);
    // Byte 1 of a little-endian word holds 0x77; expected 0x177 truncates to 0x77.
    AtomicResult hit = atomic_apply_word(bytes + 1, 1, AtomicOp::cas, 0xaa, 0x177);
    CHECK(hit.swapped);
    CHECK(hit.previous == 0x77);
    CHECK(word == 0x112233445566aa88u);
    CHECK(atomic_apply_word(bytes + 2, 2, AtomicOp::add, 1, 0).previous == 0x5566);
    CHECK(word == 0x112233445567aa88u);
    CHECK(atomic_apply_word(bytes + 4, 4, AtomicOp::add, 0xffffffffu, 0).previous == 0x11223344u);
    CHECK(word == 0x112233435567aa88u);
  }
  SUBCASE("add wraps modulo the width") {
    word = 0xffff;
    CHECK(atomic_apply_word(&word, 2, AtomicOp::add, 1, 0).previous == 0xffff);
    CHECK(word == 0);
    CHECK(atomic_load_word(&word, 2) == 0);
  }
  SUBCASE("a bad width does nothing") {
    word = 3;
    AtomicResult none = atomic_apply_word(&word, 3, AtomicOp::add, 1, 0);
    CHECK_FALSE(none.swapped);
    CHECK(word == 3);
    CHECK(atomic_load_word(&word, 5) == 0);
  }
  SUBCASE("concurrent adds lose nothing") {
    word = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 20000; ++i)
          (void)atomic_apply_word(&word, 8, AtomicOp::add, 1, 0);
      });
    for (auto &thread : threads)
      thread.join();
    CHECK(atomic_load_word(&word, 8) == 80000);
  }
}

TEST_CASE("shmkit::guarded_apply_word survives a truncated object") {
  char path[] = "/tmp/shmkit-unit-atomic.XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  long page = ::sysconf(_SC_PAGESIZE);
  REQUIRE(::ftruncate(fd, page) == 0);
  void *mem =
      ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  REQUIRE(mem != MAP_FAILED);
  AtomicResult result{7, false};
  std::uint64_t loaded = 7;
  CHECK(guarded_apply_word(mem, 8, AtomicOp::add, 2, 0, result));
  CHECK(result.previous == 0);
  CHECK(guarded_load_word(mem, 8, loaded));
  CHECK(loaded == 2);
  REQUIRE(::ftruncate(fd, 0) == 0);
  result = {7, false};
  CHECK_FALSE(guarded_apply_word(mem, 8, AtomicOp::cas, 1, 2, result));
  CHECK(result.previous == 7); // untouched
  CHECK_FALSE(guarded_load_word(mem, 4, loaded));
  CHECK(loaded == 2);
  REQUIRE(::ftruncate(fd, page) == 0);
  CHECK(guarded_apply_word(mem, 8, AtomicOp::bit_or, 1, 0, result));
  CHECK(result.previous == 0); // the page came back as zeros
  ::munmap(mem, static_cast<std::size_t>(page));
  ::close(fd);
}

TEST_CASE("shmkit::Handle atomics on every backend") {
  TempDir dir;
  SUBCASE("sysv, through the attach") {
    auto backend = make_backend(Kind::sysv);
    CreateSpec spec;
    spec.ref = *parse_address("key:private", AddressUse::create);
    spec.size = 20;
    spec.mode = 0600;
    auto made = backend->create(spec);
    REQUIRE(made.has_value());
    {
      auto handle = backend->open(*parse_address(made->segment), Access::read_write);
      REQUIRE(handle.has_value());
      exercise(**handle, made->segment);
      auto mapping = (*handle)->map(Access::read_only);
      REQUIRE(mapping.has_value());
      std::uint64_t bits = 0;
      std::memcpy(&bits, mapping->data(), 8); // as a C program reads it
      CHECK(bits == 0x00ff010e00000009u);
    }
    {
      auto reader = backend->open(*parse_address(made->segment), Access::read_only);
      REQUIRE(reader.has_value());
      CHECK(*(*reader)->load_atomic(0, 4) == 9);
      auto refused = (*reader)->atomic_update(0, 4, AtomicOp::add, 1, 0);
      CHECK(refused.error().code == Errc::permission_denied);
      CHECK(refused.error().message == "cannot write " + made->segment + ": opened read-only");
    }
    CHECK(backend->remove(*made).has_value());
  }
  SUBCASE("posix and file, through a mapping of the page")
  for (Kind kind : {Kind::posix, Kind::file}) {
    CAPTURE(kind_name(kind));
    Paths paths;
    paths.dev_shm = dir.path;
    auto backend = make_backend(kind, paths);
    std::string address = kind == Kind::posix ? "posix:/atomics" : "file:" + dir.path + "/f";
    std::string path = kind == Kind::posix ? dir.path + "/atomics" : dir.path + "/f";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, 20) == 0);
    {
      auto handle = backend->open(*parse_address(address), Access::read_write);
      REQUIRE(handle.has_value());
      exercise(**handle, address);
      std::uint64_t bits = 0;
      REQUIRE(::pread(fd, &bits, 8, 0) == 8);
      CHECK(bits == 0x00ff010e00000009u);
      // Truncated after open: the size is taken again, so this is past_end, not SIGBUS.
      REQUIRE(::ftruncate(fd, 8) == 0);
      auto gone = (*handle)->atomic_update(8, 8, AtomicOp::add, 1, 0);
      CHECK(gone.error().code == Errc::past_end);
      CHECK(gone.error().message == "8 bytes at offset 8 do not fit in " + address + " (8 bytes)");
      CHECK(*(*handle)->load_atomic(0, 8) == 0x00ff010e00000009u);
    }
    {
      auto reader = backend->open(*parse_address(address), Access::read_only);
      REQUIRE(reader.has_value());
      CHECK(*(*reader)->load_atomic(0, 1) == 9);
      auto refused = (*reader)->atomic_update(0, 4, AtomicOp::cas, 1, 9);
      CHECK(refused.error().code == Errc::permission_denied);
    }
    ::close(fd);
  }
}
