#!/usr/bin/env bash
# Bad input to read: one line on stderr, status 2 for usage errors and 1 for runtime ones,
# nothing on stdout. Offsets -1, size, size+1 and 2^64-1; length 0; lengths that overflow;
# conflicting options; a segment removed between ls and read; stdout on /dev/full; and a
# closed pipe, which stays quiet.
source "$(dirname "$0")/common.sh"

head -c 100 /dev/urandom >/dev/shm/obj
id=$(ipcmk -M 100 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
"$SHMKIT" write "id:$id" </dev/shm/obj

for seg in posix:/obj "id:$id"; do
  shown=$seg
  expect_error 2 "invalid offset '-1'" "$SHMKIT" read "$seg" --offset -1
  expect_error 2 "invalid offset '-1'" "$SHMKIT" read "$seg" --offset=-1
  expect_error 1 "offset 100 is past the end of $shown (size 100 bytes)" "$SHMKIT" read "$seg" -s 100
  expect_error 1 "offset 101 is past the end of $shown (size 100 bytes)" "$SHMKIT" read "$seg" -s 101
  expect_error 1 "offset 18446744073709551615 is past the end" "$SHMKIT" read "$seg" -s 18446744073709551615
  expect_error 1 "offset 18446744073709551615 is past the end" "$SHMKIT" read "$seg" -s 0xffffffffffffffff
  expect_error 2 "invalid length '0': must be positive" "$SHMKIT" read "$seg" -n 0
  expect_error 2 "invalid length '99999999999999999999': too large" "$SHMKIT" read "$seg" -n 99999999999999999999
  expect_error 2 "invalid length '16E'" "$SHMKIT" read "$seg" -n 16E
  # issue 9: one wording of "past the end" for read, write and watch (was "go past the end of")
  expect_error 1 "18446744073709551615 bytes at offset 1 do not fit in $shown (size 100 bytes)" \
    "$SHMKIT" read "$seg" -s 1 -n 0xffffffffffffffff
  expect_error 1 "11 bytes at offset 90 do not fit in $shown (size 100 bytes)" \
    "$SHMKIT" read "$seg" -s 90 -n 11
  expect_error 1 "16 bytes at offset 96 do not fit in $shown (size 100 bytes)" \
    "$SHMKIT" read "$seg" -s 96 --type u64 --count 2
  # issue 9: a count whose values exceed 2^64 bytes is a bad number (2), as in watch (was 1)
  expect_error 2 "invalid count '0x4000000000000000': too large" "$SHMKIT" read "$seg" --type u64 --count 0x4000000000000000
  # The range that fits exactly is fine.
  expect_status 0 "$SHMKIT" read "$seg" -s 90 -n 10
  cmp "$TEST_TMP/out" <(tail -c 10 /dev/shm/obj) || fail "last 10 bytes of $seg"
done

seg=posix:/obj
expect_error 2 "invalid count '0'" "$SHMKIT" read $seg --type u8 --count 0
expect_error 2 "invalid count '-1'" "$SHMKIT" read $seg --type u8 --count=-1
expect_error 2 "--count needs --type" "$SHMKIT" read $seg --count 2
expect_error 2 "--endian needs --type" "$SHMKIT" read $seg --endian big
expect_error 2 "unknown byte order 'middle'" "$SHMKIT" read $seg --type u16 --endian middle
expect_error 2 "unknown value type 'u128'" "$SHMKIT" read $seg --type u128
expect_error 2 "unknown format 'octal'" "$SHMKIT" read $seg --format octal
# issue 9: rules between options are the option table's (was "cannot be combined")
expect_error 2 "--type and --format exclude each other" "$SHMKIT" read $seg --type u8 --format hex
expect_error 2 "--type and --length exclude each other" "$SHMKIT" read $seg --type u8 -n 4
expect_error 2 "segment is required" "$SHMKIT" read
expect_error 2 "" "$SHMKIT" read $seg extra
expect_error 2 "" "$SHMKIT" read "posix:a/b"
expect_error 2 "" "$SHMKIT" read ""

# Removed between ls and read: the address from ls names nothing any more.
victim=$(ipcmk -M 64 | awk '{ print $NF }')
listed=$("$SHMKIT" ls --noheadings --raw -o segment "id:$victim")
key=$("$SHMKIT" ls --noheadings --raw -o key "id:$victim")
ipcrm -m "$victim"
expect_error 1 "no sysv segment id:$victim" "$SHMKIT" read "$listed"
expect_error 1 "no sysv segment with key $key" "$SHMKIT" read "key:$key"
printf 'gone soon' >/dev/shm/victim
listed=$("$SHMKIT" ls --noheadings --raw -o segment posix:/victim)
rm /dev/shm/victim
expect_error 1 "cannot open posix:/victim: no such file or directory" "$SHMKIT" read "$listed"
expect_error 1 "no such file or directory" "$SHMKIT" read "file:$TEST_TMP/none"

# stdout that cannot be written is an error, for every way of printing.
for args in "posix:/obj" "id:$id" "posix:/obj --format=hexdump" "id:$id --format=xxd" \
  "posix:/obj --type u32 --count 3" "posix:/obj --format=string"; do
  got=0
  # shellcheck disable=SC2086 # $args is split on purpose
  "$SHMKIT" read $args >/dev/full 2>"$TEST_TMP/err" || got=$?
  expect_eq "$got" 1 "exit status with stdout on /dev/full: $args"
  expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" \
    "message with stdout on /dev/full: $args"
done

# A reader that stops early (EPIPE) is not an error and prints nothing.
head -c 8M /dev/urandom >/dev/shm/big
for args in "posix:/big" "posix:/big --format=hexdump"; do
  set +o pipefail
  # shellcheck disable=SC2086
  "$SHMKIT" read $args 2>"$TEST_TMP/err" | head -c 1 >/dev/null
  status=${PIPESTATUS[0]}
  set -o pipefail
  expect_eq "$status" 0 "exit status into a closed pipe: $args"
  [[ ! -s $TEST_TMP/err ]] || fail "stderr into a closed pipe: $(cat "$TEST_TMP/err")"
done
