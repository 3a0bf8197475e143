#!/usr/bin/env bash
# Benchmark of the /proc scan behind ls PIDS, COMMAND and NATTCH (issue 10, performance):
# 500 processes, each mapping 4 segments of mixed kinds (a SysV segment, two POSIX objects,
# one of them also held open by an fd, and a file), measured in the same run against
#   - lsof -n filtered to shared memory (target: at most 1/5 of its time);
#   - cat /proc/*/maps, the text floor (target: at most 1.0x);
#   - peak RSS of ipcs -m (target: at most 2x).
# Runs in private IPC, mount and PID namespaces (a private tmpfs on /dev/shm, its own /proc),
# so it sees only its own processes and touches nobody else's segments.
# SHMKIT_BENCH_QUICK=1 is CI's smoke mode (20 processes, one run, no verdicts).
# Usage: SHMKIT=build/cmd/shmkit bash tests/bench/holders.sh
source "$(dirname "$0")/lib/preamble.sh"
enter_namespaces 256m pid -- "$@"

procs=500
segments=100 # of each kind, shared round-robin by the processes
runs=10
if [[ -n $quick ]]; then
  procs=20
  segments=5
  runs=1
fi
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

need hyperfine
need python3
need lsof
need cc

measure() {
  local json=$tmp/h.json
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$json" "$@" >/dev/null 2>&1
  python3 -c 'import json,sys; print(" ".join(str(r["mean"]) for r in json.load(open(sys.argv[1]))["results"]))' "$json"
}
peak_rss() {
  local i
  for i in 1 2 3; do
    /usr/bin/time -f %M bash -c "$1 >/dev/null 2>&1" 2>&1 >/dev/null | tail -n 1
  done | sort -n | sed -n 2p
}

echo "== shmkit holders benchmark ($procs processes x 4 segments${quick:+, quick mode})"

# A holder in C: a python process per holder would take 500 x 10 MB.
cat >"$tmp/holder.c" <<'C'
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <stdlib.h>
#include <unistd.h>
static void map(const char *path, int flags, int prot) {
  int fd = open(path, flags);
  if (fd < 0 || mmap(0, 4096, prot, MAP_SHARED, fd, 0) == MAP_FAILED)
    exit(1);
  if (flags == O_RDONLY)
    close(fd); /* the read-only ones are mapped only; the read-write one stays open too */
}
int main(int argc, char **argv) {
  if (argc != 5 || shmat(atoi(argv[1]), 0, 0) == (void *)-1)
    return 1;
  map(argv[2], O_RDWR, PROT_READ | PROT_WRITE);
  map(argv[3], O_RDONLY, PROT_READ);
  map(argv[4], O_RDONLY, PROT_READ);
  for (;;)
    pause();
}
C
cc -O2 -o "$tmp/holder" "$tmp/holder.c"

mkdir "$tmp/files"
shmids=()
for ((i = 0; i < segments; i++)); do
  shmids+=("$("$SHMKIT" create key:$((0x20000000 + i)) --size 4096 | sed 's/^id://')")
  "$SHMKIT" create "posix:bench_$i" --size 4096 >/dev/null
  "$SHMKIT" create "file:$tmp/files/f$i" --size 4096 >/dev/null
done
for ((i = 0; i < procs; i++)); do
  s=$((i % segments))
  "$tmp/holder" "${shmids[s]}" "/dev/shm/bench_$s" "/dev/shm/bench_$(((s + 1) % segments))" \
    "$tmp/files/f$s" &
  pids+=($!)
done
# Ready when every holder is attached.
for ((i = 0; i < 600; i++)); do
  n=$(grep -l SYSV /proc/[0-9]*/maps 2>/dev/null | wc -l)
  [[ $n -ge $procs ]] && break
  sleep 0.1
done
[[ $n -ge $procs ]] || { echo "bench/holders: only $n of $procs holders attached" >&2; exit 1; }
rows=$("$SHMKIT" ls -o segment,pids --raw --noheadings 2>/dev/null | wc -l)
[[ $rows -eq $((2 * segments)) ]] || { echo "bench/holders: shmkit listed $rows rows" >&2; exit 1; }

read -r t_shmkit t_nattch t_lsof t_cat < <(measure \
  "$SHMKIT ls -o +PIDS >/dev/null" \
  "$SHMKIT ls >/dev/null" \
  "lsof -n -w 2>/dev/null | grep -E '/dev/shm/|/SYSV' >/dev/null" \
  "cat /proc/[0-9]*/maps >/dev/null")
ms() { python3 -c "print('%.1f' % ($1 * 1000))"; }
echo "mean wall time: shmkit ls -o +PIDS $(ms "$t_shmkit") ms, shmkit ls (NATTCH) $(ms "$t_nattch") ms," \
  "lsof -n | grep shm $(ms "$t_lsof") ms, cat /proc/*/maps $(ms "$t_cat") ms"
verdict "shmkit ls -o +PIDS / lsof -n filtered (time)" "$(python3 -c "print($t_shmkit/$t_lsof)")" "<=" 0.2
verdict "shmkit ls -o +PIDS / cat /proc/*/maps (time)" "$(python3 -c "print($t_shmkit/$t_cat)")" "<=" 1.0
verdict "shmkit ls / cat /proc/*/maps (time)" "$(python3 -c "print($t_nattch/$t_cat)")" "<=" 1.0
# PROCMAP_QUERY (the default on Linux 6.11+) against the text of /proc/PID/maps.
read -r t_query t_text < <(measure "$SHMKIT ls -o +PIDS >/dev/null" \
  "SHMKIT_PROC_MAPS=text $SHMKIT ls -o +PIDS >/dev/null")
echo "mean wall time: shmkit ls -o +PIDS with PROCMAP_QUERY $(ms "$t_query") ms, with the maps text $(ms "$t_text") ms"
verdict "PROCMAP_QUERY / maps text (time)" "$(python3 -c "print($t_query/$t_text)")" "<=" 1.0
m_shmkit=$(peak_rss "$SHMKIT ls -o +PIDS")
m_ipcs=$(peak_rss "ipcs -m")
echo "peak RSS: shmkit ls -o +PIDS ${m_shmkit} KiB, ipcs -m ${m_ipcs} KiB"
verdict "shmkit ls -o +PIDS / ipcs -m (peak RSS)" "$(python3 -c "print($m_shmkit/$m_ipcs)")" "<=" 2
