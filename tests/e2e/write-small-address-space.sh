#!/usr/bin/env bash
# Under a small address space (ulimit -v, prlimit --as) the stage for input of unknown length
# starts at what is left and grows as input arrives (issue 8 defect 19c); input that memory
# cannot hold is an error naming the limit, never an abort (issue 8 defect 10).
source "$(dirname "$0")/common.sh"

command -v prlimit >/dev/null || skip "no prlimit"
"$SHMKIT" create posix:/big --size 1G >/dev/null
truncate -s 100 /dev/shm/small
# The binary's own address space (measured on an attach), plus 24 MiB: less than the 64 MiB
# the stage used to start at.
"$SHMKIT" attach posix:/small --readonly --timeout 5s >/dev/null &
holder=$!
on_exit "kill $holder"
wait_open "$holder" /dev/shm/small
base_kb=$(awk '$1 == "VmSize:" { print $2 }' "/proc/$holder/status")
kill "$holder"
wait "$holder" || true
[[ -n $base_kb ]] || skip "cannot measure the address space"
as=$(((base_kb + 24 * 1024) * 1024))

# issue 8 defect 19c: 3 bytes from a pipe, into a 1 GiB segment and with --grow.
status=0
printf abc | prlimit --as="$as" "$SHMKIT" write posix:/big 2>"$TEST_TMP/err" || status=$?
expect_eq "$status:$(cat "$TEST_TMP/err")" "0:" "3 bytes into a 1 GiB object"
expect_eq "$("$SHMKIT" read posix:/big -n 3)" abc "the bytes"
printf xyz | prlimit --as="$as" "$SHMKIT" write posix:/small -s 1M --grow -v >"$TEST_TMP/out"
expect_eq "$(cat "$TEST_TMP/out")" \
  "wrote 3 bytes to posix:/small at offset 1048576, growing it from 100 to 1048579 bytes" "--grow"

# issue 8 defect 10: more than the address space holds; nothing written, status 1, a message.
before=$("$SHMKIT" read posix:/big -n 3)
status=0
head -c 100M /dev/zero | prlimit --as="$as" "$SHMKIT" write posix:/big 2>"$TEST_TMP/err" || status=$?
expect_eq "$status" 1 "status when memory runs out"
grep -Eq "^shmkit: error: cannot stage more than [0-9]+ bytes of standard input in memory: the address space is limited to $as bytes \(RLIMIT_AS, ulimit -v\)$" \
  "$TEST_TMP/err" || fail "message: $(cat "$TEST_TMP/err")"
expect_eq "$("$SHMKIT" read posix:/big -n 3)" "$before" "unchanged"

# issue 9 (writing from stdin): input whose length is known before its first byte (a regular
# file on stdin, --file) is bounds-checked up front and streamed, never staged: 100 MiB go in
# where the address space could not stage them, and input larger than the room is still
# refused with the segment unchanged.
head -c 100M /dev/urandom >"$TEST_TMP/100M"
for how in stdin file; do
  "$SHMKIT" write posix:/big --zero -n 100M
  status=0
  if [[ $how == stdin ]]; then
    prlimit --as="$as" "$SHMKIT" write posix:/big -s 7 -v <"$TEST_TMP/100M" >"$TEST_TMP/out" \
      2>"$TEST_TMP/err" || status=$?
  else
    prlimit --as="$as" "$SHMKIT" write posix:/big -s 7 -v --file "$TEST_TMP/100M" \
      >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null || status=$?
  fi
  expect_eq "$status:$(cat "$TEST_TMP/err")" "0:" "100 MiB streamed from a file ($how)"
  expect_eq "$(cat "$TEST_TMP/out")" "wrote 104857600 bytes to posix:/big at offset 7" "-v ($how)"
  cmp <("$SHMKIT" read posix:/big -s 7 -n 100M) "$TEST_TMP/100M" || fail "streamed bytes ($how)"
done
truncate -s 1000 /dev/shm/small
before=$(sha256sum </dev/shm/small)
expect_error 1 "input is larger than the 1000 bytes from offset 0 to the end of posix:/small" \
  prlimit --as="$as" "$SHMKIT" write posix:/small <"$TEST_TMP/100M"
expect_eq "$(sha256sum </dev/shm/small)" "$before" "unchanged by a file larger than the room"
