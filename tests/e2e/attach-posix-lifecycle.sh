#!/usr/bin/env bash
# A POSIX object or file held by attach: shrunk by another process → one error line and status
# exactly 1 (never SIGBUS, 135), even after --prefault touched every page; grown → goes on
# holding; its name unlinked or replaced → a warning, detach, status 0 (nobody can reach the
# object by name any more, so holding it keeps nothing alive for anyone).
source "$(dirname "$0")/common.sh"

# hold SEGMENT ARGS...: starts attach in the background (pid in $attach), waits for its line.
hold() {
  : >"$TEST_TMP/line"
  "$SHMKIT" attach "$@" >"$TEST_TMP/line" 2>"$TEST_TMP/err" &
  attach=$!
  on_exit "kill $attach"
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -s $TEST_TMP/line ]] && return 0
    sleep 0.02
  done
  fail "attach printed nothing: $(cat "$TEST_TMP/err")"
}

finish() {
  status=0
  wait "$attach" || status=$?
}

"$SHMKIT" create posix:held --size 64K --allocate >/dev/null
hold posix:held --prefault
[[ $(cat "$TEST_TMP/line") =~ ^posix:/held\ size=65536\ type=posix\ addr=0x[0-9a-f]+\ pid=$attach$ ]] ||
  fail "line: $(cat "$TEST_TMP/line")"
grep -q ' /dev/shm/held$' "/proc/$attach/maps" || fail "not mapped"
truncate -s 128K /dev/shm/held
sleep 0.3
kill -0 "$attach" || fail "attach stopped when the object grew"
truncate -s 0 /dev/shm/held
finish
expect_eq "$status" 1 "status after truncation"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: posix:/held shrank from 65536 to 0 bytes while attached" "truncation message"

# A file, the same.
file=$TEST_TMP/data.bin
head -c 10000 /dev/zero >"$file"
hold "file:$file" --readonly --prefault
truncate -s 100 "$file"
finish
expect_eq "$status" 1 "file status after truncation"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: file:$file shrank from 10000 to 100 bytes while attached" "file message"

# Unlinked: detach, status 0.
"$SHMKIT" create posix:unlinked --size 4096 >/dev/null
hold posix:unlinked
rm /dev/shm/unlinked
finish
expect_eq "$status" 0 "status after unlink"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: warning: posix:/unlinked was removed; detaching" \
  "unlink message"

# Replaced by another object under the same name: detach, status 0.
"$SHMKIT" create posix:swapped --size 4096 >/dev/null
hold posix:swapped --readonly
"$SHMKIT" create posix:other --size 4096 >/dev/null
mv /dev/shm/other /dev/shm/swapped
finish
expect_eq "$status" 0 "status after replacement"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: warning: posix:/swapped was replaced by another object; detaching" "replace message"

# The line escapes the address like ls --raw (no spaces), and it is accepted back.
"$SHMKIT" create 'posix:with space' --size 4096 >/dev/null
expect_status 0 "$SHMKIT" attach 'posix:with space' --readonly --timeout 100ms
read -r seg _ <"$TEST_TMP/out"
expect_eq "$seg" 'posix:/with\x20space' "escaped address"
expect_status 0 "$SHMKIT" attach "$seg" --readonly --timeout 100ms

# A line that cannot be written is an error; a reader that left is not.
status=0
"$SHMKIT" attach 'posix:with space' --readonly --timeout 20s >/dev/full 2>"$TEST_TMP/err" ||
  status=$?
expect_eq "$status" 1 "status with /dev/full (at once, not after the timeout)"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" \
  "/dev/full message"
status=$("$SHMKIT" attach 'posix:with space' --readonly --timeout 100ms | head -c 0
  echo "${PIPESTATUS[0]}")
expect_eq "$status" 0 "status with a reader that left"
