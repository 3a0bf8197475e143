#!/usr/bin/env bash
# ls --pid (the reverse question: what a process maps or holds, of every kind) and
# ls --detail SEGMENT (every column, then one line per process), issue 10.
source "$(dirname "$0")/holders-lib.sh"
source "$(dirname "$0")/common.sh"

"$SHMKIT" create key:0x4243 --size 4096 >/dev/null
"$SHMKIT" create posix:one --size 4096 >/dev/null
"$SHMKIT" create posix:other --size 4096 >/dev/null
file=$TEST_TMP/one.bin
"$SHMKIT" create "file:$file" --size 4096 >/dev/null

start_holder a sysv:0x4243 shm:one "filero:$file"
a=$HOLDER_PID
start_holder b fd:other
b=$HOLDER_PID

# --pid of a process mapping one segment of each kind lists all three, with how it holds them.
out=$("$SHMKIT" ls --pid "$a" --raw --noheadings -o segment,type,pids)
expect_eq "$out" "id:0 sysv ${a}mw
posix:/one posix ${a}mwf
file:$file file ${a}mf" "ls --pid A"
# Without -o, PIDS joins the default columns.
"$SHMKIT" ls --pid "$b" --noheadings >"$TEST_TMP/out"
expect_eq "$(awk '{print $1, $NF}' "$TEST_TMP/out")" "posix:/other ${b}f" "ls --pid B"
out=$("$SHMKIT" ls --pid "$a,$b" --type posix --raw --noheadings -o segment,pids)
expect_eq "$out" "posix:/one ${a}mwf
posix:/other ${b}f" "ls --pid A,B --type posix"

# --detail: every column, one per line, then the processes. Times vary: checked apart.
"$SHMKIT" ls --detail posix:one --bytes >"$TEST_TMP/detail"
range=$(awk '$6 == "/dev/shm/one" {print $1; exit}' "/proc/$a/maps")
fds=$(python3 -c "import json,sys; print(','.join('fd:%d' % f for f in json.load(sys.stdin)['segments'][0]['pids'][0]['fds']))" \
  < <("$SHMKIT" ls -J -o pids posix:one))
# The process table is aligned: compared with runs of spaces squeezed.
expect_eq "$(grep -vE '^(ATIME|CTIME|MTIME|DTIME):' "$TEST_TMP/detail" | tr -s ' ' | sed 's/^ //')" \
  "SEGMENT: posix:/one
TYPE: posix
KEY: -
ID: -
NAME: /one
PERMS: rw-------
OWNER: root
GROUP: root
UID: 0
GID: 0
CUID: -
CGID: -
CUSER: -
CGROUP: -
SIZE: 4096
RSS: 0
SWAP: 0
ALLOC: 0
NATTCH: 1
CPID: -
LPID: -
PIDS: ${a}mwf
COMMAND: python3
STATUS: -
STATE: in-use
REASON: mapped,open
IPCNS: -
SHMDEV: $(stat -c %Hd:%Ld /dev/shm)
NSPID: -
NSCOMM: -
CONTAINER: -

PID COMMAND HOW RANGE PERMS
$a python3 map-w,$fds $range rw-s" "ls --detail"
for t in ATIME CTIME MTIME DTIME; do
  grep -q "^$t: " "$TEST_TMP/detail" || fail "--detail lacks $t"
done
# JSON: one object with every column and the processes with their mappings.
"$SHMKIT" ls --detail posix:one -J >"$TEST_TMP/json"
python3 - "$TEST_TMP/json" "$a" "$range" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a, (start, end) = int(sys.argv[2]), sys.argv[3].split("-")
assert d["segment"] == "posix:/one" and d["nattch"] == 1 and d["pids_partial"] is False, d
p = d["processes"]
assert len(p) == 1 and p[0]["pid"] == a and p[0]["mapped"] and p[0]["writable"], p
assert p[0]["mappings"] == [{"start": "0x" + start, "end": "0x" + end, "perms": "rw-s"}], p
PY
# A SysV segment nobody attaches: no process lines.
"$SHMKIT" create key:0x4244 --size 4096 >/dev/null
"$SHMKIT" ls --detail key:0x4244 >"$TEST_TMP/detail"
grep -q "^PIDS: -$" "$TEST_TMP/detail" || fail "unattached: PIDS not -"
grep -q "^PID " "$TEST_TMP/detail" && fail "unattached: process table"
# A segment that exists but that --type or --owner filters out: an error, not a silent 1.
expect_error 1 "--detail: the segment does not match --type or --owner" \
  "$SHMKIT" ls --detail key:0x4244 --type posix
expect_error 1 "--detail: the segment does not match --type or --owner" \
  "$SHMKIT" ls --detail key:0x4244 --owner nobody
echo "ok"
