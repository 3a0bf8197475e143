#!/usr/bin/env bash
# -v reports a --grow as well as the bytes written: a --zero at an offset past the end writes
# no byte but grows the object (issue 8 defect 15).
source "$(dirname "$0")/common.sh"

truncate -s 100 /dev/shm/g "$TEST_TMP/g.bin"
for seg in posix:/g "file:$TEST_TMP/g.bin"; do
  # issue 8 defect 15
  expect_status 0 "$SHMKIT" write "$seg" -s 200 --grow --zero -v
  expect_eq "$(cat "$TEST_TMP/out")" \
    "wrote 0 bytes to $seg at offset 200, growing it from 100 to 200 bytes" "-v of a grow"
  expect_eq "$("$SHMKIT" ls --noheadings --raw -o size --bytes "$seg")" 200 "$seg grown"
  expect_status 0 "$SHMKIT" write "$seg" -s 198 --grow --data abcd -v
  expect_eq "$(cat "$TEST_TMP/out")" \
    "wrote 4 bytes to $seg at offset 198, growing it from 200 to 202 bytes" "-v of a write that grows"
  expect_status 0 "$SHMKIT" write "$seg" -s 0 --grow --data ab -v
  expect_eq "$(cat "$TEST_TMP/out")" "wrote 2 bytes to $seg at offset 0" "-v without growth"
  # Without -v, nothing on stdout.
  expect_status 0 "$SHMKIT" write "$seg" -s 300 --grow --zero
  [[ ! -s $TEST_TMP/out ]] || fail "stdout without -v: $(cat "$TEST_TMP/out")"
  expect_eq "$("$SHMKIT" ls --noheadings --raw -o size --bytes "$seg")" 300 "$seg grown again"
done
