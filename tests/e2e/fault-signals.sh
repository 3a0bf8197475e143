#!/usr/bin/env bash
# Fault matrix (issue 13), family "signals": SIGTERM, SIGINT and SIGHUP arrive while write
# copies a large input, and while attach --lock holds a segment. What shmkit-write(1) SIGNALS
# promises: while a pipe is read into memory nothing is written, and a signal ends write at
# once with the old contents; once the bytes start going into the segment the signals wait
# until the last byte is in, and write then ends by the signal. So the segment holds the old
# contents or the new, never a mix. attach ends with status 0, unlocks what it locked and
# detaches.
#
# The issue asks for 1 GiB; 256 MiB is used to stay quick on a loaded 2-core machine (the
# staging and copying code paths are the same from 64 MiB up). The background commands are not
# run under timeout(1), which would catch the signals meant for them; exits_within bounds them.
source "$(dirname "$0")/common.sh"

mount -o remount,size=700m /dev/shm || skip "cannot resize the test's /dev/shm"
size=256M
# Old contents: zeros (a fresh object or segment). New contents: 0xaa everywhere. A mix of the
# two has neither checksum. (cksum, not sha1sum: 10 times faster on 256 MiB.)
head -c $size /dev/zero | tr '\0' '\252' >"$TEST_TMP/new"
new_sum=$(cksum <"$TEST_TMP/new")
old_sum=$(head -c $size /dev/zero | cksum)
sk() { timeout 30 "$SHMKIT" "$@"; }
fresh_posix() {
  rm -f /dev/shm/big
  sk create posix:/big --size $size >/dev/null
}
posix_sum() { cksum </dev/shm/big; }
# fresh_sysv: a new zeroed segment of key 0x5151 ($seg).
fresh_sysv() {
  [[ -z ${seg:-} ]] || ipcrm -m "${seg#id:}"
  seg=$(sk create key:0x5151 --size $size)
}
sysv_sum() { timeout 30 "$SHMKIT" read "$seg" | cksum; }

# start CMD...: shmkit CMD in the background ($pid) with SIGINT as from a terminal (a background
# job of a script starts with SIGINT ignored); stdout/stderr to out/err; fd 3 not inherited.
start() {
  (
    trap - INT
    exec "$SHMKIT" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" 3>&-
  ) <&0 & # (<&0: a background command's stdin would otherwise be /dev/null)
  pid=$!
  on_exit "kill -KILL $pid"
}
# finish: waits (at most 20 s) for $pid; its status lands in $status.
finish() {
  exits_within "$pid" 20 || fail "shmkit did not end: $(cat "$TEST_TMP/err")"
  status=0
  wait "$pid" || status=$?
}
feed_open() {
  rm -f "$TEST_TMP/feed"
  mkfifo "$TEST_TMP/feed"
  exec 3<>"$TEST_TMP/feed"
}
feed_close() { exec 3>&-; }

# --- write: a signal while a pipe is read into memory: nothing written ----------------------

# 1. SIGTERM, POSIX object: status 143 (killed by SIGTERM), silent, the old contents.
fresh_posix
feed_open
start write posix:/big <"$TEST_TMP/feed"
timeout 20 head -c 128M "$TEST_TMP/new" >&3 # returns once write took all but what the pipe holds
kill -TERM "$pid"
finish
feed_close
expect_eq "$status" 143 "SIGTERM while staging"
expect_eq "$(cat "$TEST_TMP/err")" "" "stderr after SIGTERM while staging"
expect_eq "$(posix_sum)" "$old_sum" "old contents after SIGTERM while staging"

# 2. SIGINT, SysV segment: status 130, the old contents.
fresh_sysv
feed_open
start write "$seg" <"$TEST_TMP/feed"
timeout 20 head -c 128M "$TEST_TMP/new" >&3
kill -INT "$pid"
finish
feed_close
expect_eq "$status" 130 "SIGINT while staging"
expect_eq "$(cat "$TEST_TMP/err")" "" "stderr after SIGINT while staging"
expect_eq "$(sysv_sum)" "$old_sum" "old contents after SIGINT while staging"

# 3. SIGHUP, the same, status 129.
feed_open
start write "$seg" <"$TEST_TMP/feed"
timeout 20 head -c 128M "$TEST_TMP/new" >&3
kill -HUP "$pid"
finish
feed_close
expect_eq "$status" 129 "SIGHUP while staging"
expect_eq "$(sysv_sum)" "$old_sum" "old contents after SIGHUP while staging"

# 4. A signal at any moment of a whole write of a pipe into the SysV segment (staging, then
#    the copy): either the old contents or the new, never a mix. Two moments, spread over the
#    run; which step each one hits does not matter.
for delay in 0.2 0.7; do
  fresh_sysv
  start write "$seg" < <(cat "$TEST_TMP/new")
  sleep "$delay"
  kill -TERM "$pid" 2>/dev/null || true
  finish
  got=$(sysv_sum)
  case $status:$got in
  143:"$old_sum" | 143:"$new_sum" | 0:"$new_sum") ;;
  *) fail "SIGTERM after ${delay}s: status $status, contents neither old nor new ($got)" ;;
  esac
done

# --- write: a signal while the bytes go into the segment: they all go in --------------------

# held CALL WHEN ARGS...: shmkit ARGS under strace, which holds it on entry to its WHEN-th
# system call CALL until `release` (strace -D: a detached tracer, shmkit stays our child).
held() {
  local call=$1 when=$2 i
  shift 2
  (
    trap - INT
    exec strace -D -f -qq -o /dev/null -e trace="$call" \
      -e inject="$call":delay_enter=100000000:when="$when" \
      "$SHMKIT" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" 3>&-
  ) <&0 &
  pid=$!
  on_exit "kill -KILL $pid"
  tracer=
  for ((i = 0; i < 1000; i++)); do
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$(readlink -f "$SHMKIT")" ]] &&
      tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [[ -z $tracer || $tracer == 0 ]] || break
    sleep 0.01
  done
  [[ -n $tracer && $tracer != 0 ]] || fail "strace started no traced shmkit"
  on_exit "kill -KILL $tracer"
}
# wait_in NR: until shmkit is held (stopped by its tracer) in system call number NR.
wait_in() {
  local i
  for ((i = 0; i < 2000; i++)); do
    [[ $(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null) == "$1" &&
      $(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) == t ]] && return 0
    sleep 0.01
  done
  fail "shmkit never entered system call $1"
}

if [[ $(uname -m) == x86_64 ]] && command -v strace >/dev/null &&
  strace -D -f -qq -o /dev/null true 2>/dev/null; then
  # 5. A regular file is streamed in chunks of 256 KiB: SIGTERM while the second chunk is
  #    held. Before the fix write died there, the first chunk new and the rest old. (issue 13
  #    defect F5)
  fresh_posix
  held pwrite64 2 write posix:/big --file "$TEST_TMP/new"
  wait_in 18 # pwrite64
  kill -TERM "$pid"
  kill -KILL "$tracer" # the held pwrite goes on
  finish
  expect_eq "$status" 143 "SIGTERM during the copy of a file"
  expect_eq "$(cat "$TEST_TMP/err")" "" "stderr after SIGTERM during the copy of a file"
  expect_eq "$(posix_sum)" "$new_sum" "new contents after SIGTERM during the copy"

  # 6. A pipe, staged, goes in with one pwrite: SIGINT while it is held; all of it goes in.
  fresh_posix
  held pwrite64 1 write posix:/big < <(cat "$TEST_TMP/new")
  wait_in 18
  kill -INT "$pid"
  kill -KILL "$tracer"
  finish
  expect_eq "$status" 130 "SIGINT during the copy of a pipe"
  expect_eq "$(posix_sum)" "$new_sum" "new contents after SIGINT during the copy"

  # 7. create --from a regular file, SIGTERM while its second chunk is held: before the fix
  #    create died there and left a half-filled posix:/made behind; now it takes the new
  #    object back and ends by the signal, printing nothing. (issue 13 defect F6)
  held pwrite64 2 create posix:/made --from "$TEST_TMP/new"
  wait_in 18
  kill -TERM "$pid"
  kill -KILL "$tracer"
  finish
  expect_eq "$status" 143 "SIGTERM during create --from"
  expect_eq "$(cat "$TEST_TMP/out")$(cat "$TEST_TMP/err")" "" "output of a killed create"
  [[ ! -e /dev/shm/made ]] || fail "a killed create left posix:/made behind"
else
  echo "note: no usable strace (or not x86_64); cases 5 to 7 not run" >&2
fi
rm -f /dev/shm/big
ipcrm -m "${seg#id:}"

# --- attach --lock: a stop signal unlocks and detaches ---------------------------------------

# wait_perms ID PERMS: until /proc/sysvipc/shm shows PERMS (02000: SHM_LOCKED) for ID.
wait_perms() {
  local i
  for ((i = 0; i < 500; i++)); do
    [[ $(sysv_field "$1" perms) == "$2" ]] && return 0
    sleep 0.02
  done
  fail "segment $1 never showed perms $2 (now $(sysv_field "$1" perms))"
}

# 8-10. SIGTERM, SIGINT and SIGHUP: status 0, nothing on stderr, SHM_LOCKED cleared, nattch 0,
#      the contents as they were.
seg=$(sk create key:0x6161 --size 4M)
sysv_sum() { timeout 30 "$SHMKIT" read "$seg" | sha1sum; }
id=${seg#id:}
sk write "$seg" --fill 7 --length 4M
sum=$(sysv_sum "$seg")
for sig in TERM INT HUP; do
  start attach "$seg" --lock
  wait_perms "$id" 2600
  expect_eq "$(sysv_field "$id" nattch)" 1 "attached before SIG$sig"
  kill -s "$sig" "$pid"
  finish
  expect_eq "$status" 0 "attach --lock after SIG$sig"
  expect_eq "$(cat "$TEST_TMP/err")" "" "stderr after SIG$sig"
  expect_eq "$(sysv_field "$id" perms) $(sysv_field "$id" nattch)" "600 0" "unlocked, detached"
  expect_eq "$(sysv_sum "$seg")" "$sum" "contents after SIG$sig"
done

# 11. A lock that another holder took first is left to it: SIGTERM to the second attach
#     detaches it only; SIGTERM to the first unlocks.
start attach "$seg" --lock
first=$pid
wait_perms "$id" 2600
start attach "$seg" --lock
second=$pid
for ((i = 0; i < 500; i++)); do
  [[ $(sysv_field "$id" nattch) == 2 ]] && break
  sleep 0.02
done
expect_eq "$(sysv_field "$id" nattch)" 2 "both attached"
kill -TERM "$second"
pid=$second
finish
expect_eq "$status" 0 "second attach after SIGTERM"
expect_eq "$(sysv_field "$id" perms) $(sysv_field "$id" nattch)" "2600 1" "still locked by the first"
kill -TERM "$first"
pid=$first
finish
expect_eq "$status" 0 "first attach after SIGTERM"
expect_eq "$(sysv_field "$id" perms) $(sysv_field "$id" nattch)" "600 0" "unlocked by the first"

# 12. POSIX: mlock(2)ed while held (VmLck), released with the process, object unchanged.
sk create posix:/locked --size 4M >/dev/null
sk write posix:/locked --fill 9 --length 4M
sum=$(sha1sum </dev/shm/locked)
start attach posix:/locked --lock
for ((i = 0; i < 500; i++)); do
  [[ $(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) == 4096 ]] && break
  sleep 0.02
done
expect_eq "$(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status")" 4096 "4 MiB locked"
kill -TERM "$pid"
finish
expect_eq "$status" 0 "posix attach --lock after SIGTERM"
expect_eq "$(cat "$TEST_TMP/err")" "" "stderr"
expect_eq "$(sha1sum </dev/shm/locked)" "$sum" "posix contents"
