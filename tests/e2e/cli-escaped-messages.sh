#!/usr/bin/env bash
# issue 8 defect 18: every message that quotes user text escapes it, so no escape sequence or
# control character typed (or planted in a name) reaches the terminal through stderr.
source "$(dirname "$0")/common.sh"

esc=$'\e[31m'
"$SHMKIT" create posix:/p --size 16 >/dev/null
check() {
  local want=$1
  shift
  local got=0
  "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || got=$?
  expect_eq "$got" "$want" "status of: $(printf '%q ' "$@")"
  # Nothing but printable ASCII, UTF-8 and the newlines that end lines.
  if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$TEST_TMP/err"; then
    fail "raw control bytes on stderr: $(od -c "$TEST_TMP/err" | head -5)"
  fi
  [[ $(head -n 1 "$TEST_TMP/err") == "shmkit: error: "* ]] || fail "stderr: $(cat -v "$TEST_TMP/err")"
}
check 2 "$SHMKIT" read hex "$esc"
grep -qF '\x1b[31m' "$TEST_TMP/err" ||
  fail "the escape is not shown as \\x1b: $(cat "$TEST_TMP/err")"
check 2 "$SHMKIT" "$esc"
grep -qF "unknown subcommand '\\x1b[31m'" "$TEST_TMP/err" || fail "$(cat "$TEST_TMP/err")"
check 2 "$SHMKIT" ls -o "SEGMENT,$esc"
check 2 "$SHMKIT" ls "--$esc"
check 2 "$SHMKIT" create posix:/x --size "1$esc"
check 2 "$SHMKIT" write posix:/p --type "u32$esc" 1
check 2 "$SHMKIT" write posix:/p --type u32 "1$esc"
check 2 "$SHMKIT" read posix:/p --format "$esc"
check 1 "$SHMKIT" read "posix:/$esc"
check 1 "$SHMKIT" rm "posix:/a"$'\x9b'"b"
check 2 "$SHMKIT" read posix:/p --offset $'\x01'
check 2 "$SHMKIT" watch posix:/p --interval $'1s\r'
check 2 "$SHMKIT" attach posix:/p --timeout $'\xff\xfe'
grep -qF '\xff\xfe' "$TEST_TMP/err" || fail "invalid UTF-8 is not shown as \\xHH: $(cat "$TEST_TMP/err")"
echo ok
