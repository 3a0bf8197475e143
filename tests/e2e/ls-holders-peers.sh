#!/usr/bin/env bash
# ls PIDS and COMMAND against tools nobody here wrote (issue 10, which processes): for a SysV
# segment attached with ctypes shmat (read-write and read-only), a POSIX object mapped by
# multiprocessing.shared_memory, one only held open by an fd, and a file mapped read-only,
# PIDS equals what fuser -v, lsof and a direct /proc/*/maps scan report. fuser cannot name a
# SysV segment (it has no path), so SysV is checked against lsof and maps only.
source "$(dirname "$0")/holders-lib.sh"
source "$(dirname "$0")/common.sh"
command -v fuser >/dev/null || skip "no fuser"
command -v lsof >/dev/null || skip "no lsof"

"$SHMKIT" create key:0x4242 --size 4096 >/dev/null
"$SHMKIT" create posix:mapped --size 8192 >/dev/null
"$SHMKIT" create posix:held --size 4096 >/dev/null
file=$TEST_TMP/ring.bin
"$SHMKIT" create "file:$file" --size 4096 >/dev/null

start_holder a sysv:0x4242 shm:mapped "filero:$file"
a=$HOLDER_PID
start_holder b sysv:0x4242:ro fd:held
b=$HOLDER_PID

out=$("$SHMKIT" ls -a --raw --noheadings -o segment,nattch,pids,command posix:mapped posix:held \
  key:0x4242 "file:$file")
# Python's mmap keeps its own dup of the fd, so a mapping process also holds it open (f).
expect_eq "$out" "posix:/mapped 1 ${a}mwf python3
posix:/held 0 ${b}f python3
id:0 2 ${a}mw,${b}m python3
file:$file 1 ${a}mf python3" "ls PIDS"

# The floor: /proc/*/maps.
shm_dev=$(hex_dev /dev/shm/mapped)
expect_eq "$(maps_pids "$shm_dev" "$(stat -c %i /dev/shm/mapped)")" "$a" "maps: posix:/mapped"
expect_eq "$(maps_pids "$shm_dev" "$(stat -c %i /dev/shm/held)")" "" "maps: posix:/held"
expect_eq "$(maps_pids "$(hex_dev "$file")" "$(stat -c %i "$file")")" "$a" "maps: the file"
sysv=$(awk '$6 == "/SYSV00004242" && $5 == 0 {split(FILENAME, p, "/"); print p[3]}' \
  /proc/[0-9]*/maps 2>/dev/null | sort -nu | paste -sd, -)
expect_eq "$sysv" "$a,$b" "maps: the SysV segment"

# fuser -v: m for a mapping, f/F for an open fd.
expect_eq "$(fuser_pids /dev/shm/mapped)" "$a:Fm" "fuser: posix:/mapped"
expect_eq "$(fuser_pids /dev/shm/held)" "$b:f" "fuser: posix:/held"
expect_eq "$(fuser_pids "$file")" "$a:fm" "fuser: the file"

# lsof: the same pids.
expect_eq "$(lsof_pids '^/dev/shm/mapped$')" "$a" "lsof: posix:/mapped"
expect_eq "$(lsof_pids '^/dev/shm/held$')" "$b" "lsof: posix:/held"
expect_eq "$(lsof_pids "^${file//./\\.}\$")" "$a" "lsof: the file"
expect_eq "$(lsof_pids '^/SYSV00004242$')" "$a,$b" "lsof: the SysV segment"

# JSON: an array of objects, plus pids_partial; every process here is readable.
"$SHMKIT" ls -J -o segment,pids,command key:0x4242 posix:held >"$TEST_TMP/json"
python3 - "$TEST_TMP/json" "$a" "$b" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["segments"]
a, b = int(sys.argv[2]), int(sys.argv[3])
assert rows[0]["pids"] == [
    {"pid": a, "command": "python3", "mapped": True, "writable": True, "fds": []},
    {"pid": b, "command": "python3", "mapped": True, "writable": False, "fds": []}], rows[0]
assert rows[0]["pids_partial"] is False and rows[0]["command"] == ["python3"], rows[0]
held = rows[1]["pids"]
assert len(held) == 1 and held[0]["pid"] == b and not held[0]["mapped"], held
assert len(held[0]["fds"]) == 1, held
PY
[[ ! -s $TEST_TMP/err ]] || true
# No process is unreadable here: no warning.
"$SHMKIT" ls -o +pids >/dev/null 2>"$TEST_TMP/warn"
expect_eq "$(cat "$TEST_TMP/warn")" "" "no warning as root in our own pid namespace"
echo "ok"
