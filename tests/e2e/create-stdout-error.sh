#!/usr/bin/env bash
# The address is the output: when it cannot be written (/dev/full) create reports a write
# error, exits 1 and removes the segment it made, for every kind.
source "$(dirname "$0")/common.sh"

[[ -w /dev/full ]] || skip "no /dev/full"
for seg in key:private posix:/gone "$TEST_TMP/gone.bin"; do
  got=0
  "$SHMKIT" create "$seg" --size 1 >/dev/full 2>"$TEST_TMP/err" || got=$?
  expect_eq "$got" 1 "exit status for $seg"
  expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" "stderr"
done
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm)" "" "no sysv segment left"
expect_eq "$(ls -A /dev/shm)" "" "no posix object left"
[[ ! -e $TEST_TMP/gone.bin ]] || fail "file left behind"

# --exist-ok of an existing segment: it was not ours, so it stays.
expect_status 0 "$SHMKIT" create posix:/kept --size 1
got=0
"$SHMKIT" create posix:/kept --size 1 --exist-ok >/dev/full 2>/dev/null || got=$?
expect_eq "$got" 1 "exit status for an existing segment"
[[ -e /dev/shm/kept ]] || fail "existing segment removed"
