#!/usr/bin/env bash
# Benchmark of `shmkit ls` against its peers, measured in the same run (cmd/README.md, where the time goes):
#   - 30,000 SysV segments: shmkit ls --type sysv (shmctl(SHM_STAT_ANY)) vs ipcs -m (wall
#     time, peak RSS) and vs cat /proc/sysvipc/shm (the kernel's floor); with -o +rss,swap
#     (read from /proc/sysvipc/shm) vs cat;
#   - 30,000 POSIX objects: shmkit ls --type posix vs ls -ln /dev/shm (wall time, peak RSS);
#   - an empty system: instructions (callgrind) of shmkit ls vs ipcs -m.
# Runs in private IPC and mount namespaces with a private tmpfs, so it never touches anybody
# else's segments. SHMKIT_BENCH_QUICK=1 is CI's smoke mode (small counts, one run, no verdicts).
# Usage: SHMKIT=build/cmd/shmkit bash tests/bench/ls.sh
source "$(dirname "$0")/lib/preamble.sh"
enter_namespaces 1g -- "$@"

count=30000
runs=10
rounds=3
if [[ -n $quick ]]; then
  count=300
  runs=2
  rounds=1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

need hyperfine
need python3

# Median wall time (seconds) of each command over `rounds` hyperfine runs of all of them. The
# median, in rounds: hyperfine runs one command after the other, so a burst of other jobs on a
# shared machine would land on one command only and skew a single mean. Their mean CPU time
# (user + system) goes to $tmp/cpu, in the same order.
measure() {
  local r
  for ((r = 0; r < rounds; r++)); do
    hyperfine --style none --warmup 2 --runs "$runs" --export-json "$tmp/h$r.json" "$@" >/dev/null 2>&1
  done
  python3 -c 'import json, statistics, sys
rounds = [json.load(open(f))["results"] for f in sys.argv[2:]]
cpu = [statistics.mean(rs[i]["user"] + rs[i]["system"] for rs in rounds) for i in range(len(rounds[0]))]
wall = [statistics.median(t for rs in rounds for t in rs[i]["times"]) for i in range(len(rounds[0]))]
open(sys.argv[1], "w").write(" ".join(map(str, cpu)) + "\n")
print(" ".join(map(str, wall)))' "$tmp/cpu" "$tmp"/h[0-9]*.json
  rm -f "$tmp"/h[0-9]*.json
}

# Peak RSS (KiB) of a command: the median of three runs.
peak_rss() {
  local i
  for i in 1 2 3; do
    /usr/bin/time -f %M bash -c "$1 >/dev/null" 2>&1 >/dev/null | tail -n 1
  done | sort -n | sed -n 2p
}


echo "== shmkit ls benchmark ($count segments per kind${quick:+, quick mode})"

# --- empty system: instruction counts -----------------------------------------------------
if command -v valgrind >/dev/null; then
  instr() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      grep -oE 'Collected : [0-9]+' | grep -oE '[0-9]+'
  }
  a=$(instr "$SHMKIT" ls)
  b=$(instr ipcs -m)
  c=$(instr "$SHMKIT" ls --json -o segment,size)
  echo "empty system, instructions (callgrind): shmkit ls $a, ipcs -m $b, shmkit ls --json -o segment,size $c"
  verdict "shmkit ls / ipcs -m (instructions)" "$(python3 -c "print($a/$b)")" "<=" 1.2
  verdict "shmkit ls --json -o segment,size / ipcs -m (instructions)" "$(python3 -c "print($c/$b)")" "<=" 1.2
fi

# --- SysV ------------------------------------------------------------------------------
echo 32768 >/proc/sys/kernel/shmmni
python3 - "$count" <<'PY'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
for i in range(int(sys.argv[1])):
    if libc.shmget(0x10000000 + i, 4096 + i, 0o1000 | 0o600) < 0:
        raise SystemExit(f"shmget failed at {i}: errno {ctypes.get_errno()}")
PY
rows=$("$SHMKIT" ls --type sysv --noheadings --raw -o segment | wc -l)
[[ $rows -eq $count ]] || { echo "bench/ls: shmkit listed $rows of $count SysV segments" >&2; exit 1; }
# Without RSS or SWAP the listing reads shmctl(SHM_STAT_ANY); with them, /proc/sysvipc/shm.
read -r t_shmkit t_ipcs t_cat t_rss < <(measure \
  "$SHMKIT ls --type sysv >/dev/null" "ipcs -m >/dev/null" "cat /proc/sysvipc/shm >/dev/null" \
  "$SHMKIT ls --type sysv -o +rss,swap >/dev/null")
read -r c_shmkit c_ipcs c_cat c_rss <"$tmp/cpu"
printf '%d SysV segments, median wall time: shmkit ls --type sysv %.1f ms, ipcs -m %.1f ms, cat /proc/sysvipc/shm %.1f ms, shmkit ls --type sysv -o +rss,swap %.1f ms\n' \
  "$count" "$(python3 -c "print($t_shmkit*1000)")" "$(python3 -c "print($t_ipcs*1000)")" \
  "$(python3 -c "print($t_cat*1000)")" "$(python3 -c "print($t_rss*1000)")"
printf '  mean CPU time (user+system): %.1f ms, %.1f ms, %.1f ms, %.1f ms; shmkit ls --type sysv / cat: %.3f\n' \
  "$(python3 -c "print($c_shmkit*1000)")" "$(python3 -c "print($c_ipcs*1000)")" \
  "$(python3 -c "print($c_cat*1000)")" "$(python3 -c "print($c_rss*1000)")" \
  "$(python3 -c "print($c_shmkit/$c_cat)")"
verdict "shmkit ls --type sysv / ipcs -m (time)" "$(python3 -c "print($t_shmkit/$t_ipcs)")" "<=" 0.3334
verdict "shmkit ls --type sysv / cat /proc/sysvipc/shm (time)" "$(python3 -c "print($t_shmkit/$t_cat)")" "<=" 1.0
verdict "shmkit ls --type sysv -o +rss,swap / cat /proc/sysvipc/shm (time)" "$(python3 -c "print($t_rss/$t_cat)")" "<=" 1.5
m_shmkit=$(peak_rss "$SHMKIT ls --type sysv")
m_ipcs=$(peak_rss "ipcs -m")
echo "peak RSS: shmkit ${m_shmkit} KiB, ipcs -m ${m_ipcs} KiB"
verdict "shmkit ls --type sysv / ipcs -m (peak RSS)" "$(python3 -c "print($m_shmkit/$m_ipcs)")" "<=" 2
python3 - "$count" <<'PY'
import ctypes, sys
libc = ctypes.CDLL(None)
for i in range(int(sys.argv[1])):
    shmid = libc.shmget(0x10000000 + i, 0, 0)
    if shmid >= 0:
        libc.shmctl(shmid, 0, None)
PY

# --- POSIX ------------------------------------------------------------------------------
python3 - "$count" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    fd = os.open(f"/dev/shm/bench_{i:06d}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.ftruncate(fd, 4096)
    os.close(fd)
PY
read -r t_shmkit t_ls < <(measure "$SHMKIT ls --type posix >/dev/null" "ls -ln /dev/shm >/dev/null")
read -r c_shmkit c_ls <"$tmp/cpu"
printf '%d POSIX objects, median wall time: shmkit ls --type posix %.1f ms, ls -ln /dev/shm %.1f ms (mean CPU time %.1f ms, %.1f ms)\n' \
  "$count" "$(python3 -c "print($t_shmkit*1000)")" "$(python3 -c "print($t_ls*1000)")" \
  "$(python3 -c "print($c_shmkit*1000)")" "$(python3 -c "print($c_ls*1000)")"
verdict "shmkit ls --type posix / ls -ln /dev/shm (time)" "$(python3 -c "print($t_shmkit/$t_ls)")" "<=" 0.5
# The POSIX rows stream: /proc is scanned on the first row that needs it (NATTCH), then the
# directory is read row by row, with no SegmentInfo kept (issue 10).
m_shmkit=$(peak_rss "$SHMKIT ls --type posix")
m_ls=$(peak_rss "ls -ln /dev/shm")
echo "peak RSS: shmkit ls --type posix ${m_shmkit} KiB, ls -ln /dev/shm ${m_ls} KiB"
verdict "shmkit ls --type posix / ls -ln /dev/shm (peak RSS)" "$(python3 -c "print($m_shmkit/$m_ls)")" "<=" 1.2
