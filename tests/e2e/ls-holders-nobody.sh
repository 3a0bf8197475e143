#!/usr/bin/env bash
# Processes the caller may not inspect are reported, not hidden (issue 10): as nobody, root's
# processes cannot be read, so PIDS says "partial" (JSON pids_partial) and one warning per
# command names how many processes could not be read.
source "$(dirname "$0")/holders-lib.sh"
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:shared --size 4096 --mode 0644 >/dev/null
start_holder a shm:shared
a=$HOLDER_PID

# As root, in our own pid namespace, everything is readable.
expect_status 0 "$SHMKIT" ls --raw --noheadings -o segment,pids
expect_eq "$(cat "$TEST_TMP/out")" "posix:/shared ${a}mwf" "root: PIDS"
expect_eq "$(cat "$TEST_TMP/err")" "" "root: no warning"

# How many processes nobody cannot read, counted the way a shell sees it.
unreadable=$(as_nobody bash -c 'n=0; for f in /proc/[0-9]*/maps; do
  err=$(cat "$f" 2>&1 >/dev/null) || [[ $err != *"ermission denied"* ]] || n=$((n + 1)); done; echo $n')
[[ $unreadable -ge 2 ]] || fail "expected root's processes to be unreadable, got $unreadable"
plural=es
warning="shmkit: warning: $unreadable process$plural could not be read (permission denied or no access): PIDS, COMMAND, NATTCH and STATE may miss holders"

expect_status 0 as_nobody "$SHMKIT" ls --raw --noheadings -o segment,pids,command
expect_eq "$(cat "$TEST_TMP/out")" "posix:/shared partial -" "nobody: PIDS partial"
expect_eq "$(cat "$TEST_TMP/err")" "$warning" "nobody: one warning"

expect_status 0 as_nobody "$SHMKIT" ls -J -o segment,pids
expect_eq "$(cat "$TEST_TMP/out")" '{"segments": [
  {"segment": "posix:/shared", "pids": [], "pids_partial": true}
]}' "nobody: JSON"
expect_eq "$(cat "$TEST_TMP/err")" "$warning" "nobody: one warning with --json"

# The default listing (NATTCH from the same scan) warns once too.
expect_status 0 as_nobody "$SHMKIT" ls
expect_eq "$(cat "$TEST_TMP/err")" "$warning" "nobody: ls warns once"
echo "ok"
