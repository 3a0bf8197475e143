#!/usr/bin/env bash
# One failing target does not stop the others (exit 1); a malformed address stops everything
# before anything is removed (exit 2).
source "$(dirname "$0")/common.sh"

a=$("$SHMKIT" create key:0x31 --size 1)
b=$("$SHMKIT" create key:0x32 --size 1)
"$SHMKIT" create posix:/x --size 1 >/dev/null
"$SHMKIT" create posix:/y --size 1 >/dev/null

# Malformed address in the middle: exit 2, nothing removed.
expect_error 2 "invalid posix name" "$SHMKIT" rm "$a" posix:/a/b posix:/x
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm | wc -l)" 2 "sysv untouched"
expect_eq "$(ls -A /dev/shm)" $'x\ny' "posix untouched"

# A missing one among existing ones: the others go, exit 1, one error line.
expect_status 1 "$SHMKIT" rm -v "$a" posix:/missing id:99999 posix:/x
expect_eq "$(cat "$TEST_TMP/out")" $'removed '"$a"$'\nremoved posix:/x' "removed the others"
expect_eq "$(cat "$TEST_TMP/err")" \
  $'shmkit: error: cannot stat posix:/missing: no such file or directory\nshmkit: error: no sysv segment id:99999' \
  "one line per failure"
expect_eq "$(awk 'NR > 1 { print $2 }' /proc/sysvipc/shm)" "${b#id:}" "only b left"
expect_eq "$(ls -A /dev/shm)" "y" "only y left"

# The same segment twice: the second fails.
expect_status 1 "$SHMKIT" rm "$b" "$b"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: no sysv segment $b" "second removal fails"
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm)" "" "b removed"
