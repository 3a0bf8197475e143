// Expected strings were captured from the real tools (util-linux 2.38.1 hexdump, xxd
// 2022-01-14, LC_ALL=C); the comment in each subcase is the command, run on a file holding
// the subcase's input: `empty`, `one` ("A"), `seventeen`, `all` (0x00..0xff), `rep` (runs()),
// `z32`/`z48` (zero bytes), `big` (a sparse 5 GiB file). tests/unit/hexfmt_vs_tools.sh diffs
// against the tools directly, over many more inputs, offsets and chunk sizes.
#include "shmkit/hexfmt.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using shmkit::HexFormatter;
using shmkit::HexStyle;
using shmkit::Squeeze;

namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> v;
  for (char c : s)
    v.push_back(static_cast<std::byte>(static_cast<unsigned char>(c)));
  return v;
}

std::vector<std::byte> iota_bytes(unsigned first, unsigned count) {
  std::vector<std::byte> v;
  for (unsigned i = 0; i < count; ++i)
    v.push_back(static_cast<std::byte>((first + i) & 0xff));
  return v;
}

std::vector<std::byte> zeros(std::size_t n) { return std::vector<std::byte>(n); }

// 3 lines of 'A', 2 of 'B', 3 of 'A', then "xyz": squeezes to line, *, line, *, line, *.
std::vector<std::byte> runs() {
  std::string s = std::string(48, 'A') + std::string(32, 'B') + std::string(48, 'A') + "xyz";
  return bytes_of(s);
}

// Formats `data` in one feed() (chunk 0) or in chunks of `chunk` bytes.
std::string format(HexStyle style, std::uint64_t start, Squeeze squeeze,
                   const std::vector<std::byte> &data, std::size_t chunk = 0) {
  HexFormatter f(style, start, squeeze);
  std::string out;
  if (chunk == 0) {
    f.feed(data, out);
  } else {
    for (std::size_t i = 0; i < data.size(); i += chunk)
      f.feed(std::span<const std::byte>(data).subspan(i, std::min(chunk, data.size() - i)), out);
  }
  f.finish(out);
  return out;
}

} // namespace

TEST_CASE("shmkit::HexFormatter hexdump") {
  SUBCASE("empty input from offset 0 prints nothing (hexdump -C /dev/null)") {
    // hexdump -C empty
    CHECK(format(HexStyle::hexdump, 0, Squeeze::yes, zeros(0)) == "");
  }
  SUBCASE("empty range at offset 17 prints only the end offset (hexdump -C -s 17)") {
    // hexdump -C -s 17 seventeen
    CHECK(format(HexStyle::hexdump, 17, Squeeze::yes, zeros(0)) ==
          R"--(00000011
)--");
  }
  SUBCASE("1 byte") {
    // hexdump -C one
    CHECK(format(HexStyle::hexdump, 0, Squeeze::yes, bytes_of("A")) ==
          R"--(00000000  41                                                |A|
00000001
)--");
  }
  SUBCASE("17 bytes") {
    // hexdump -C seventeen
    CHECK(format(HexStyle::hexdump, 0, Squeeze::yes, bytes_of("0123456789abcdefg")) ==
          R"--(00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|
00000010  67                                                |g|
00000011
)--");
  }
  SUBCASE("0x00..0xff") {
    // hexdump -C all
    CHECK(format(HexStyle::hexdump, 0, Squeeze::yes, iota_bytes(0, 256)) ==
          R"--(00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|
00000010  10 11 12 13 14 15 16 17  18 19 1a 1b 1c 1d 1e 1f  |................|
00000020  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  | !"#$%&'()*+,-./|
00000030  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f  |0123456789:;<=>?|
00000040  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|
00000050  50 51 52 53 54 55 56 57  58 59 5a 5b 5c 5d 5e 5f  |PQRSTUVWXYZ[\]^_|
00000060  60 61 62 63 64 65 66 67  68 69 6a 6b 6c 6d 6e 6f  |`abcdefghijklmno|
00000070  70 71 72 73 74 75 76 77  78 79 7a 7b 7c 7d 7e 7f  |pqrstuvwxyz{|}~.|
00000080  80 81 82 83 84 85 86 87  88 89 8a 8b 8c 8d 8e 8f  |................|
00000090  90 91 92 93 94 95 96 97  98 99 9a 9b 9c 9d 9e 9f  |................|
000000a0  a0 a1 a2 a3 a4 a5 a6 a7  a8 a9 aa ab ac ad ae af  |................|
000000b0  b0 b1 b2 b3 b4 b5 b6 b7  b8 b9 ba bb bc bd be bf  |................|
000000c0  c0 c1 c2 c3 c4 c5 c6 c7  c8 c9 ca cb cc cd ce cf  |................|
000000d0  d0 d1 d2 d3 d4 d5 d6 d7  d8 d9 da db dc dd de df  |................|
000000e0  e0 e1 e2 e3 e4 e5 e6 e7  e8 e9 ea eb ec ed ee ef  |................|
000000f0  f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  |................|
00000100
)--");
  }
  SUBCASE("runs of repeated lines are squeezed") {
    // hexdump -C rep
    CHECK(format(HexStyle::hexdump, 0, Squeeze::yes, runs()) ==
          R"--(00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
*
00000030  42 42 42 42 42 42 42 42  42 42 42 42 42 42 42 42  |BBBBBBBBBBBBBBBB|
*
00000050  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
*
00000080  78 79 7a                                          |xyz|
00000083
)--");
  }
  SUBCASE("-v prints every line") {
    // hexdump -Cv rep
    CHECK(format(HexStyle::hexdump, 0, Squeeze::no, runs()) ==
          R"--(00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
00000010  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
00000020  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
00000030  42 42 42 42 42 42 42 42  42 42 42 42 42 42 42 42  |BBBBBBBBBBBBBBBB|
00000040  42 42 42 42 42 42 42 42  42 42 42 42 42 42 42 42  |BBBBBBBBBBBBBBBB|
00000050  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
00000060  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
00000070  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|
00000080  78 79 7a                                          |xyz|
00000083
)--");
  }
  SUBCASE("a squeezed run at the end leaves only the end offset") {
    // hexdump -C z32
    CHECK(format(HexStyle::hexdump, 0, Squeeze::yes, zeros(32)) ==
          R"--(00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000020
)--");
  }
  SUBCASE("aligned start offset (-s 16)") {
    // hexdump -C -s 16 z48
    CHECK(format(HexStyle::hexdump, 16, Squeeze::yes, zeros(32)) ==
          R"--(00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000030
)--");
  }
  SUBCASE("unaligned start offset: lines start at S (-s 3)") {
    // hexdump -C -s 3 z48
    CHECK(format(HexStyle::hexdump, 3, Squeeze::yes, zeros(45)) ==
          R"--(00000003  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000023  00 00 00 00 00 00 00 00  00 00 00 00 00           |.............|
00000030
)--");
  }
  SUBCASE("unaligned start offset with -v") {
    // hexdump -Cv -s 3 z48
    CHECK(format(HexStyle::hexdump, 3, Squeeze::no, zeros(45)) ==
          R"--(00000003  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000013  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000023  00 00 00 00 00 00 00 00  00 00 00 00 00           |.............|
00000030
)--");
  }
  SUBCASE("-s 3 -n 20") {
    // hexdump -C -s 3 -n 20 all
    CHECK(format(HexStyle::hexdump, 3, Squeeze::yes, iota_bytes(3, 20)) ==
          R"--(00000003  03 04 05 06 07 08 09 0a  0b 0c 0d 0e 0f 10 11 12  |................|
00000013  13 14 15 16                                       |....|
00000017
)--");
  }
  SUBCASE("offsets past 4 GiB widen the offset column") {
    // hexdump -C -s $((0xfffffffb)) -n 20 big
    CHECK(format(HexStyle::hexdump, 0xfffffffb, Squeeze::yes, zeros(20)) ==
          R"--(fffffffb  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
10000000b  00 00 00 00                                       |....|
10000000f
)--");
  }
}

TEST_CASE("shmkit::HexFormatter xxd") {
  SUBCASE("empty input prints nothing") {
    // xxd empty
    CHECK(format(HexStyle::xxd, 0, Squeeze::yes, zeros(0)) == "");
  }
  SUBCASE("empty range at an offset prints nothing (xxd -s 17)") {
    // xxd -s 17 seventeen
    CHECK(format(HexStyle::xxd, 17, Squeeze::yes, zeros(0)) == "");
  }
  SUBCASE("1 byte") {
    // xxd one
    CHECK(format(HexStyle::xxd, 0, Squeeze::yes, bytes_of("A")) ==
          R"--(00000000: 41                                       A
)--");
  }
  SUBCASE("17 bytes") {
    // xxd seventeen
    CHECK(format(HexStyle::xxd, 0, Squeeze::yes, bytes_of("0123456789abcdefg")) ==
          R"--(00000000: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef
00000010: 67                                       g
)--");
  }
  SUBCASE("0x00..0xff") {
    // xxd all
    CHECK(format(HexStyle::xxd, 0, Squeeze::yes, iota_bytes(0, 256)) ==
          R"--(00000000: 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f  ................
00000010: 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f  ................
00000020: 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f   !"#$%&'()*+,-./
00000030: 3031 3233 3435 3637 3839 3a3b 3c3d 3e3f  0123456789:;<=>?
00000040: 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f  @ABCDEFGHIJKLMNO
00000050: 5051 5253 5455 5657 5859 5a5b 5c5d 5e5f  PQRSTUVWXYZ[\]^_
00000060: 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f  `abcdefghijklmno
00000070: 7071 7273 7475 7677 7879 7a7b 7c7d 7e7f  pqrstuvwxyz{|}~.
00000080: 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f  ................
00000090: 9091 9293 9495 9697 9899 9a9b 9c9d 9e9f  ................
000000a0: a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf  ................
000000b0: b0b1 b2b3 b4b5 b6b7 b8b9 babb bcbd bebf  ................
000000c0: c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf  ................
000000d0: d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd dedf  ................
000000e0: e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef  ................
000000f0: f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd feff  ................
)--");
  }
  SUBCASE("repeated lines are never squeezed") {
    // xxd rep
    CHECK(format(HexStyle::xxd, 0, Squeeze::yes, runs()) ==
          R"--(00000000: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA
00000010: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA
00000020: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA
00000030: 4242 4242 4242 4242 4242 4242 4242 4242  BBBBBBBBBBBBBBBB
00000040: 4242 4242 4242 4242 4242 4242 4242 4242  BBBBBBBBBBBBBBBB
00000050: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA
00000060: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA
00000070: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA
00000080: 7879 7a                                  xyz
)--");
  }
  SUBCASE("-s 3 -l 20") {
    // xxd -s 3 -l 20 all
    CHECK(format(HexStyle::xxd, 3, Squeeze::yes, iota_bytes(3, 20)) ==
          R"--(00000003: 0304 0506 0708 090a 0b0c 0d0e 0f10 1112  ................
00000013: 1314 1516                                ....
)--");
  }
  SUBCASE("offsets past 4 GiB widen the offset column") {
    // xxd -s $((0xfffffffb)) -l 20 big
    CHECK(format(HexStyle::xxd, 0xfffffffb, Squeeze::yes, zeros(20)) ==
          R"--(fffffffb: 0000 0000 0000 0000 0000 0000 0000 0000  ................
10000000b: 0000 0000                                ....
)--");
  }
}

TEST_CASE("shmkit::HexFormatter plain") {
  SUBCASE("empty input prints nothing") {
    // xxd -p empty
    CHECK(format(HexStyle::plain, 0, Squeeze::yes, zeros(0)) == "");
  }
  SUBCASE("1 byte") {
    // xxd -p one
    CHECK(format(HexStyle::plain, 0, Squeeze::yes, bytes_of("A")) ==
          R"--(41
)--");
  }
  SUBCASE("17 bytes") {
    // xxd -p seventeen
    CHECK(format(HexStyle::plain, 0, Squeeze::yes, bytes_of("0123456789abcdefg")) ==
          R"--(3031323334353637383961626364656667
)--");
  }
  SUBCASE("exactly 30 bytes make one line") {
    // head -c 30 all | xxd -p
    CHECK(format(HexStyle::plain, 0, Squeeze::yes, iota_bytes(0, 30)) ==
          R"--(000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d
)--");
  }
  SUBCASE("0x00..0xff") {
    // xxd -p all
    CHECK(format(HexStyle::plain, 0, Squeeze::yes, iota_bytes(0, 256)) ==
          R"--(000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d
1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b
3c3d3e3f404142434445464748494a4b4c4d4e4f50515253545556575859
5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374757677
78797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495
969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3
b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1
d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef
f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
)--");
  }
  SUBCASE("the start offset does not show (xxd -p -s 3 -l 40)") {
    // xxd -p -s 3 -l 40 all
    CHECK(format(HexStyle::plain, 3, Squeeze::yes, iota_bytes(3, 40)) ==
          R"--(030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
2122232425262728292a
)--");
  }
}
TEST_CASE("shmkit::HexFormatter chunked feeding") {
  // Deterministic data with runs of repeated lines and partial repeats, so that squeezing,
  // pending partial lines and the previous-line memory all cross chunk boundaries.
  std::vector<std::byte> data;
  std::uint32_t seed = 12345;
  for (int block = 0; block < 40; ++block) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t len = 1 + (seed >> 16) % 70;
    const auto kind = (seed >> 8) % 3;
    for (std::size_t i = 0; i < len; ++i) {
      seed = seed * 1103515245u + 12345u;
      data.push_back(kind == 0   ? std::byte{0}
                     : kind == 1 ? std::byte{0x41}
                                 : static_cast<std::byte>(seed >> 24));
    }
  }
  for (auto style : {HexStyle::hexdump, HexStyle::xxd, HexStyle::plain}) {
    for (auto squeeze : {Squeeze::yes, Squeeze::no}) {
      for (std::uint64_t start : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{0xfffffff0}}) {
        const std::string whole = format(style, start, squeeze, data);
        for (std::size_t chunk : {1, 2, 7, 15, 16, 17, 31, 64, 1000}) {
          CAPTURE(static_cast<int>(style));
          CAPTURE(static_cast<int>(squeeze));
          CAPTURE(start);
          CAPTURE(chunk);
          CHECK(format(style, start, squeeze, data, chunk) == whole);
        }
      }
    }
  }
  SUBCASE("empty feeds change nothing") {
    HexFormatter f(HexStyle::hexdump, 0, Squeeze::yes);
    std::string out;
    f.feed({}, out);
    f.feed(std::span<const std::byte>(data).first(10), out);
    f.feed({}, out);
    f.feed(std::span<const std::byte>(data).subspan(10), out);
    f.feed({}, out);
    f.finish(out);
    CHECK(out == format(HexStyle::hexdump, 0, Squeeze::yes, data));
  }
  SUBCASE("feed appends to what the buffer already holds") {
    HexFormatter f(HexStyle::plain, 0, Squeeze::yes);
    std::string out = "x";
    f.feed(bytes_of("AB"), out);
    f.finish(out);
    CHECK(out == "x4142\n");
  }
}

TEST_CASE("shmkit::HexFormatter::max_output_size") {
  // The worst case: no squeezing, 16-digit offsets, and the final partial line.
  const auto data = iota_bytes(0, 16 * 100 + 7);
  for (auto style : {HexStyle::hexdump, HexStyle::xxd, HexStyle::plain}) {
    CAPTURE(static_cast<int>(style));
    CHECK(format(style, 0xfffffffffff00000, Squeeze::no, data).size() <=
          HexFormatter::max_output_size(data.size()));
  }
}
