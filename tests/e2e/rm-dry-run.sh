#!/usr/bin/env bash
# -n/--dry-run prints exactly what would be removed, one canonical escaped address per line,
# and removes nothing; refusals are still reported.
source "$(dirname "$0")/common.sh"

a=$("$SHMKIT" create key:0x41 --size 1)
b=$("$SHMKIT" create key:private --size 1)
"$SHMKIT" create posix:/one --size 1 >/dev/null
"$SHMKIT" create posix:$'new\nline' --size 1 >/dev/null
touch "$TEST_TMP/f"
before_sysv=$(cat /proc/sysvipc/shm)

expect_status 0 "$SHMKIT" rm -n key:0x41 "${b#id:}" one 'posix:new\x0aline' "$TEST_TMP/f"
expect_eq "$(cat "$TEST_TMP/out")" \
  "$a"$'\n'"$b"$'\nposix:/one\nposix:/new\\x0aline\nfile:'"$TEST_TMP/f" "named dry run"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"

# --all --dry-run needs no --yes, sorted: sysv by id, then posix by name.
expect_status 0 "$SHMKIT" rm --all --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$a"$'\n'"$b"$'\nposix:/new\\x0aline\nposix:/one' "bulk dry run"

# Failures still count.
expect_status 1 "$SHMKIT" rm --dry-run posix:/nope posix:/one
expect_eq "$(cat "$TEST_TMP/out")" "posix:/one" "dry run with a failure"

expect_eq "$(cat /proc/sysvipc/shm)" "$before_sysv" "sysv untouched"
expect_eq "$(ls -A /dev/shm)" $'new\nline\none' "posix untouched"
[[ -e $TEST_TMP/f ]] || fail "file removed"
