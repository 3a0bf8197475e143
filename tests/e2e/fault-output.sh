#!/usr/bin/env bash
# Fault matrix (issue 13), family "output": standard output that cannot be written. For ls,
# read (raw and hexdump) and watch --json: stdout /dev/full (status 1, "write error: no space
# left on device"), stdout closed (status 1, "write error: bad file descriptor"), and a reader
# that exits early (| head -c1: EPIPE, status 0, silent). Then a reader of watch --json that
# stops reading but keeps the pipe open: watch blocks, it does not drop (shmkit-watch(1),
# OUTPUT THAT NOBODY READS); that signals and --timeout still stop it then is
# watch-unread-output.sh. Every segment is unchanged afterwards. (ls --watch does not exist
# yet: issue 10.)
source "$(dirname "$0")/common.sh"

sk() { timeout 20 "$SHMKIT" "$@"; }

# fault STATUS MESSAGE CMD...: status, nothing on stdout, exactly one line on stderr.
fault() {
  local want=$1 message=$2
  shift 2
  expect_status "$want" "$@"
  expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: $message" "stderr of: $*"
}
# closed CMD...: shmkit CMD with stdout closed.
closed() { timeout 20 "$SHMKIT" "$@" >&-; }
# full CMD...: shmkit CMD with stdout on /dev/full.
full() { timeout 20 "$SHMKIT" "$@" >/dev/full; }
# early CMD...: shmkit CMD into a reader that takes one byte and exits; $? is shmkit's.
early() {
  local status
  set +o pipefail
  timeout 20 "$SHMKIT" "$@" | head -c1 >/dev/null
  status=${PIPESTATUS[0]}
  set -o pipefail
  return "$status"
}

seg=$(sk create key:0x4242 --size 4M)
sk write "$seg" --file <(head -c 4M /dev/urandom)
sk create posix:/p --size 4M >/dev/null
head -c 4M /dev/urandom >/dev/shm/p
# Enough objects that the listing is larger than a pipe: ls meets EPIPE, not a quiet end.
for i in $(seq 1500); do : >"/dev/shm/object-$i"; done
state() {
  sha1sum </dev/shm/p
  sk read "$seg" | sha1sum
  ls -A /dev/shm | wc -l
  awk 'NR > 1 { print $1, $2, $4, $7 }' /proc/sysvipc/shm
}
before=$(state)

# 1-3. ls (columns that need no scan of /proc/PID: the cases are about stdout only)
ls=(ls -o 'SEGMENT,TYPE,SIZE')
fault 1 "write error: no space left on device" full "${ls[@]}"
fault 1 "write error: bad file descriptor" closed "${ls[@]}"
expect_status 0 early "${ls[@]}"
expect_eq "$(cat "$TEST_TMP/err")" "" "ls | head -c1 is silent"

# 4-6. read, raw (one write(2) from the SysV attach)
fault 1 "write error: no space left on device" full read "$seg"
fault 1 "write error: bad file descriptor" closed read "$seg"
expect_status 0 early read "$seg"
expect_eq "$(cat "$TEST_TMP/err")" "" "read | head -c1 is silent"

# 7-9. read --format hexdump of a POSIX object (formatted through the stdout buffer)
fault 1 "write error: no space left on device" full read posix:/p --format hexdump
fault 1 "write error: bad file descriptor" closed read posix:/p --format hexdump
expect_status 0 early read posix:/p --format hexdump
expect_eq "$(cat "$TEST_TMP/err")" "" "read --format hexdump | head -c1 is silent"

# 10-11. watch --json: its first output is the timeout event.
fault 1 "write error: no space left on device" full watch posix:/p --json --timeout 200ms
fault 1 "write error: bad file descriptor" closed watch "$seg" --json --timeout 200ms
expect_eq "$(state)" "$before" "state after the write errors"

# 12. watch --json | head -c1: head takes a byte of the first change and exits; the next
#     change ends the watch quietly with status 0.
sk create posix:/w --size 4K >/dev/null
mkfifo "$TEST_TMP/fifo"
head -c1 <"$TEST_TMP/fifo" >/dev/null &
reader=$!
"$SHMKIT" watch posix:/w --json --interval 20ms --timeout 15s >"$TEST_TMP/fifo" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill -KILL $watch"
wait_open "$watch" /dev/shm/w
sk write posix:/w --data first
exits_within "$reader" 10 || fail "head did not take the first event"
sk write posix:/w --data second
exits_within "$watch" 10 || fail "watch did not stop after its reader left"
status=0
wait "$watch" || status=$?
expect_eq "$status" 0 "watch after its reader left"
expect_eq "$(cat "$TEST_TMP/err")" "" "watch | head -c1 is silent"
rm "$TEST_TMP/fifo"

# 13. A reader that stops reading but keeps the pipe open: watch blocks, and drops nothing.
#     The first event (256 KiB of JSON) fills the pipe; two more changes come while watch is
#     blocked on it. When the reader reads again, it gets the first event whole, then one event
#     from the contents watch printed last to the contents now: no comparison is made while
#     watch waits, so the middle contents are never seen (as between any two comparisons).
sk create posix:/slow --size 64K >/dev/null
mkfifo "$TEST_TMP/fifo"
"$SHMKIT" watch posix:/slow --json --interval 50ms --changes 2 --timeout 30s \
  >"$TEST_TMP/fifo" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill -KILL $watch"
exec 4<"$TEST_TMP/fifo"
wait_open "$watch" /dev/shm/slow
fill() { head -c 64K /dev/zero | tr '\0' "$1" >"$TEST_TMP/bytes" && sk write posix:/slow --file "$TEST_TMP/bytes"; }
fill '\001'
# The pipe is full: watch is blocked on it.
python3 -c '
import array, fcntl, sys, termios, time
for _ in range(500):
    n = array.array("i", [0])
    fcntl.ioctl(4, termios.FIONREAD, n)
    if n[0] >= 65536:
        sys.exit(0)
    time.sleep(0.02)
sys.exit("the pipe never filled: %d bytes" % n[0])'
kill -0 "$watch" || fail "watch ended while its output was blocked"
fill '\002'
fill '\003'
cat <&4 >"$TEST_TMP/events" &
cat_pid=$!
exec 4<&-
exits_within "$watch" 15 || fail "watch did not end after its reader read again"
status=0
wait "$watch" || status=$?
wait "$cat_pid"
expect_eq "$status" 0 "watch --changes 2 after a blocked pipe"
expect_eq "$(cat "$TEST_TMP/err")" "" "stderr of the blocked watch"
hex() { head -c 64K /dev/zero | tr '\0' "$1" | od -An -v -tx1 | tr -d ' \n'; }
expect_eq "$(jq -r '[.event, .offset, .length, .old, .new] | @tsv' "$TEST_TMP/events")" \
  "$(printf 'change\t0\t65536\t%s\t%s\n' "$(hex '\000')" "$(hex '\001')" \
    && printf 'change\t0\t65536\t%s\t%s' "$(hex '\001')" "$(hex '\003')")" \
  "events after the reader came back"
