#!/usr/bin/env bash
# issue 8 defect 5: a POSIX semaphore reached through file: (or any path that resolves into the
# POSIX shm directory: a symbolic link to it, "..") gets the same rules as posix:/sem.NAME:
# rm refuses it without --force, write and create refuse it outright. Outside /dev/shm a sem.*
# name is just a file.
source "$(dirname "$0")/common.sh"

: >/dev/shm/sem.lock
printf 'abcd' >/dev/shm/sem.word
ln -s /dev/shm "$TEST_TMP/shmdir"
mkdir /dev/shm/sub

# rm: refused without --force, whatever the path form; with --force it goes.
for addr in file:/dev/shm/sem.lock /dev/shm/sem.lock "$TEST_TMP/shmdir/sem.lock" \
  file:/dev/shm/sub/../sem.lock; do
  expect_error 1 "refusing to remove file:" "$SHMKIT" rm "$addr"
  shown=${addr#file:}
  expect_eq "$(cat "$TEST_TMP/err")" \
    "shmkit: error: refusing to remove file:${shown/\/sub\/..}: it is a POSIX semaphore (use --force)" \
    "rm $addr"
  expect_status 1 "$SHMKIT" rm --dry-run "$addr"
  [[ ! -s $TEST_TMP/out ]] || fail "dry run lists $addr"
done
(cd /dev/shm && expect_error 1 "refusing to remove file:/dev/shm/sem.lock: it is a POSIX semaphore" \
  "$SHMKIT" rm ./sem.lock)
[[ -e /dev/shm/sem.lock ]] || fail "semaphore removed without --force"

# write: refused, the bytes stay.
expect_error 1 "cannot open file:/dev/shm/sem.word for writing: it is a POSIX semaphore" \
  "$SHMKIT" write file:/dev/shm/sem.word --data XY
expect_error 1 "cannot open file:$TEST_TMP/shmdir/sem.word for writing: it is a POSIX semaphore" \
  "$SHMKIT" write "$TEST_TMP/shmdir/sem.word" --data XY
expect_error 1 "cannot open posix:/sem.word for writing: it is a POSIX semaphore" \
  "$SHMKIT" write posix:/sem.word --data XY
expect_eq "$(cat /dev/shm/sem.word)" "abcd" "semaphore bytes unchanged"
# Reading does not harm it.
expect_status 0 "$SHMKIT" read file:/dev/shm/sem.word
expect_eq "$(cat "$TEST_TMP/out")" "abcd" "read through file:"

# create: refused (a runtime failure: it took the file system to know), nothing made.
expect_error 1 "cannot create file:/dev/shm/sem.x: names starting with 'sem.' in the POSIX shared memory directory belong to POSIX semaphores" \
  "$SHMKIT" create file:/dev/shm/sem.x --size 1
expect_error 1 "cannot create file:$TEST_TMP/shmdir/sem.y: names starting with 'sem.'" \
  "$SHMKIT" create "$TEST_TMP/shmdir/sem.y" --size 1
[[ ! -e /dev/shm/sem.x && ! -e /dev/shm/sem.y ]] || fail "semaphore name created"

# A sem.* name elsewhere, even in a directory below /dev/shm, is an ordinary file.
expect_status 0 "$SHMKIT" create file:/dev/shm/sub/sem.z --size 1
expect_status 0 "$SHMKIT" write file:/dev/shm/sub/sem.z --data Q
expect_status 0 "$SHMKIT" create "$TEST_TMP/sem.t" --size 1
expect_status 0 "$SHMKIT" rm -v "$TEST_TMP/sem.t" file:/dev/shm/sub/sem.z
expect_eq "$(cat "$TEST_TMP/out")" "removed file:$TEST_TMP/sem.t"$'\nremoved file:/dev/shm/sub/sem.z' \
  "ordinary sem.* files"

# --force removes the semaphore through file: as through posix:.
expect_status 0 "$SHMKIT" rm --force -v file:/dev/shm/sem.lock
expect_eq "$(cat "$TEST_TMP/out")" "removed file:/dev/shm/sem.lock" "forced"
[[ ! -e /dev/shm/sem.lock ]] || fail "--force did not remove"
