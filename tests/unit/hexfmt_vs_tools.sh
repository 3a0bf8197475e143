#!/usr/bin/env bash
# Diffs shmkit's HexFormatter against the real `hexdump -C`, `xxd` and `xxd -p` on generated
# inputs, offsets and lengths, fed in several chunk sizes. A developer tool, not a ctest:
# it compiles a tiny driver over lib/shmkit/hexfmt.cpp with $CXX (default g++).
#   usage: tests/unit/hexfmt_vs_tools.sh        exit 0 when every case is byte-identical
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in hexdump xxd "${CXX:-g++}"; do
  command -v "$tool" >/dev/null || { echo "hexfmt_vs_tools: $tool not found" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

cat >"$tmp/driver.cpp" <<'EOF'
// driver STYLE(hexdump|hexdump-v|xxd|plain) OFFSET LENGTH(-1 = to the end) CHUNK FILE
#include "shmkit/hexfmt.hpp"
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
int main(int argc, char **argv) {
  if (argc != 6) return 2;
  std::string style = argv[1];
  unsigned long long off = std::strtoull(argv[2], nullptr, 0);
  long long len = std::strtoll(argv[3], nullptr, 0);
  std::size_t chunk = std::strtoull(argv[4], nullptr, 0);
  FILE *f = std::fopen(argv[5], "rb");
  if (!f || fseeko(f, static_cast<off_t>(off), SEEK_SET) != 0) return 1;
  using shmkit::HexStyle;
  HexStyle hs = style == "xxd" ? HexStyle::xxd : style == "plain" ? HexStyle::plain
                                                                  : HexStyle::hexdump;
  shmkit::HexFormatter fmt(hs, off, style == "hexdump-v" ? shmkit::Squeeze::no
                                                         : shmkit::Squeeze::yes);
  std::vector<std::byte> buf(chunk);
  std::string out;
  for (;;) {
    std::size_t want = chunk;
    if (len >= 0 && static_cast<unsigned long long>(len) < want) want = static_cast<std::size_t>(len);
    if (want == 0) break;
    std::size_t n = std::fread(buf.data(), 1, want, f);
    if (n == 0) break;
    if (len >= 0) len -= static_cast<long long>(n);
    out.clear();
    fmt.feed({buf.data(), n}, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  out.clear();
  fmt.finish(out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
EOF
"${CXX:-g++}" -std=c++20 -O2 -Wall -Wextra -I"$root/lib" "$tmp/driver.cpp" \
  "$root/lib/shmkit/hexfmt.cpp" -o "$tmp/driver"

# Inputs: empty, short, every byte value, runs of repeated lines, random, text.
: >"$tmp/empty"
printf 'A' >"$tmp/one"
printf '0123456789abcdefg' >"$tmp/seventeen"
python3 - "$tmp" <<'EOF'
import os
import random
import sys
d = sys.argv[1]
random.seed(7)
a, b = b'A' * 16, b'B' * 16
files = {
    'all': bytes(range(256)),
    'zeros': bytes(100),
    'zeros32': bytes(32),
    'repeats': a * 3 + b * 2 + a * 3 + b'xyz',
    'repeats2': a * 2 + b + a * 2,
    'mixed': (bytes(64) + bytes(range(40)) + bytes(80) + b'tail') * 20,
    'random': bytes(random.getrandbits(8) for _ in range(5000)),
    'text': b'hello world\n' * 300 + b'\x00\xff\x7f\x80 ~',
}
for name, data in files.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
EOF

fail=0
cases=0
check() { # name expected-command... -- driver-args...
  local name=$1; shift
  local -a want=() got=()
  while [[ $1 != -- ]]; do want+=("$1"); shift; done
  shift
  got=("$@")
  "${want[@]}" >"$tmp/want" 2>&1 || true
  for chunk in 1 7 16 4096; do
    cases=$((cases + 1))
    "$tmp/driver" "${got[0]}" "${got[1]}" "${got[2]}" "$chunk" "${got[3]}" >"$tmp/got"
    if ! cmp -s "$tmp/want" "$tmp/got"; then
      echo "FAIL $name (chunk $chunk): ${want[*]}"
      diff "$tmp/want" "$tmp/got" | head -10 || true
      fail=1
    fi
  done
}

for f in empty one seventeen all zeros zeros32 repeats repeats2 mixed random text; do
  p=$tmp/$f
  size=$(stat -c %s "$p")
  for s in 0 1 3 16 17 $((size / 2)) "$size"; do
    ((s <= size)) || continue
    check "$f -s $s" hexdump -C -s "$s" "$p" -- hexdump "$s" -1 "$p"
    check "$f -s $s -v" hexdump -Cv -s "$s" "$p" -- hexdump-v "$s" -1 "$p"
    check "$f xxd -s $s" xxd -s "$s" "$p" -- xxd "$s" -1 "$p"
    check "$f xxd -p -s $s" xxd -p -s "$s" "$p" -- plain "$s" -1 "$p"
    for n in 1 15 16 33 100; do
      ((s + n <= size)) || continue
      check "$f -s $s -n $n" hexdump -C -s "$s" -n "$n" "$p" -- hexdump "$s" "$n" "$p"
      check "$f xxd -s $s -l $n" xxd -s "$s" -l "$n" "$p" -- xxd "$s" "$n" "$p"
      check "$f xxd -p -s $s -l $n" xxd -p -s "$s" -l "$n" "$p" -- plain "$s" "$n" "$p"
    done
  done
done

# Offsets past 4 GiB widen the offset column (sparse file; skipped where unsupported).
big=$tmp/big
if truncate -s 5G "$big" 2>/dev/null &&
  printf 'hello' | dd of="$big" bs=1 seek=$((5 * 1024 * 1024 * 1024 - 3)) conv=notrunc \
    status=none; then
  for s in $((0xffffffff - 4)) $((5 * 1024 * 1024 * 1024 - 40)); do
    check "big -s $s" hexdump -C -s "$s" -n 60 "$big" -- hexdump "$s" 60 "$big"
    check "big xxd -s $s" xxd -s "$s" -l 60 "$big" -- xxd "$s" 60 "$big"
  done
  check "big tail" hexdump -C -s $((5 * 1024 * 1024 * 1024 - 20)) "$big" -- \
    hexdump $((5 * 1024 * 1024 * 1024 - 20)) -1 "$big"
fi

if ((fail)); then
  echo "hexfmt_vs_tools: FAILED"
  exit 1
fi
echo "hexfmt_vs_tools: $cases cases identical"
