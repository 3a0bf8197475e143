#!/usr/bin/env bash
# shellcheck disable=SC2016
# --orphaned: a SysV segment with nattch 0 whose creator is gone; a POSIX object no process
# maps or holds open. Attached, mapped, open, or created by a live process: kept. All of these
# segments are fresh, so the grace period is off (--grace 0s; rm-orphaned-grace.sh tests it).
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

py_sysv='
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
if sys.argv[1] == "create":
    libc.shmget(int(sys.argv[2], 0), 1, 0o1600)  # IPC_CREAT | 0600
else:
    libc.shmat(int(sys.argv[2]), None, 0)
time.sleep(60)'

# SysV: orphan (shmkit exited), creator alive, attached.
orphan=$("$SHMKIT" create key:0x81 --size 1)
python3 -c "$py_sysv" create 0x82 &
creator=$!
on_exit "kill $creator"
attached=$("$SHMKIT" create key:0x83 --size 1)
python3 -c "$py_sysv" attach "${attached#id:}" &
attacher=$!
on_exit "kill $attacher"
wait_for 'grep -q "^ *130 " /proc/sysvipc/shm'
wait_for '[[ "$(sysv_field "${attached#id:}" nattch)" == 1 ]]'
alive=id:$(awk 'NR > 1 && $1 == 130 { print $2 }' /proc/sysvipc/shm)

# POSIX: unused, held open by a shell fd, mapped (fd closed).
"$SHMKIT" create posix:/unused --size 1 >/dev/null
"$SHMKIT" create posix:/held --size 1 >/dev/null
"$SHMKIT" create posix:/mapped --size 4096 >/dev/null
(exec 3</dev/shm/held && exec sleep 60) &
holder=$!
on_exit "kill $holder"
python3 -c '
import mmap, os, sys, time
fd = os.open("/dev/shm/mapped", os.O_RDWR)
m = mmap.mmap(fd, 4096)
os.close(fd)
open(sys.argv[1], "w").close()
time.sleep(60)' "$TEST_TMP/mapped.ready" &
mapper=$!
on_exit "kill $mapper"
wait_for '[[ "$(readlink "/proc/$holder/fd/3" 2>/dev/null)" == /dev/shm/held ]]'
wait_for '[[ -e $TEST_TMP/mapped.ready ]]'

expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0s --dry-run
# issue 10: a dry run of --orphaned names each candidate's STATE and REASON.
expect_eq "$(cat "$TEST_TMP/out")" "$orphan orphaned no-users,creator-dead
posix:/unused orphaned no-users" "orphans while users run"
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0s --yes -v
expect_eq "$(cat "$TEST_TMP/out")" "removed $orphan"$'\nremoved posix:/unused' "orphans removed"
expect_eq "$(ls -A /dev/shm)" $'held\nmapped' "users' objects kept"

# Once the users are gone, the rest is orphaned too.
kill "$creator" "$attacher" "$holder" "$mapper"
wait "$creator" "$attacher" "$holder" "$mapper" 2>/dev/null || true
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0s -n
expect_eq "$(sort <"$TEST_TMP/out")" "$(printf '%s orphaned no-users,creator-dead\n' "$alive" "$attached" | sort)
posix:/held orphaned no-users
posix:/mapped orphaned no-users" "everything orphaned after the users exit"
