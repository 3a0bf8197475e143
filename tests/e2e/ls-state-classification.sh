#!/usr/bin/env bash
# shellcheck disable=SC2016
# issue 10: the STATE and REASON columns, in a private PID (and IPC) namespace, and
# `rm --all --orphaned` acting on exactly what STATE calls orphaned:
#   a live holder (in-use, attached), a dead creator (orphaned, creator-dead), a dead creator
#   whose pid a newer process got through ns_last_pid (creator-pid-reused), a creator alive with
#   nothing attached (idle, creator-alive), a segment marked for removal while attached (dest),
#   POSIX objects mapped, held open and unused; and nobody, who cannot read root's processes,
#   sees root's POSIX objects as unknown (cannot-read-proc).
source "$(dirname "$0")/common.sh"
[[ $$ -eq 1 ]] || skip "no private pid namespace"

wait_for() {
  local i
  for ((i = 0; i < 200; i++)); do
    eval "$1" && return 0
    sleep 0.05
  done
  fail "timed out waiting for: $1"
}

# python3 holder.py MODE ARG READY: create (shmget KEY, no attach), attach (shmat ID) or map
# (mmap /dev/shm/NAME, fd closed: mapped, not open), then touch READY and sleep.
cat >"$TEST_TMP/holder.py" <<'PY'
import ctypes, mmap, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
mode, arg, ready = sys.argv[1:4]
if mode == "create":
    assert libc.shmget(int(arg, 0), 1, 0o1600) >= 0
elif mode == "attach":
    assert libc.shmat(int(arg), None, 0) != ctypes.c_void_p(-1).value
else:  # mmap(2) itself: Python's mmap module keeps a dup of the fd open
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    fd = os.open("/dev/shm/" + arg, os.O_RDWR)
    assert libc.mmap(None, 4096, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0) \
        != ctypes.c_void_p(-1).value
    os.close(fd)
open(ready, "w").close()
time.sleep(120)
PY
hold() {
  python3 "$TEST_TMP/holder.py" "$1" "$2" "$TEST_TMP/$3.ready" &
  wait_for "[[ -e $TEST_TMP/$3.ready ]]"
}

attached=$("$SHMKIT" create key:0x10 --size 1)
hold attach "${attached#id:}" attached
dead=$("$SHMKIT" create key:0x11 --size 1)
reused=$("$SHMKIT" create key:0x12 --size 1)
hold create 0x13 alive
alive=id:$(awk 'NR > 1 && $1 == 19 { print $2 }' /proc/sysvipc/shm)
marked=$("$SHMKIT" create key:0x14 --size 1)
hold attach "${marked#id:}" marked
ipcrm -m "${marked#id:}"
"$SHMKIT" create posix:/lonely --size 1 >/dev/null
"$SHMKIT" create posix:/mapped --size 4096 >/dev/null
"$SHMKIT" create posix:/held --size 1 >/dev/null
hold map mapped mapped
(exec 3</dev/shm/held && exec sleep 120) &
holder=$!
wait_for 'has_open "$holder" /dev/shm/held'

# The creator of $reused exited; give its pid to a process started after the segment's ctime
# (in a later second: a start in the same second is no evidence of reuse). The start time is
# btime (whole seconds, rounded down) plus the ticks since boot, so it may read up to a second
# early: wait until two seconds after ctime.
creator=$(sysv_field "${reused#id:}" cpid)
ctime=$(sysv_field "${reused#id:}" ctime)
wait_for '(($(date +%s) > ctime + 1))'
echo $((creator - 1)) >/proc/sys/kernel/ns_last_pid
sleep 120 &
[[ $! -eq $creator ]] || skip "ns_last_pid did not give pid $creator back (got $!)"

# states GRACE CMD...: the STATE and REASON of every segment, with --grace GRACE unless empty.
states() {
  local grace=$1
  shift
  "$@" ls --raw --noheadings -o segment,state,reason ${grace:+--grace "$grace"}
}
expect_status 0 states 0s "$SHMKIT"
expect_eq "$(cat "$TEST_TMP/out")" "$attached in-use attached
$dead orphaned no-users,creator-dead
$reused orphaned no-users,creator-pid-reused
$alive idle no-users,creator-alive
$marked dest marked,attached
posix:/held in-use open
posix:/lonely orphaned no-users
posix:/mapped in-use mapped" "STATE and REASON, --grace 0s"
# The default grace period (1h, as rm --grace): the unused ones are recent.
expect_status 0 states '' "$SHMKIT"
expect_eq "$(cat "$TEST_TMP/out")" "$attached in-use attached
$dead idle no-users,creator-dead,recent
$reused idle no-users,creator-pid-reused,recent
$alive idle no-users,creator-alive,recent
$marked dest marked,attached
posix:/held in-use open
posix:/lonely idle no-users,recent
posix:/mapped in-use mapped" "STATE and REASON, default grace"
# JSON: STATE a string, REASON an array of strings.
"$SHMKIT" ls --json -o segment,state,reason --grace 0s "$marked" posix:/lonely >"$TEST_TMP/json"
expect_eq "$(python3 -c 'import json, sys
for s in json.load(open(sys.argv[1]))["segments"]: print(s["segment"], repr(s["state"]), s["reason"])' \
  "$TEST_TMP/json")" "$marked 'dest' ['marked', 'attached']
posix:/lonely 'orphaned' ['no-users']" "JSON"
expect_error 2 "--grace" "$SHMKIT" ls --grace 1y
expect_error 2 "--grace" "$SHMKIT" ls --grace ''

# nobody cannot read root's processes: absence of users is unproven for the POSIX objects.
# SysV needs no /proc scan (nattch is the kernel's count; kill(2) answers EPERM for a live
# creator, and every /proc/PID/stat is readable), so its states are the same.
if as_nobody true 2>/dev/null; then
  expect_status 0 states 0s as_nobody "$SHMKIT"
  expect_eq "$(cat "$TEST_TMP/out")" "$attached in-use attached
$dead orphaned no-users,creator-dead
$reused orphaned no-users,creator-pid-reused
$alive idle no-users,creator-alive
$marked dest marked,attached
posix:/held unknown no-users,cannot-read-proc
posix:/lonely unknown no-users,cannot-read-proc
posix:/mapped unknown no-users,cannot-read-proc" "as nobody"
  # ... and rm --orphaned never takes unknown ones.
  expect_status 0 as_nobody "$SHMKIT" rm --all --any-owner --type posix --orphaned --grace 0s -n
  expect_eq "$(cat "$TEST_TMP/out")" "" "nobody: no POSIX orphan"
  grep -qx "shmkit: warning: not orphaned: posix:/lonely is unknown (no-users,cannot-read-proc)" \
    "$TEST_TMP/err" || fail "nobody's dry run: $(cat "$TEST_TMP/err")"
fi

# --dry-run names each candidate with its STATE and REASON (the last two words), and says on
# stderr why each other one stays; a dest segment is never a candidate.
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0s --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$dead orphaned no-users,creator-dead
$reused orphaned no-users,creator-pid-reused
posix:/lonely orphaned no-users" "dry run"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: warning: not orphaned: $attached is in-use (attached)
shmkit: warning: not orphaned: $alive is idle (no-users,creator-alive)
shmkit: warning: not orphaned: posix:/held is in-use (open)
shmkit: warning: not orphaned: posix:/mapped is in-use (mapped)" "dry run reasons"

# The real run removes exactly the orphaned ones.
expect_status 0 "$SHMKIT" rm --all --orphaned --yes --grace 0s -v
expect_eq "$(cat "$TEST_TMP/out")" "removed $dead
removed $reused
removed posix:/lonely" "removed"
expect_eq "$(ipcs -m | awk '$1 ~ /^0x/ { print $1, $2 }')" "0x00000010 ${attached#id:}
0x00000013 ${alive#id:}
0x00000000 ${marked#id:}" "ipcs after rm"
expect_eq "$(ls -A /dev/shm)" $'held\nmapped' "/dev/shm after rm"
