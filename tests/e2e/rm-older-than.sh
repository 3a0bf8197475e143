#!/usr/bin/env bash
# --older-than DUR selects segments whose ctime is at least DUR ago (second resolution, never
# taken for older than they can be).
source "$(dirname "$0")/common.sh"

old_sysv=$("$SHMKIT" create key:0x71 --size 1)
"$SHMKIT" create posix:/old --size 1 >/dev/null
sleep 2.2
new_sysv=$("$SHMKIT" create key:0x72 --size 1)
"$SHMKIT" create posix:/new --size 1 >/dev/null

# Right after creating the new ones (they are < 1 s old for a good while yet).
expect_status 0 "$SHMKIT" rm --all --older-than 1s -n
expect_eq "$(cat "$TEST_TMP/out")" "$old_sysv"$'\nposix:/old' "older than 1s"
expect_status 0 "$SHMKIT" rm --all --older-than 1000ms --yes -v
expect_eq "$(cat "$TEST_TMP/out")" "removed $old_sysv"$'\nremoved posix:/old' "removed the old ones"
expect_eq "$(awk 'NR > 1 { print "id:" $2 }' /proc/sysvipc/shm) $(ls -A /dev/shm)" \
  "$new_sysv new" "new ones kept"
expect_status 0 "$SHMKIT" rm --all --older-than 1h -n
expect_eq "$(cat "$TEST_TMP/out")" "" "older than 1h"
for bad in 1y -1s 1.5s "" " 1s" 1x; do
  expect_error 2 "" "$SHMKIT" rm --all --older-than "$bad" --yes
done
expect_eq "$(ls -A /dev/shm)" "new" "bad durations removed nothing"
