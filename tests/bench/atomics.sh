#!/usr/bin/env bash
# Benchmark of the atomic operations of `shmkit write` (issue 12's performance target): one
# `write --type u64 --add 1` round trip (start, open, one fetch-add, print the previous value)
# against `write --type u64 5` (start, open, one plain write) on the same segment, measured in
# the same hyperfine run. Target: at most 1.2x. Both on a SysV segment and on a POSIX object;
# --cas (a swap that succeeds every time) and --atomic are shown for information.
# Runs in private IPC and mount namespaces with a private tmpfs on /dev/shm, so it never
# touches anybody else's segments. SHMKIT_BENCH_QUICK=1 is CI's smoke mode (few runs, no
# verdicts, a few seconds).
# Usage: SHMKIT=build/cmd/shmkit bash tests/bench/atomics.sh
source "$(dirname "$0")/lib/preamble.sh"
enter_namespaces 64m -- "$@"

runs=1000
warmup=50
if [[ -n $quick ]]; then
  runs=20
  warmup=2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

need hyperfine
need python3
need ipcmk

# Mean wall time (seconds) of each command, one hyperfine run for all of them.
measure() {
  local json=$tmp/h.json
  hyperfine --style none -N --warmup "$warmup" --runs "$runs" --export-json "$json" "$@" \
    >/dev/null 2>&1
  python3 -c 'import json,sys; print(" ".join(str(r["mean"]) for r in json.load(open(sys.argv[1]))["results"]))' "$json"
}

info() { printf '  %-58s %8.3f  (no target)\n' "$1" "$2"; } # NAME VALUE
us() { python3 -c "print(f'{$1 * 1e6:.0f} us')"; }
ratio() { python3 -c "print($1 / $2)"; }

echo "== shmkit write --add benchmark ($runs runs each${quick:+, quick mode})"

id=$(ipcmk -M 4096 | awk '{ print $NF }')
trap 'rm -rf "$tmp"; ipcrm -m "$id" 2>/dev/null || true' EXIT
truncate -s 4096 /dev/shm/counter

for seg in "id:$id" posix:/counter; do
  # The swap succeeds every time: the value at 8 stays 0 (cas 0 -> 0).
  read -r t_add t_plain t_cas t_atomic < <(measure \
    "$SHMKIT write $seg --type u64 --add 1" \
    "$SHMKIT write $seg --type u64 5" \
    "$SHMKIT write $seg -s 8 --type u64 --cas 0 0" \
    "$SHMKIT write $seg -s 16 --type u64 --atomic 5")
  echo "$seg: --add $(us "$t_add"), plain write $(us "$t_plain"), --cas $(us "$t_cas")," \
    "--atomic $(us "$t_atomic")"
  verdict "$seg: write --add / write --type u64 5 (time)" "$(ratio "$t_add" "$t_plain")" "<=" 1.2
  info "$seg: write --cas / write --type u64 5 (time)" "$(ratio "$t_cas" "$t_plain")"
done

# Wall times of ~1 ms vary with the machine's load; instructions counted by callgrind do not.
if command -v valgrind >/dev/null; then
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      awk '/Collected :/ { print $NF }'
  }
  for seg in "id:$id" posix:/counter; do
    i_add=$(instructions "$SHMKIT" write "$seg" --type u64 --add 1)
    i_plain=$(instructions "$SHMKIT" write "$seg" --type u64 5)
    echo "$seg: instructions --add $i_add, plain write $i_plain"
    info "$seg: write --add / write --type u64 5 (instructions)" "$(ratio "$i_add" "$i_plain")"
  done
fi
