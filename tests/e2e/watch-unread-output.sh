#!/usr/bin/env bash
# issue 8 defect 9: a watch whose standard output is a pipe that nobody reads any more can
# still be stopped. SIGTERM, SIGINT and SIGHUP end it with status 0 and --timeout with 124,
# although its write would block forever (its stop signals are blocked, so a plain write(2)
# restarts after each of them). A reader that is merely slow still gets every byte, in order.
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:full --size 64K --allocate >/dev/null
mkfifo "$TEST_TMP/fifo"

# start_stuck [WATCH-OPTIONS...]: starts a watch of posix:full ($watch) writing into a FIFO
# that a reader ($reader) holds open but never reads, and makes it print one event of 256 KiB
# (64 KiB changed, old and new in hex), four times what the pipe holds.
start_stuck() {
  # shellcheck disable=SC2217 # holds the FIFO open for reading, and never reads
  sleep 60 <"$TEST_TMP/fifo" &
  reader=$!
  on_exit "kill $reader"
  (
    trap - INT # as from a terminal: a background job of a script starts with SIGINT ignored
    exec "$SHMKIT" watch posix:full --interval 20ms "$@" >"$TEST_TMP/fifo" 2>"$TEST_TMP/err"
  ) &
  watch=$!
  on_exit "kill -KILL $watch"
  wait_open "$watch" /dev/shm/full
  head -c 64K /dev/urandom | dd of=/dev/shm/full conv=notrunc status=none
  sleep 0.5 # compared, and blocked on the full pipe
  kill -0 "$watch" 2>/dev/null || fail "the watch ended before the signal: $(cat "$TEST_TMP/err")"
}

# Each stop signal ends the stuck watch at once, with status 0 and nothing on stderr.
for sig in TERM INT HUP; do
  start_stuck
  kill -s "$sig" "$watch"
  exits_within "$watch" 5 || fail "SIG$sig did not stop a watch blocked on a full pipe"
  status=0
  wait "$watch" || status=$?
  expect_eq "$status" 0 "status after SIG$sig on a full pipe"
  [[ ! -s $TEST_TMP/err ]] || fail "stderr after SIG$sig: $(cat "$TEST_TMP/err")"
  kill "$reader"
  wait "$reader" 2>/dev/null || true
done

# --timeout fires although the pipe is full: status 124 (not 0 when the reader finally
# leaves), about on time.
start=$(date +%s%N)
start_stuck --timeout 1500ms
exits_within "$watch" 6 || fail "--timeout did not stop a watch blocked on a full pipe"
status=0
wait "$watch" || status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "$status" 124 "status after --timeout on a full pipe"
[[ ! -s $TEST_TMP/err ]] || fail "stderr after --timeout: $(cat "$TEST_TMP/err")"
((elapsed_ms >= 1400)) || fail "the watch ended after ${elapsed_ms} ms, before its timeout"
kill "$reader"
wait "$reader" 2>/dev/null || true

# A slow reader gets the whole event intact: the writes in pieces of at most PIPE_BUF bytes
# add up to the same bytes, and the watch ends normally. The change is one write(2) of 64 KiB
# made after the watch holds the object and took its first snapshot, and the interval is long
# beside that copy, so the watch cannot see it half done (dd's default 512-byte blocks once
# gave it a partial change under ASan).
head -c 64K /dev/zero | dd of=/dev/shm/full conv=notrunc status=none
mkfifo "$TEST_TMP/slow"
{
  sleep 1
  cat
} <"$TEST_TMP/slow" >"$TEST_TMP/events" &
slow_reader=$!
"$SHMKIT" watch posix:full --interval 250ms --changes 1 --json --timeout 20s \
  >"$TEST_TMP/slow" 2>"$TEST_TMP/err" &
slow_watch=$!
on_exit "kill -KILL $slow_watch"
wait_open "$slow_watch" /dev/shm/full
sleep 0.3
head -c 64K /dev/urandom | tr '\0' '\1' >"$TEST_TMP/data" # no unchanged byte: one change
dd if="$TEST_TMP/data" of=/dev/shm/full bs=64K conv=notrunc status=none
wait "$slow_watch"
wait "$slow_reader"
expect_eq "$(jq -r '[.event, .offset, .length, (.old | length), .new] | @tsv' "$TEST_TMP/events")" \
  "$(printf 'change\t0\t65536\t131072\t%s' "$(od -An -v -tx1 "$TEST_TMP/data" | tr -d ' \n')")" \
  "event read by a slow reader"
[[ ! -s $TEST_TMP/err ]] || fail "stderr with a slow reader: $(cat "$TEST_TMP/err")"
