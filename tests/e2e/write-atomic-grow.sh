#!/usr/bin/env bash
# --atomic stores one naturally aligned 1/2/4/8-byte value on every backend; --grow extends
# POSIX objects and files (never SysV); a write that a full tmpfs cannot hold fails with
# ENOSPC (pwrite, not a mapping: no SIGBUS) and leaves the object as it was.
source "$(dirname "$0")/common.sh"

id=$(ipcmk -M 20 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s 20 /dev/shm/at "$TEST_TMP/at.bin"

for seg in "id:$id" posix:/at "file:$TEST_TMP/at.bin"; do
  "$SHMKIT" write "$seg" --atomic --type u64 -s 8 0x1122334455667788
  "$SHMKIT" write "$seg" --atomic --type i32 -s 4 -- -2
  "$SHMKIT" write "$seg" --atomic --type u16 -s 2 --endian big 0x0102
  "$SHMKIT" write "$seg" --atomic --type u8 -s 1 255
  "$SHMKIT" write "$seg" --atomic --type f32 -s 16 1.5
  expect_eq "$("$SHMKIT" read "$seg" --format=hex)" \
    "00ff0102feffffff88776655443322110000c03f" "$seg after atomic stores"
  expect_error 2 "offset 12 is not aligned to 8 bytes" "$SHMKIT" write "$seg" --atomic --type u64 -s 12 1
  expect_error 1 "8 bytes at offset 16 do not fit in $seg (size 20 bytes)" \
    "$SHMKIT" write "$seg" --atomic --type f64 -s 16 1
done

# --grow: POSIX objects and files grow to fit; bytes in between are zeros.
for seg in posix:/at "file:$TEST_TMP/at.bin"; do
  "$SHMKIT" write "$seg" --grow -s 30 --data tail
  expect_eq "$("$SHMKIT" ls --noheadings --raw -o size --bytes "$seg")" 34 "$seg grown"
  expect_eq "$("$SHMKIT" read "$seg" -s 18 --format=hex)" "c03f000000000000000000007461696c" \
    "$seg contents after --grow"
  printf 'stdin data' | "$SHMKIT" write "$seg" --grow -s 34
  expect_eq "$("$SHMKIT" read "$seg" -s 30 --format=string)" "tailstdin data" "grow from stdin"
  "$SHMKIT" write "$seg" --grow --atomic --type u64 -s 48 7
  expect_eq "$("$SHMKIT" read "$seg" -s 48 --type u64)" 7 "atomic store with --grow"
  # A write that fits needs no growth and changes no size.
  "$SHMKIT" write "$seg" --grow --data x
  expect_eq "$("$SHMKIT" ls --noheadings --raw -o size --bytes "$seg")" 56 "$seg size kept"
done

# A full tmpfs: ENOSPC, one line, and the object keeps its size and bytes.
mkdir "$TEST_TMP/small"
mount -t tmpfs -o size=1m shmkit-small "$TEST_TMP/small"
on_exit "umount $TEST_TMP/small"
truncate -s 4M "$TEST_TMP/small/sparse"
head -c 100 /dev/urandom | dd of="$TEST_TMP/small/sparse" conv=notrunc status=none
before=$(sha256sum <"$TEST_TMP/small/sparse")
expect_error 1 "no space left on device" "$SHMKIT" write "file:$TEST_TMP/small/sparse" --fill 0xff -n 2M
expect_error 1 "no space left on device" "$SHMKIT" write "file:$TEST_TMP/small/sparse" --zero
expect_eq "$(sha256sum <"$TEST_TMP/small/sparse")" "$before" "unchanged after ENOSPC"
head -c 100 /dev/urandom >"$TEST_TMP/small/grow"
before=$(sha256sum <"$TEST_TMP/small/grow")
expect_error 1 "no space left on device" "$SHMKIT" write "file:$TEST_TMP/small/grow" --grow -s 100 --fill 1 -n 2M
expect_eq "$(stat -c %s "$TEST_TMP/small/grow")" 100 "size restored after a failed --grow"
expect_eq "$(sha256sum <"$TEST_TMP/small/grow")" "$before" "bytes unchanged after a failed --grow"
