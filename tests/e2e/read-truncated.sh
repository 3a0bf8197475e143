#!/usr/bin/env bash
# A POSIX object truncated by another process while read is copying it: read uses pread and
# sendfile, never a mapping, so it ends with a clear error and status 1, never SIGBUS.
source "$(dirname "$0")/common.sh"

# truncate_soon PATH: another process (Python) shrinks PATH to 4 KiB once a process holds it
# open (read has started; a fixed delay once truncated it before read opened it, under load),
# then 0.2 s more, so that read is blocked on the full pipe; then it creates
# $TEST_TMP/truncated. The consumer starts reading only then (a fixed delay let a slow
# Python truncate after read had finished, under load).
truncate_soon() {
  python3 -c '
import glob, os, sys, time
for _ in range(1000):
    held = False
    for link in glob.glob("/proc/[0-9]*/fd/*"):
        try:
            held = held or os.readlink(link) == sys.argv[1]
        except OSError:
            pass
    if held:
        break
    time.sleep(0.01)
time.sleep(0.2)
os.truncate(sys.argv[1], 4096)
open(sys.argv[2], "w").close()' "$1" "$TEST_TMP/truncated" &
  on_exit "kill $! 2>/dev/null"
}

for format in raw hexdump xxd; do
  head -c 64M /dev/urandom >/dev/shm/big
  rm -f "$TEST_TMP/truncated"
  truncate_soon /dev/shm/big
  # The consumer starts after the truncation, so read is blocked on the full pipe when the
  # object shrinks.
  set +o pipefail
  "$SHMKIT" read posix:/big --format=$format 2>"$TEST_TMP/err" | {
    for ((i = 0; i < 3000; i++)); do [[ -e $TEST_TMP/truncated ]] && break; sleep 0.01; done
    cat >/dev/null
  }
  status=${PIPESTATUS[0]}
  set -o pipefail
  expect_eq "$status" 1 "exit status of a read truncated under it ($format)"
  expect_eq "$(wc -l <"$TEST_TMP/err")" 1 "one error line ($format)"
  grep -q '^shmkit: error: posix:/big \(was truncated\|shrank\) while reading' "$TEST_TMP/err" ||
    fail "message: $(cat "$TEST_TMP/err")"
  wait
done
