#!/usr/bin/env bash
# --all asks on a terminal; without a terminal it needs --yes (exit 1 and nothing removed).
source "$(dirname "$0")/common.sh"

a=$("$SHMKIT" create key:0x51 --size 1)
"$SHMKIT" create posix:/one --size 1 >/dev/null

# issue 9: whether stdin is a terminal takes isatty(3) to tell: a runtime failure (was 2).
expect_error 1 "--all needs --yes when standard input is not a terminal (nothing removed)" \
  "$SHMKIT" rm --all </dev/null
expect_error 1 "--all needs --yes" "$SHMKIT" rm --all --type posix --match '*' </dev/null
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm | wc -l) $(ls -A /dev/shm)" "1 one" "nothing removed"

# On a terminal (script(1) gives one): the list and the question on stderr; "n" keeps all.
if command -v script >/dev/null && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
  got=0
  printf 'n\n' | script -qec "'$SHMKIT' rm --all" /dev/null >"$TEST_TMP/tty" 2>&1 || got=$?
  expect_eq "$got" 1 "declined: exit 1"
  grep -q "shmkit: remove 2 segments? \[y/N\]" "$TEST_TMP/tty" || fail "no prompt: $(cat "$TEST_TMP/tty")"
  grep -q "^  $a" "$TEST_TMP/tty" || fail "prompt lacks $a"
  expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm | wc -l) $(ls -A /dev/shm)" "1 one" "declined: kept"
  printf 'y\n' | script -qec "'$SHMKIT' rm --all" /dev/null >"$TEST_TMP/tty" 2>&1
  expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm | wc -l) $(ls -A /dev/shm)" "0 " "confirmed: removed"
  a=$("$SHMKIT" create key:0x51 --size 1)
  "$SHMKIT" create posix:/one --size 1 >/dev/null
fi

# --yes removes without asking; -v reports each.
expect_status 0 "$SHMKIT" rm --all --yes -v </dev/null
expect_eq "$(cat "$TEST_TMP/out")" "removed $a"$'\nremoved posix:/one' "removed all"
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm | wc -l) $(ls -A /dev/shm)" "0 " "all gone"

# Nothing selected: exit 0, no output.
expect_status 0 "$SHMKIT" rm --all --yes
[[ ! -s $TEST_TMP/out && ! -s $TEST_TMP/err ]] || fail "output for an empty selection"
