#!/usr/bin/env bash
# issue 8 defect 8: rm of a POSIX object or file never removes an object that took the name
# after rm checked it. rm renames the object to a private dot-name, checks that inode, and only
# then unlinks it (or renames it back). strace holds rm inside a system call while the test
# re-creates the object, which makes the race deterministic.
source "$(dirname "$0")/common.sh"

command -v strace >/dev/null || skip "needs strace"
strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"
case $(uname -m) in
x86_64) unlink_nrs="87 263" rename_nrs="316" ;;
aarch64) unlink_nrs="35" rename_nrs="276" ;;
*) skip "system call numbers unknown for $(uname -m)" ;;
esac

# traced SYSCALLS ARGS...: runs shmkit ARGS under strace, with every call among SYSCALLS
# delayed by 1.5 s on entry, in the background; the pid of shmkit itself is in $rm_pid.
traced() {
  local calls=$1
  shift
  strace -f -qq -o /dev/null -e trace="$calls" -e inject="$calls":delay_enter=1500000 \
    "$SHMKIT" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
  tracer=$!
  on_exit "kill $tracer"
  # strace forks probe children of its own first: wait for the one that runs shmkit.
  local i pid exe
  exe=$(readlink -f "$SHMKIT")
  rm_pid=
  for ((i = 0; i < 500; i++)); do
    for pid in $(cat "/proc/$tracer/task/$tracer/children" 2>/dev/null || true); do
      [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$exe" ]] && rm_pid=$pid
    done
    [[ -z $rm_pid ]] || break
    sleep 0.01
  done
  [[ -n $rm_pid ]] || fail "strace started no shmkit"
}

# wait_in NUMBERS: waits until shmkit is inside one of these system calls.
wait_in() {
  local i nr
  for ((i = 0; i < 1000; i++)); do
    nr=$(cut -d' ' -f1 "/proc/$rm_pid/syscall" 2>/dev/null || true)
    [[ " $1 " == *" $nr "* ]] && return 0
    sleep 0.01
  done
  fail "shmkit never entered system call $1"
}

# finish: waits for the traced shmkit; its status lands in $status.
finish() {
  status=0
  wait "$tracer" || status=$?
}

# replace PATH TEXT: puts a new object with TEXT under PATH (a different inode).
replace() {
  printf '%s' "$2" >"$1.new"
  mv -f "$1.new" "$1"
}

# 1. Re-created after the check, right before the unlink: the new object survives. (Before the
#    fix rm stat'ed the name, then unlinked the name, and removed the new object.)
"$SHMKIT" create posix:/p --size 1 >/dev/null
traced unlink,unlinkat rm -v posix:/p
wait_in "$unlink_nrs"
replace /dev/shm/p new
finish
expect_eq "$status $(cat "$TEST_TMP/out")" "0 removed posix:/p" "the original object removed"
expect_eq "$(ls -A /dev/shm) $(cat /dev/shm/p)" "p new" "the new object kept, nothing hidden left"

# The same for a file.
"$SHMKIT" create "$TEST_TMP/f" --size 1 >/dev/null
traced unlink,unlinkat rm -v "$TEST_TMP/f"
wait_in "$unlink_nrs"
replace "$TEST_TMP/f" new
finish
expect_eq "$status $(cat "$TEST_TMP/out")" "0 removed file:$TEST_TMP/f" "file: original removed"
expect_eq "$(cat "$TEST_TMP/f")" "new" "file: new object kept"
rm -f "$TEST_TMP/f"

# 2. Replaced after the check, before rm takes it off its name: rm moves the wrong object,
#    sees that, and puts it back.
rm -f /dev/shm/p
"$SHMKIT" create posix:/p --size 1 >/dev/null
traced renameat2 rm -v posix:/p
wait_in "$rename_nrs"
replace /dev/shm/p other
finish
expect_eq "$status" 1 "refused"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: not removing posix:/p: it was replaced since it was listed" "message"
expect_eq "$(ls -A /dev/shm) $(cat /dev/shm/p)" "p other" "the other object back under its name"

# 3. ... and when the name is taken once more before it can be put back, rm says where the
#    object it moved is now.
rm -f /dev/shm/p
"$SHMKIT" create posix:/p --size 1 >/dev/null
traced renameat2 rm -v posix:/p
wait_in "$rename_nrs"
replace /dev/shm/p second
for ((i = 0; i < 500; i++)); do # until rm has moved "second" away
  [[ -e /dev/shm/p ]] || break
  sleep 0.01
done
replace /dev/shm/p third
finish
hidden=
for entry in /dev/shm/.shmkit-rm-*; do
  [[ -e $entry ]] && hidden=${entry#/dev/shm/}
done
[[ $hidden =~ ^\.shmkit-rm-[0-9a-f]{32}$ ]] || fail "hidden name: '$hidden'"
expect_eq "$status" 1 "refused"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: not removing posix:/p: it was replaced since it was listed, and its name was taken again before it could be put back: it is now /dev/shm/$hidden" \
  "where it is"
expect_eq "$(cat /dev/shm/p) $(cat "/dev/shm/$hidden")" "third second" "nothing removed"
