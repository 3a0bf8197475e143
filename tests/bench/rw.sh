#!/usr/bin/env bash
# Benchmark of `shmkit read` and `shmkit write` against their peers, measured in the same run
# (cmd/README.md, where the time goes; targets from issue 3):
#   - read 1 GiB POSIX object into a pipe   vs  cat /dev/shm/OBJ into the same pipe  (<= 1)
#   - read 1 GiB SysV segment into a pipe   vs  the same cat of the equal POSIX object (<= 1)
#   - write 1 GiB from a pipe into an existing 1 GiB object  vs  cat > /dev/shm/OBJ   (<= 1)
#     (and the same into a SysV segment, against the same yardstick; no target)
#   - write 1 GiB from a regular file on stdin (streamed, no staging)  vs  cat > /dev/shm/OBJ
#     (<= 1, issue 9)
#   - format 64 MiB: --format=hexdump vs hexdump -C (<= 1/10), --format=xxd vs xxd (<= 1/2),
#     --format=hex vs xxd -p (no target)
# Writes from a pipe are staged in memory first (shmkit-write(1)), so they touch 1 GiB of fresh
# memory where cat reuses the pages it just freed. In a VM whose host backs guest memory lazily,
# fresh memory is slow to zero the first time: expect those two ratios to vary between runs.
# Runs in private IPC and mount namespaces with a private 3 GiB tmpfs on /dev/shm, so it never
# touches anybody else's segments. SHMKIT_BENCH_QUICK=1 is CI's smoke mode (small sizes, one
# run each, no verdicts, well under 30 s).
# Usage: SHMKIT=build/cmd/shmkit bash tests/bench/rw.sh
source "$(dirname "$0")/lib/preamble.sh"
enter_namespaces 3g -- "$@"

size=1G
hex_size=64M
runs=5
hex_runs=3
warmup=1
if [[ -n $quick ]]; then
  size=8M
  hex_size=1M
  runs=1
  hex_runs=1
  warmup=0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

need hyperfine
need python3
need hexdump
need xxd
need ipcmk

# Mean wall time (seconds) of each command, one hyperfine run for all of them.
measure() {
  local n=$1 json=$tmp/h.json
  shift
  hyperfine --style none --warmup "$warmup" --runs "$n" --export-json "$json" "$@" >/dev/null 2>&1
  python3 -c 'import json,sys; print(" ".join(str(r["mean"]) for r in json.load(open(sys.argv[1]))["results"]))' "$json"
}

info() { printf '  %-58s %8.3f  (no target)\n' "$1" "$2"; } # NAME VALUE
ms() { python3 -c "print(f'{$1 * 1000:.1f} ms')"; }
ratio() { python3 -c "print($1 / $2)"; }

echo "== shmkit read/write benchmark ($size objects, $hex_size hex views${quick:+, quick mode})"

head -c "$size" /dev/urandom >/dev/shm/src
head -c "$size" /dev/zero >/dev/shm/dst
bytes=$(stat -c %s /dev/shm/src)
id=$(ipcmk -M "$bytes" | awk '{ print $NF }')
"$SHMKIT" write "id:$id" </dev/shm/src
cmp <("$SHMKIT" read "id:$id") /dev/shm/src || { echo "bench/rw: SysV copy differs" >&2; exit 1; }

# --- reading into a pipe -------------------------------------------------------------------
read -r t_posix t_sysv t_cat < <(measure "$runs" \
  "$SHMKIT read posix:/src | cat >/dev/null" \
  "$SHMKIT read id:$id | cat >/dev/null" \
  "cat /dev/shm/src | cat >/dev/null")
echo "read $size into a pipe: shmkit posix $(ms "$t_posix"), shmkit sysv $(ms "$t_sysv"), cat $(ms "$t_cat")"
verdict "read posix / cat /dev/shm/OBJ (time, into a pipe)" "$(ratio "$t_posix" "$t_cat")" "<=" 1
verdict "read sysv / cat /dev/shm/OBJ (time, into a pipe)" "$(ratio "$t_sysv" "$t_cat")" "<=" 1

# --- writing from a pipe -------------------------------------------------------------------
read -r t_wposix t_wsysv t_wcat < <(measure "$runs" \
  "cat /dev/shm/src | $SHMKIT write posix:/dst" \
  "cat /dev/shm/src | $SHMKIT write id:$id" \
  "cat /dev/shm/src | cat >/dev/shm/dst")
echo "write $size from a pipe: shmkit posix $(ms "$t_wposix"), shmkit sysv $(ms "$t_wsysv"), cat > /dev/shm/OBJ $(ms "$t_wcat")"
verdict "write posix / cat > /dev/shm/OBJ (time, from a pipe)" "$(ratio "$t_wposix" "$t_wcat")" "<=" 1
info "write sysv / cat > /dev/shm/OBJ (time, from a pipe)" "$(ratio "$t_wsysv" "$t_wcat")"

# --- writing from a regular file (length known up front: bounds checked, then streamed) ----
read -r t_fposix t_fcat < <(measure "$runs" \
  "$SHMKIT write posix:/dst </dev/shm/src" \
  "cat </dev/shm/src >/dev/shm/dst")
echo "write $size from a regular file on stdin: shmkit posix $(ms "$t_fposix"), cat > /dev/shm/OBJ $(ms "$t_fcat")"
verdict "write posix / cat > /dev/shm/OBJ (time, from a regular file)" "$(ratio "$t_fposix" "$t_fcat")" "<=" 1
ipcrm -m "$id"
rm -f /dev/shm/dst

# --- hex views -----------------------------------------------------------------------------
head -c "$hex_size" /dev/shm/src >/dev/shm/hex
read -r t_hd t_hd_tool < <(measure "$hex_runs" \
  "$SHMKIT read posix:/hex --format=hexdump >/dev/null" "hexdump -C /dev/shm/hex >/dev/null")
read -r t_xxd t_xxd_tool t_plain t_plain_tool < <(measure "$runs" \
  "$SHMKIT read posix:/hex --format=xxd >/dev/null" "xxd /dev/shm/hex >/dev/null" \
  "$SHMKIT read posix:/hex --format=hex >/dev/null" "xxd -p /dev/shm/hex >/dev/null")
echo "format $hex_size: --format=hexdump $(ms "$t_hd") vs hexdump -C $(ms "$t_hd_tool");" \
  "--format=xxd $(ms "$t_xxd") vs xxd $(ms "$t_xxd_tool");" \
  "--format=hex $(ms "$t_plain") vs xxd -p $(ms "$t_plain_tool")"
verdict "read --format=hexdump / hexdump -C (time)" "$(ratio "$t_hd" "$t_hd_tool")" "<=" 0.1
verdict "read --format=xxd / xxd (time)" "$(ratio "$t_xxd" "$t_xxd_tool")" "<=" 0.5
info "read --format=hex / xxd -p (time)" "$(ratio "$t_plain" "$t_plain_tool")"
