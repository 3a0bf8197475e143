#!/usr/bin/env bash
# shellcheck disable=SC2016
# A segment in use (SysV attached; POSIX/file mapped or open) is refused with exit 1 and a
# message naming it and its users, unless --force. The message says how: SysV attaches (the
# kernel's nattch), or for POSIX/file the processes that map it (ls's NATTCH) and those that only
# hold it open (issue 8 defect 20). SysV removal of an attached segment only
# marks it: key 0 and perms with SHM_DEST (01000) in /proc/sysvipc/shm, "dest" in ipcs.
source "$(dirname "$0")/common.sh"

# wait_for CONDITION: evaluates the shell CONDITION until it holds (5 s at most). Callers
# single-quote it so that it is expanded on every try (hence SC2016 off).
wait_for() {
  local i
  for ((i = 0; i < 100; i++)); do
    eval "$1" && return 0
    sleep 0.05
  done
  fail "timed out waiting for: $1"
}

seg=$("$SHMKIT" create key:0x91 --size 100 --mode 640)
id=${seg#id:}
python3 -c '
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat(int(sys.argv[1]), None, 0)
time.sleep(60)' "$id" &
attacher=$!
on_exit "kill $attacher"
wait_for '[[ "$(sysv_field "$id" nattch)" == 1 ]]'

expect_error 1 "cannot remove $seg: in use (1 attach; use --force)" "$SHMKIT" rm "$seg"
expect_error 1 "cannot remove $seg: in use (1 attach; use --force)" "$SHMKIT" rm --all --yes
expect_error 1 "cannot remove $seg: in use (1 attach; use --force)" "$SHMKIT" rm -n "$seg"
expect_eq "$(sysv_field "$id" key) $(sysv_field "$id" perms)" "145 640" "still there, unmarked"

expect_status 0 "$SHMKIT" rm --force -v "$seg"
expect_eq "$(cat "$TEST_TMP/out")" "removed $seg" "forced"
# Marked, not gone: key 0, perms 1640 (SHM_DEST), "dest" in ipcs.
expect_eq "$(sysv_field "$id" key) $(sysv_field "$id" perms) $(sysv_field "$id" nattch)" \
  "0 1640 1" "marked for removal"
expect_eq "$(ipcs -m | awk -v id="$id" '$2 == id { print $1, $4, $7 }')" "0x00000000 640 dest" "ipcs"
# --all skips segments already marked; the key no longer finds it.
expect_status 0 "$SHMKIT" rm --all --yes --force
expect_eq "$(sysv_field "$id" nattch)" 1 "still attached"
expect_error 1 "no sysv segment with key 0x00000091" "$SHMKIT" rm key:0x91
kill "$attacher"
wait "$attacher" 2>/dev/null || true
wait_for '[[ "$(sysv_field "$id" key)" == "" ]]'

# POSIX held open, and a file mapped by two processes.
"$SHMKIT" create posix:/held --size 1 >/dev/null
"$SHMKIT" create "$TEST_TMP/f.bin" --size 4096 >/dev/null
(exec 3</dev/shm/held && exec sleep 60) &
holder=$!
on_exit "kill $holder"
map_file='
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 4096, prot=mmap.PROT_READ)
os.close(fd)
time.sleep(60)'
python3 -c "$map_file" "$TEST_TMP/f.bin" &
m1=$!
on_exit "kill $m1"
python3 -c "$map_file" "$TEST_TMP/f.bin" &
m2=$!
on_exit "kill $m2"
wait_for '[[ "$(readlink "/proc/$holder/fd/3" 2>/dev/null)" == /dev/shm/held ]]'
wait_for 'grep -q "$TEST_TMP/f.bin" "/proc/$m1/maps"'
wait_for 'grep -q "$TEST_TMP/f.bin" "/proc/$m2/maps"'

expect_status 1 "$SHMKIT" rm posix:/held "$TEST_TMP/f.bin"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: cannot remove posix:/held: in use (0 mapping, 1 holding it open; use --force)
shmkit: error: cannot remove file:$TEST_TMP/f.bin: in use (2 mapping, 0 holding it open; use --force)" \
  "refusals" # issue 8 defect 20
[[ -e /dev/shm/held && -e $TEST_TMP/f.bin ]] || fail "removed without --force"
expect_status 0 "$SHMKIT" rm -f posix:/held "$TEST_TMP/f.bin"
[[ ! -e /dev/shm/held && ! -e $TEST_TMP/f.bin ]] || fail "--force did not remove"
