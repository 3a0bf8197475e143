#!/usr/bin/env bash
# Benchmark of `shmkit read --layout` (issue 12): 1 MiB of 64-byte records (16,384 records of a
# struct with 12 leaves of mixed types) printed as JSON, against `xxd` of the same 1 MiB run in
# the same hyperfine session (the peer yardstick for "turn bytes into text"). Prints the input
# rate of read --layout --json (target: at least 50 MB/s of input) and the time ratio to xxd.
# Runs in a private mount namespace with its own tmpfs on /dev/shm. SHMKIT_BENCH_QUICK=1 is
# CI's smoke mode (one run, no verdict).
# Usage: SHMKIT=build/cmd/shmkit bash tests/bench/layout.sh
source "$(dirname "$0")/lib/preamble.sh"
enter_namespaces 64m -- "$@"

runs=10
warmup=2
[[ -z $quick ]] || { runs=1; warmup=0; }
need hyperfine
need python3
need xxd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/rec.h" <<'H'
#include <stdint.h>
struct rec {
  uint32_t magic;
  int32_t pid;
  uint64_t seq;
  double load;
  struct { uint16_t head, tail; } ring;
  uint8_t flags[4];
  char name[16];
  int64_t total;
};
H
"$SHMKIT" create posix:records --size 1M >/dev/null
python3 - <<'PY'
import os
data = bytes((i * 7 + i // 64) % 251 for i in range(1 << 20))
with open("/dev/shm/records", "r+b") as f:
    f.write(data)
PY
"$SHMKIT" read posix:records --layout @"$tmp/rec.h" --count 16384 --json | python3 -c \
  'import json,sys; d=json.load(sys.stdin); assert len(d) == 16384, len(d)'

hyperfine --style none --warmup "$warmup" --runs "$runs" --export-json "$tmp/h.json" \
  "$SHMKIT read posix:records --layout @$tmp/rec.h --count 16384 --json >/dev/null" \
  "xxd /dev/shm/records >/dev/null" >/dev/null 2>&1
python3 - "$tmp/h.json" "$quick" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
layout, xxd = r[0]["median"], r[1]["median"]
cpu = r[0]["user"] + r[0]["system"]
rate = (1 << 20) / layout / 1e6
cpu_rate = (1 << 20) / cpu / 1e6
print(f"bench/layout: read --layout --json of 1 MiB (16,384 x 64-byte records): "
      f"{layout * 1000:.1f} ms, {rate:.0f} MB/s of input ({cpu * 1000:.1f} ms of CPU: "
      f"{cpu_rate:.0f} MB/s); xxd of the same: {xxd * 1000:.1f} ms; "
      f"ratio to xxd {layout / xxd:.2f}")
if not sys.argv[2]:
    print(f"bench/layout: input rate >= 50 MB/s: {'yes' if rate >= 50 else 'NO'} (wall), "
          f"{'yes' if cpu_rate >= 50 else 'NO'} (CPU; wall time is noise on a loaded machine)")
PY
# Instructions (repeatable where wall time is not): shmkit against xxd over the same input.
if [[ -z $quick ]] && command -v valgrind >/dev/null; then
  ins() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    awk '/Collected/ { print $4 }'; }
  a=$(ins "$SHMKIT" read posix:records --layout @"$tmp/rec.h" --count 16384 --json)
  b=$(ins xxd /dev/shm/records)
  python3 -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); print(f'bench/layout: instructions: read --layout --json {a / 1e6:.0f} M, xxd {b / 1e6:.0f} M, ratio {a / b:.2f}')" "$a" "$b"
fi
