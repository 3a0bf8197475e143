#!/usr/bin/env bash
# Names with a newline, ESC, a backslash, invalid UTF-8 or valid non-ASCII UTF-8 may be created;
# the printed address is escaped (\xHH) and round-trips: rm of the printed address removes
# exactly that object and nothing else.
source "$(dirname "$0")/common.sh"

check() { # check RAW-NAME EXPECTED-ADDRESS [ADDRESS-GIVEN]
  local raw=$1 want=$2 given=${3:-posix:$1}
  expect_status 0 "$SHMKIT" create "$given" --size 1
  expect_eq "$(cat "$TEST_TMP/out")" "$want" "printed address"
  expect_eq "$(wc -l <"$TEST_TMP/out")" 1 "one line"
  [[ -f /dev/shm/$raw ]] || fail "object for $want not created under its raw name"
  expect_status 0 "$SHMKIT" rm "$want"
  [[ ! -e /dev/shm/$raw ]] || fail "rm $want did not remove the object"
}

check $'a\nb' 'posix:/a\x0ab'
check $'esc\e[31mred' 'posix:/esc\x1b[31mred'
check $'bad\xff\xfeutf8' 'posix:/bad\xff\xfeutf8'
check $'tab\tand space' 'posix:/tab\x09and\x20space'
check 'caf'$'\xc3\xa9' 'posix:/café'
check $'del\x7f' 'posix:/del\x7f'

# A literal backslash is escaped too, so "a\x41" (5 bytes) is not confused with "aA".
: >/dev/shm/aA
check 'a\x41' 'posix:/a\x5cx41' 'posix:a\x5cx41'
[[ -e /dev/shm/aA ]] || fail "rm removed the decoy aA"

# The same for files.
expect_status 0 "$SHMKIT" create "$TEST_TMP/"$'new\nline' --size 1
expect_eq "$(cat "$TEST_TMP/out")" "file:$TEST_TMP/new\\x0aline" "file address escaped"
expect_status 0 "$SHMKIT" rm "$(cat "$TEST_TMP/out")"
[[ ! -e $TEST_TMP/$'new\nline' ]] || fail "file not removed"

# Escapes given on the command line are decoded: \x41 names "A".
expect_status 0 "$SHMKIT" create 'posix:/\x41' --size 1
expect_eq "$(cat "$TEST_TMP/out")" "posix:/A" "decoded escape"
expect_status 0 "$SHMKIT" rm posix:/A
expect_eq "$(ls -A /dev/shm)" "aA" "only the decoy is left"
