#!/usr/bin/env bash
# shellcheck disable=SC2016
# issue 8 defect 19a: rm does not count itself as a user: an fd on the object that it
# inherited (`shmkit rm posix:p 3</dev/shm/p`) is no use. A parent that holds the object open
# is a genuine holder and counts.
# issue 8 defect 20: the refusal says how the object is used, in the terms of ls: processes that
# map it (NATTCH) and processes that only hold it open.
source "$(dirname "$0")/common.sh"

wait_for() {
  local i
  for ((i = 0; i < 100; i++)); do
    eval "$1" && return 0
    sleep 0.05
  done
  fail "timed out waiting for: $1"
}

# with_fds CMD...: runs CMD (a shmkit command line) with fd 3 open on /dev/shm/$name and fd 4
# on $file, opened in the child only (a redirection on a shell function would keep them open
# in this shell, the parent, for the duration).
with_fds() {
  bash -c '"$@" 3<"/dev/shm/$NAME" 4<"$FILE"' bash "$@"
}

# Only rm itself holds it: removed.
"$SHMKIT" create posix:/p --size 1 >/dev/null
"$SHMKIT" create "$TEST_TMP/f" --size 1 >/dev/null
export NAME=p FILE=$TEST_TMP/f
expect_status 0 with_fds "$SHMKIT" rm -v posix:/p "$TEST_TMP/f"
expect_eq "$(cat "$TEST_TMP/out")" $'removed posix:/p\nremoved file:'"$TEST_TMP/f" "own fds"
[[ ! -e /dev/shm/p && ! -e $TEST_TMP/f ]] || fail "not removed"
# --dry-run agrees, and so does --orphaned.
"$SHMKIT" create posix:/q --size 1 >/dev/null
"$SHMKIT" create "$TEST_TMP/f" --size 1 >/dev/null
export NAME=q
expect_status 0 with_fds "$SHMKIT" rm --dry-run posix:/q
expect_eq "$(cat "$TEST_TMP/out")" "posix:/q" "own fd, dry run"
expect_status 0 with_fds "$SHMKIT" rm --all --orphaned --grace 0s --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "posix:/q orphaned no-users" "own fd, orphaned"

# The parent (this shell) holds it too: in use, and the message says how.
expect_error 1 "cannot remove posix:/q: in use (0 mapping, 1 holding it open; use --force)" \
  "$SHMKIT" rm posix:/q 3</dev/shm/q
[[ -e /dev/shm/q ]] || fail "removed while the parent held it"

# Mapped by one process, held by another: ls shows NATTCH 1, rm says both.
"$SHMKIT" create posix:/m --size 4096 >/dev/null
python3 -c '
import mmap, os, sys, time
fd = os.open("/dev/shm/m", os.O_RDONLY)
m = mmap.mmap(fd, 4096, prot=mmap.PROT_READ)
os.close(fd)
open(sys.argv[1], "w").close()
time.sleep(60)' "$TEST_TMP/mapped" &
mapper=$!
on_exit "kill $mapper"
(exec 3</dev/shm/m && exec sleep 60) &
holder=$!
on_exit "kill $holder"
wait_for '[[ -e $TEST_TMP/mapped ]]'
wait_for '[[ "$(readlink "/proc/$holder/fd/3" 2>/dev/null)" == /dev/shm/m ]]'
expect_status 0 "$SHMKIT" ls --noheadings -o SEGMENT,NATTCH posix:/m
expect_eq "$(tr -s ' ' <"$TEST_TMP/out")" "posix:/m 1" "ls counts the mapping process"
expect_error 1 "cannot remove posix:/m: in use (1 mapping, 1 holding it open; use --force)" \
  "$SHMKIT" rm posix:/m
expect_error 1 "cannot remove posix:/m: in use (1 mapping, 1 holding it open; use --force)" \
  "$SHMKIT" rm -n posix:/m
[[ -e /dev/shm/m ]] || fail "removed while in use"
