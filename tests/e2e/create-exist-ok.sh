#!/usr/bin/env bash
# --exist-ok accepts an existing segment of the same kind that is at least as large, leaves it
# as it is, and rejects anything else; without it creation is exclusive.
source "$(dirname "$0")/common.sh"

# SysV
expect_status 0 "$SHMKIT" create key:0x77 --size 100 --mode 640
seg=$(cat "$TEST_TMP/out")
id=${seg#id:}
ctime=$(sysv_field "$id" ctime)
expect_error 1 "cannot create key:0x00000077: already exists" "$SHMKIT" create key:0x77 --size 100
for size in 100 50; do
  expect_status 0 "$SHMKIT" create key:0x77 --size "$size" --exist-ok --mode 666
  expect_eq "$(cat "$TEST_TMP/out")" "$seg" "exist-ok --size $size prints the existing address"
done
expect_error 1 "key:0x00000077 exists as $seg with size 100, smaller than the requested 101" \
  "$SHMKIT" create key:0x77 --size 101 --exist-ok
# Left as it was: same size, mode, ctime; still one segment with that key.
expect_eq "$(sysv_field "$id" size) $(sysv_field "$id" perms) $(sysv_field "$id" ctime)" \
  "100 640 $ctime" "existing sysv segment unchanged"
expect_eq "$(awk 'NR > 1 && $1 == 119' /proc/sysvipc/shm | wc -l)" 1 "one segment with key 0x77"

# POSIX: regular object accepted, contents untouched by --from.
printf 'old' >"$TEST_TMP/old"
printf 'new' >"$TEST_TMP/new"
expect_status 0 "$SHMKIT" create posix:/obj --from "$TEST_TMP/old" --mode 604
expect_status 0 "$SHMKIT" create posix:/obj --size 3 --exist-ok --from "$TEST_TMP/new" --mode 600
expect_eq "$(cat "$TEST_TMP/out")" "posix:/obj" "posix exist-ok address"
expect_eq "$(cat /dev/shm/obj)" "old" "existing contents not overwritten"
expect_eq "$(stat -c '%a %s' /dev/shm/obj)" "604 3" "existing mode and size kept"
expect_error 1 "posix:/obj exists with size 3, smaller than the requested 4" \
  "$SHMKIT" create posix:/obj --size 4 --exist-ok
expect_error 1 "cannot create posix:/obj: already exists" "$SHMKIT" create posix:/obj --size 1

# Not the same kind: a directory, a FIFO or a symlink where the object would be.
mkdir /dev/shm/dir
mkfifo /dev/shm/fifo
ln -s obj /dev/shm/link
for name in dir fifo link; do
  expect_error 1 "posix:/$name exists and is not a regular file" \
    "$SHMKIT" create "posix:/$name" --size 1 --exist-ok
done
expect_eq "$(stat -c %F /dev/shm/dir /dev/shm/fifo /dev/shm/link)" \
  $'directory\nfifo\nsymbolic link' "odd entries untouched"

# File
expect_status 0 "$SHMKIT" create "$TEST_TMP/f.bin" --size 10
expect_status 0 "$SHMKIT" create "$TEST_TMP/f.bin" --size 10 --exist-ok
expect_eq "$(cat "$TEST_TMP/out")" "file:$TEST_TMP/f.bin" "file exist-ok address"
expect_error 1 "exists with size 10, smaller than the requested 11" \
  "$SHMKIT" create "$TEST_TMP/f.bin" --size 11 --exist-ok

expect_status 0 "$SHMKIT" rm "$seg" posix:/obj "$TEST_TMP/f.bin"
