#!/usr/bin/env bash
# Output and messages keep their order in one file or on a terminal: `rm -v` of three objects,
# of which nobody may remove only the middle one, prints error, removed, error in that order
# (stdout's lines used to come after every message, at exit).
source "$(dirname "$0")/common.sh"

chmod 1777 /dev/shm
"$SHMKIT" create posix:a --size 1 --mode 644 >/dev/null
as_nobody "$SHMKIT" create posix:b --size 1 >/dev/null
"$SHMKIT" create posix:c --size 1 --mode 644 >/dev/null
status=0
as_nobody "$SHMKIT" rm -v posix:a posix:b posix:c >"$TEST_TMP/both" 2>&1 || status=$?
expect_eq "$status" 1 "status"
expect_eq "$(cat "$TEST_TMP/both")" "shmkit: error: cannot remove posix:/a: operation not permitted
removed posix:/b
shmkit: error: cannot remove posix:/c: operation not permitted" "stdout and stderr in one file"
expect_eq "$(ls /dev/shm)" "a
c" "what is left"
# On a terminal too (script(1) gives rm a pty).
if command -v script >/dev/null; then
  "$SHMKIT" rm posix:a posix:c
  "$SHMKIT" create posix:a --size 1 --mode 644 >/dev/null
  as_nobody "$SHMKIT" create posix:b --size 1 >/dev/null
  status=0
  script -qec "setpriv --reuid=65534 --regid=65534 --clear-groups -- $SHMKIT rm -v posix:a posix:b" \
    /dev/null </dev/null >"$TEST_TMP/tty" || status=$?
  expect_eq "$status" 1 "status on a terminal"
  sed -i 's/\r$//' "$TEST_TMP/tty"
  expect_eq "$(cat "$TEST_TMP/tty")" "shmkit: error: cannot remove posix:/a: operation not permitted
removed posix:/b" "on a terminal"
fi
