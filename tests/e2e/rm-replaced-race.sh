#!/usr/bin/env bash
# issue 8 defect 8: rm of a POSIX object or file never removes an object that took the name
# after rm checked it. rm renames the object to a private dot-name, checks that inode, and only
# then unlinks it (or renames it back). strace holds rm on entry to a system call while the
# test re-creates the object, and lets it go only then, which makes the race deterministic:
# no step depends on how fast either side is.
source "$(dirname "$0")/common.sh"

command -v strace >/dev/null || skip "needs strace"
strace -D -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
case $(uname -m) in
x86_64) unlink_nrs="87 263" rename_nrs="316" ;;
aarch64) unlink_nrs="35" rename_nrs="276" ;;
*) skip "system call numbers unknown for $(uname -m)" ;;
esac

# held SYSCALLS ARGS...: runs shmkit ARGS in the background, its pid in $rm_pid, under strace,
# which holds it on entry to a call among SYSCALLS until `release`. strace -D is a
# detached grandchild: shmkit is our child (its status is ours to wait for), and killing the
# tracer lets the held call go on at once (the kernel detaches and resumes a tracee whose
# tracer dies). A sanitized binary is untraced again by then, so LeakSanitizer can run at exit.
held() {
  local calls=$1 i
  shift
  strace -D -f -qq -o /dev/null -e trace="$calls" -e inject="$calls":delay_enter=100000000 \
    "$SHMKIT" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
  rm_pid=$!
  held_pids=$rm_pid
  tracer=
  for ((i = 0; i < 1000; i++)); do
    [[ $(readlink "/proc/$rm_pid/exe" 2>/dev/null) == "$(readlink -f "$SHMKIT")" ]] &&
      tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$rm_pid/status" 2>/dev/null)
    [[ -z $tracer || $tracer == 0 ]] || break
    sleep 0.01
  done
  [[ -n $tracer && $tracer != 0 ]] || fail "strace started no traced shmkit"
  held_pids+=" $tracer"
}
held_pids= # shmkit and its tracer while one is held (finish empties it)
# shellcheck disable=SC2016 # expanded at exit
on_exit 'kill -KILL $held_pids'

# wait_in NUMBERS: waits until shmkit is held in one of these system calls.
wait_in() {
  local i nr
  for ((i = 0; i < 1000; i++)); do
    nr=$(cut -d' ' -f1 "/proc/$rm_pid/syscall" 2>/dev/null || true)
    [[ " $1 " == *" $nr "* ]] && return 0
    sleep 0.01
  done
  fail "shmkit never entered system call $1"
}

# release: lets the held system call go on (without strace from here on).
release() {
  local i
  kill -KILL "$tracer"
  held_pids=$rm_pid
  for ((i = 0; i < 1000; i++)); do
    [[ $(awk '/^TracerPid:/ { print $2 }' "/proc/$rm_pid/status" 2>/dev/null) != "$tracer" ]] &&
      return 0
    sleep 0.01
  done
  fail "shmkit is still traced"
}

# finish: waits for shmkit; its status lands in $status.
finish() {
  status=0
  wait "$rm_pid" || status=$?
  held_pids=
}

# replace PATH TEXT: puts a new object with TEXT under PATH (a different inode).
replace() {
  printf '%s' "$2" >"$1.new"
  mv -f "$1.new" "$1"
}

# 1. Re-created after the check, right before the unlink: the new object survives. (Before the
#    fix rm stat'ed the name, then unlinked the name, and removed the new object.)
"$SHMKIT" create posix:/p --size 1 >/dev/null
held unlink,unlinkat rm -v posix:/p
wait_in "$unlink_nrs"
replace /dev/shm/p new
release
finish
expect_eq "$status $(cat "$TEST_TMP/out")" "0 removed posix:/p" "the original object removed"
expect_eq "$(ls -A /dev/shm) $(cat /dev/shm/p)" "p new" "the new object kept, nothing hidden left"

# The same for a file.
"$SHMKIT" create "$TEST_TMP/f" --size 1 >/dev/null
held unlink,unlinkat rm -v "$TEST_TMP/f"
wait_in "$unlink_nrs"
replace "$TEST_TMP/f" new
release
finish
expect_eq "$status $(cat "$TEST_TMP/out")" "0 removed file:$TEST_TMP/f" "file: original removed"
expect_eq "$(cat "$TEST_TMP/f")" "new" "file: new object kept"
rm -f "$TEST_TMP/f"

# 2. Replaced after the check, before rm takes it off its name: rm moves the wrong object,
#    sees that, and puts it back.
rm -f /dev/shm/p
"$SHMKIT" create posix:/p --size 1 >/dev/null
held renameat2 rm -v posix:/p
wait_in "$rename_nrs"
replace /dev/shm/p other
release
finish
expect_eq "$status" 1 "refused"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: not removing posix:/p: it was replaced since it was listed" "message"
expect_eq "$(ls -A /dev/shm) $(cat /dev/shm/p)" "p other" "the other object back under its name"

# 3. ... and when the name is taken once more before it can be put back, rm says where the
#    object it moved is now.
rm -f /dev/shm/p
"$SHMKIT" create posix:/p --size 1 >/dev/null
held renameat2 rm -v posix:/p
wait_in "$rename_nrs"
replace /dev/shm/p second
# Stopped (SIGSTOP, pending while it is held) right after that rename returns.
kill -STOP "$rm_pid"
release
for ((i = 0; i < 1000; i++)); do
  [[ $(awk '/^State:/ { print $2 }' "/proc/$rm_pid/status") == T ]] && break
  sleep 0.01
done
[[ $(awk '/^State:/ { print $2 }' "/proc/$rm_pid/status") == T ]] || fail "rm did not stop"
[[ ! -e /dev/shm/p ]] || fail "rm stopped before it moved the object away"
replace /dev/shm/p third
kill -CONT "$rm_pid"
finish
hidden=
for entry in /dev/shm/.shmkit-rm-*; do
  [[ -e $entry ]] && hidden=${entry#/dev/shm/}
done
[[ $hidden =~ ^\.shmkit-rm-[0-9a-f]{32}\.p$ ]] || fail "hidden name: '$hidden'"
expect_eq "$status" 1 "refused"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: not removing posix:/p: it was replaced since it was listed, and its name was taken again before it could be put back: it is now /dev/shm/$hidden" \
  "where it is"
expect_eq "$(cat /dev/shm/p) $(cat "/dev/shm/$hidden")" "third second" "nothing removed"
