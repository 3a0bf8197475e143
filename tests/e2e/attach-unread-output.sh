#!/usr/bin/env bash
# issue 8 defect 9 (attach): attach prints one status line, then holds. When its standard
# output is a pipe that is already full and that nobody reads, that line cannot block it:
# SIGTERM, SIGINT and SIGHUP still end it at once with status 0 (detached), and so does
# --timeout (status 0, as documented for attach).
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:/held --size 4K >/dev/null
mkfifo "$TEST_TMP/fifo"

# start_stuck [ATTACH-OPTIONS...]: a reader holds the FIFO open and never reads, 64 KiB fill
# its buffer, then attach starts with its stdout on it ($attach).
start_stuck() {
  # shellcheck disable=SC2217 # holds the FIFO open for reading, and never reads
  sleep 60 <"$TEST_TMP/fifo" &
  reader=$!
  on_exit "kill $reader"
  python3 - "$TEST_TMP/fifo" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
try:
    while True:
        os.write(fd, b"x" * 4096)
except BlockingIOError:
    pass
PY
  (
    trap - INT
    exec "$SHMKIT" attach posix:/held "$@" >"$TEST_TMP/fifo" 2>"$TEST_TMP/err"
  ) &
  attach=$!
  on_exit "kill -KILL $attach"
  wait_open "$attach" /dev/shm/held
  kill -0 "$attach" 2>/dev/null || fail "attach ended before the signal: $(cat "$TEST_TMP/err")"
}

for sig in TERM INT HUP; do
  start_stuck
  kill -s "$sig" "$attach"
  exits_within "$attach" 5 || fail "SIG$sig did not stop an attach blocked on a full pipe"
  status=0
  wait "$attach" || status=$?
  expect_eq "$status" 0 "status after SIG$sig"
  [[ ! -s $TEST_TMP/err ]] || fail "stderr after SIG$sig: $(cat "$TEST_TMP/err")"
  has_open "$attach" /dev/shm/held && fail "still attached"
  kill "$reader"
  wait "$reader" 2>/dev/null || true
done

start_stuck --timeout 700ms
exits_within "$attach" 5 || fail "--timeout did not stop an attach blocked on a full pipe"
status=0
wait "$attach" || status=$?
expect_eq "$status" 0 "status after --timeout"
kill "$reader"
wait "$reader" 2>/dev/null || true
echo ok
