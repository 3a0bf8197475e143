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
