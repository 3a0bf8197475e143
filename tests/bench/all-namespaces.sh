#!/usr/bin/env bash
# Benchmark of ls --all-namespaces (issue 11, performance): 50 IPC namespaces, each with its
# own tmpfs on /dev/shm, one SysV segment and one POSIX object, and 1,000 processes (sleepers
# spread over the namespaces), measured in the same run against
#   - one `shmkit ls -o +PIDS` over the same processes (target: ls -A at most 2x its time);
#   - the peer: a loop of `nsenter -t PID -i -m shmkit ls`, one per namespace.
# Runs in private IPC, mount and PID namespaces (its own /proc), so it sees only its own
# processes and touches nobody else's segments; every process it starts is killed by its pid.
# SHMKIT_BENCH_QUICK=1 is CI's smoke mode (5 namespaces, 20 processes, one run, no verdicts).
# Usage: SHMKIT=build/cmd/shmkit bash tests/bench/all-namespaces.sh
source "$(dirname "$0")/lib/preamble.sh"
enter_namespaces 64m pid -- "$@"

namespaces=50
per_namespace=20 # processes in each: its first one plus sleepers
runs=10
if [[ -n $quick ]]; then
  namespaces=5
  per_namespace=4
  runs=1
fi
tmp=$(mktemp -d)
firsts=()
cleanup() {
  local f pids=("${firsts[@]}")
  for f in "$tmp"/pids.*; do
    [[ -e $f ]] && mapfile -t -O "${#pids[@]}" pids <"$f"
  done
  [[ ${#pids[@]} -eq 0 ]] || kill -9 "${pids[@]}" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

need hyperfine
need python3
need nsenter
need ipcmk

measure() {
  local json=$tmp/h.json
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$json" "$@" >/dev/null 2>&1
  python3 -c 'import json,sys; print(" ".join(str(r["mean"]) for r in json.load(open(sys.argv[1]))["results"]))' "$json"
}

echo "== shmkit ls --all-namespaces benchmark ($namespaces namespaces, $((namespaces * per_namespace)) processes${quick:+, quick mode})"

# Our own namespaces hold one of each too, so that `ls -o +PIDS` has rows and scans /proc.
"$SHMKIT" create key:0x7e5d0001 --size 4096 >/dev/null
"$SHMKIT" create posix:own_obj --size 4096 >/dev/null

# One namespace: its own IPC namespace and /dev/shm, a SysV segment (ipcmk) and a POSIX
# object, its sleepers' pids in $tmp/pids.N, then "ready".
for ((n = 0; n < namespaces; n++)); do
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare --ipc --mount --propagation private -- bash -c '
    mount -t tmpfs -o size=1m "bench-ns-$1" /dev/shm
    ipcmk -M 4096 >/dev/null
    "$SHMKIT" create "posix:obj_$1" --size 4096 >/dev/null
    for ((i = 1; i < $3; i++)); do
      sleep 100000 &
      echo $! >>"$2/pids.$1"
    done
    echo ready >"$2/ready.$1"
    exec sleep 100000' bash "$n" "$tmp" "$per_namespace" &
  firsts+=($!)
  disown "$!" # killed at exit without a "Killed" line
done
for ((n = 0; n < namespaces; n++)); do
  for ((i = 0; i < 600; i++)); do
    [[ -e $tmp/ready.$n ]] && break
    sleep 0.05
  done
  [[ -e $tmp/ready.$n ]] || { echo "bench/all-namespaces: namespace $n not ready" >&2; exit 1; }
done
rows=$("$SHMKIT" ls -A --noheadings --raw -o SEGMENT 2>/dev/null | wc -l)
[[ $rows -eq $((2 * namespaces + 2)) ]] || { echo "bench/all-namespaces: ls -A listed $rows rows" >&2; exit 1; }

loop=$tmp/loop.sh
{
  echo 'set -e'
  for p in "${firsts[@]}"; do
    echo "nsenter -t $p -i -m -- \"\$SHMKIT\" ls >/dev/null"
  done
} >"$loop"

read -r t_all t_all_pids t_pids t_loop < <(measure \
  "$SHMKIT ls -A >/dev/null" \
  "$SHMKIT ls -A -o +PIDS >/dev/null" \
  "$SHMKIT ls -o +PIDS >/dev/null" \
  "bash $loop")
ms() { python3 -c "print('%.1f' % ($1 * 1000))"; }
echo "mean wall time: shmkit ls -A $(ms "$t_all") ms, shmkit ls -A -o +PIDS $(ms "$t_all_pids") ms," \
  "shmkit ls -o +PIDS $(ms "$t_pids") ms," \
  "nsenter -t PID -i -m shmkit ls x $namespaces $(ms "$t_loop") ms"
verdict "shmkit ls -A / shmkit ls -o +PIDS (time)" "$(python3 -c "print($t_all/$t_pids)")" "<=" 2
verdict "shmkit ls -A -o +PIDS / shmkit ls -o +PIDS (time)" "$(python3 -c "print($t_all_pids/$t_pids)")" "<=" 2
verdict "shmkit ls -A / nsenter loop (time)" "$(python3 -c "print($t_all/$t_loop)")" "<=" 1
