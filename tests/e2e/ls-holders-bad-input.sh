#!/usr/bin/env bash
# ls --pid and --detail bad input (issue 10): a one-line error, status 2, nothing read; a pid
# that does not exist is status 1, like a missing segment.
source "$(dirname "$0")/holders-lib.sh"
source "$(dirname "$0")/common.sh"

for bad in 0 -1 abc '' 1, ,1 +5 1.5 99999999999; do
  expect_error 2 "invalid --pid value" "$SHMKIT" ls --pid "$bad"
done
expect_error 2 "--detail takes one SEGMENT (0 given)" "$SHMKIT" ls --detail
"$SHMKIT" create posix:a --size 1 >/dev/null
"$SHMKIT" create posix:b --size 1 >/dev/null
expect_error 2 "--detail takes one SEGMENT (2 given)" "$SHMKIT" ls --detail posix:a posix:b
expect_error 2 "" "$SHMKIT" ls --detail posix:a --pid 1
expect_error 2 "" "$SHMKIT" ls --pid 1 posix:a

# A pid that does not exist (pid_max is at most 2^22): status 1, only the error.
expect_error 1 "no process with pid 4194304" "$SHMKIT" ls --pid 4194304
# One that exists and one that does not: the listing of the first, the error, status 1.
expect_status 1 "$SHMKIT" ls --pid "$$,4194304" --noheadings -o segment
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: no process with pid 4194304" "mixed pids"
# A segment that does not exist: --detail fails like ls.
expect_error 1 "posix:/missing" "$SHMKIT" ls --detail posix:missing
echo "ok"
