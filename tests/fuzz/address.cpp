// Fuzz target: the segment-address grammar (lib/shmkit/address.hpp): id:, key:, ftok:, posix:,
// file:, the shorthands and \xHH escapes, for existing segments and for `create`; then ftok:
// resolution through the injectable ftok seam, which here is a pure function of the path: the
// fuzzer never makes a system call and never looks at a file.
//
// Properties: an accepted address printed in canonical form (SegmentRef::to_string) parses back
// to the same address, and its canonical form is stable; names and paths carry no NUL byte and
// a POSIX name obeys validate_posix_name; escape_bytes is printable-safe and unescape_bytes
// undoes it for any bytes; ftok_key hands the seam exactly the parsed path and project id and
// yields a key: address that round-trips; every rejection is one printable line.
#include "fuzz_common.hpp"

#include "shmkit/address.hpp"

#include <cerrno>
#include <cstring>

using namespace shmkit;
using namespace shmkit::fuzz;

namespace {

bool same_ref(const SegmentRef &a, const SegmentRef &b) {
  return a.kind == b.kind && a.by == b.by && a.number == b.number && a.text == b.text &&
         a.fd == b.fd;
}

// What the fake ftok was asked last.
std::string g_ftok_path;
int g_ftok_proj = -1;

// A stand-in for ftok(3) with its shape: the project id in the top byte, 24 bits from the file
// (here a hash of the path); some paths "do not exist", and for proj 255 one path gives the
// key 0xffffffff, which ftok(3) returns for a real file (-1 as key_t) without failing.
key_t fake_ftok(const char *path, int proj) {
  g_ftok_path = path;
  g_ftok_proj = proj;
  std::uint32_t h = 2166136261u;
  for (const char *p = path; *p != '\0'; ++p)
    h = (h ^ static_cast<unsigned char>(*p)) * 16777619u;
  if (h % 7 == 0) {
    errno = (h / 7) % 2 == 0 ? ENOENT : EACCES;
    return -1;
  }
  std::uint32_t low = h % 11 == 0 ? 0xffffffu : (h & 0xffffffu);
  return static_cast<key_t>((static_cast<std::uint32_t>(proj & 0xff) << 24) | low);
}

void check_accepted(const SegmentRef &ref, AddressUse use) {
  FUZZ_CHECK(ref.text.find('\0') == std::string::npos);
  switch (ref.by) {
  case SegmentRef::By::id:
    FUZZ_CHECK(ref.kind == Kind::sysv && ref.number <= 0x7fffffffu && ref.text.empty());
    break;
  case SegmentRef::By::key:
    FUZZ_CHECK(ref.kind == Kind::sysv && ref.number != 0 && ref.number <= 0xffffffffu);
    break;
  case SegmentRef::By::key_auto:
  case SegmentRef::By::key_private:
    FUZZ_CHECK(ref.kind == Kind::sysv && use == AddressUse::create);
    break;
  case SegmentRef::By::ftok:
    FUZZ_CHECK(ref.kind == Kind::sysv && ref.number >= 1 && ref.number <= 255 && !ref.text.empty());
    break;
  case SegmentRef::By::name:
    FUZZ_CHECK(ref.kind == Kind::posix && validate_posix_name(ref.text).has_value());
    break;
  case SegmentRef::By::path:
    FUZZ_CHECK(ref.kind == Kind::file && !ref.text.empty());
    break;
  case SegmentRef::By::memfd:
    FUZZ_CHECK(ref.kind == Kind::memfd && ref.number >= 1 && ref.number <= 0x7fffffffu &&
               ref.fd >= 0 && ref.text.empty());
    break;
  }
  // The canonical form parses back to the same address, and is its own canonical form.
  const std::string canonical = ref.to_string();
  auto again = parse_address(canonical, use);
  FUZZ_CHECK_MSG(again.has_value(), canonical + " -> " + (again ? "" : again.error().message));
  FUZZ_CHECK_MSG(same_ref(*again, ref), canonical);
  FUZZ_CHECK_MSG(again->to_string() == canonical, canonical);

  // ftok: the seam gets exactly the parsed path (no NUL cut it short) and project id.
  g_ftok_path.clear();
  g_ftok_proj = -1;
  auto keyed = ftok_key(ref, fake_ftok);
  if (ref.by != SegmentRef::By::ftok) {
    FUZZ_CHECK(g_ftok_proj == -1); // nothing else calls ftok
    FUZZ_CHECK(keyed && same_ref(*keyed, ref));
    return;
  }
  FUZZ_CHECK(g_ftok_path == ref.text && static_cast<std::uint64_t>(g_ftok_proj) == ref.number);
  if (!keyed) {
    FUZZ_CHECK_ERROR(keyed.error());
    FUZZ_CHECK(keyed.error().code == Errc::not_found ||
               keyed.error().code == Errc::permission_denied);
    return;
  }
  FUZZ_CHECK(keyed->by == SegmentRef::By::key && keyed->kind == Kind::sysv);
  FUZZ_CHECK(keyed->number ==
             static_cast<std::uint32_t>(fake_ftok(ref.text.c_str(), static_cast<int>(ref.number))));
  auto key_again = parse_address(keyed->to_string(), use);
  FUZZ_CHECK_MSG(key_again && same_ref(*key_again, *keyed), keyed->to_string());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  Input in(data, size);
  const AddressUse use = (in.byte() & 1) != 0 ? AddressUse::create : AddressUse::existing;
  const std::string_view text = in.rest();

  auto ref = parse_address(text, use);
  if (ref)
    check_accepted(*ref, use);
  else
    FUZZ_CHECK_ERROR(ref.error());

  // The escaping that ls prints and the grammar reads: safe to show, and reversible.
  const std::string shown = escape_bytes(text);
  FUZZ_CHECK_MSG(text.empty() || is_printable_line(shown), shown);
  FUZZ_CHECK(shown.find(' ') == std::string::npos);
  FUZZ_CHECK(unescape_bytes(shown) == text);
  return 0;
}
