#!/usr/bin/env bash
# read --format=hexdump/xxd/hex is byte-identical to `hexdump -C` (`-Cv` with -v), `xxd` and
# `xxd -p` run over the same bytes with the same offset and length, on all three backends:
# a 1-byte range, lengths that are not a multiple of 16, runs of repeated lines, every byte
# value, non-zero offsets, a whole empty object, and offsets past 4 GiB.
source "$(dirname "$0")/common.sh"

# The bytes: all 256 values, runs of identical 16-byte lines, an odd tail.
data=$TEST_TMP/data
{
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))'
  head -c 200 /dev/zero
  printf 'A%.0s' {1..100}
  head -c 64 /dev/zero
  printf 'changed'
  head -c 1000 /dev/zero
  head -c 333 /dev/urandom
} >"$data"
size=$(stat -c %s "$data")

cp "$data" /dev/shm/hex
cp "$data" "$TEST_TMP/file.bin"
id=$(ipcmk -M "$size" | awk '{ print $NF }')
on_exit "ipcrm -m $id"
"$SHMKIT" write "id:$id" <"$data"

# check SEGMENT OFFSET LENGTH: every view of the range against the tools over $data.
check() {
  local seg=$1 off=$2 len=$3
  local range=(-s "$off" -n "$len")
  diff <("$SHMKIT" read "$seg" "${range[@]}" --format=hexdump) \
    <(hexdump -C -s "$off" -n "$len" "$data") || fail "hexdump $seg $off+$len"
  diff <("$SHMKIT" read "$seg" "${range[@]}" --format=hexdump -v) \
    <(hexdump -Cv -s "$off" -n "$len" "$data") || fail "hexdump -v $seg $off+$len"
  diff <("$SHMKIT" read "$seg" "${range[@]}" --format=xxd) \
    <(xxd -s "$off" -l "$len" "$data") || fail "xxd $seg $off+$len"
  diff <("$SHMKIT" read "$seg" "${range[@]}" --format=hex) \
    <(xxd -p -s "$off" -l "$len" "$data") || fail "xxd -p $seg $off+$len"
}

for seg in posix:/hex "id:$id" "file:$TEST_TMP/file.bin"; do
  check "$seg" 0 1             # one byte
  check "$seg" 0 "$size"       # everything
  check "$seg" 0 1000          # not a multiple of 16, repeated lines inside
  check "$seg" 37 1            # one byte at an odd offset
  check "$seg" 5 777           # unaligned start and length
  check "$seg" 256 1400        # starts in a zero run: squeezing from the first lines
  check "$seg" $((size - 3)) 3 # the tail
  # Without --offset/--length: the whole segment, same as the tools on the whole file.
  diff <("$SHMKIT" read "$seg" --format=hexdump) <(hexdump -C "$data") || fail "whole $seg"
  diff <("$SHMKIT" read "$seg" --format=xxd) <(xxd "$data") || fail "whole xxd $seg"
  # --offset alone reads to the end.
  diff <("$SHMKIT" read "$seg" -s 100 --format=hexdump) <(hexdump -C -s 100 "$data") ||
    fail "offset to end $seg"
done

# A whole empty POSIX object: no output at all, like the tools on an empty file.
: >/dev/shm/empty
for fmt in hexdump xxd hex raw; do
  expect_status 0 "$SHMKIT" read posix:/empty --format=$fmt
  [[ ! -s $TEST_TMP/out ]] || fail "empty object printed something for $fmt"
done
[[ -z $(hexdump -C /dev/shm/empty) && -z $(xxd /dev/shm/empty) ]] || fail "tools on empty"

# Offsets past 4 GiB widen the offset column; a sparse file keeps this cheap.
big=$TEST_TMP/sparse.bin
truncate -s 5G "$big"
printf 'past four gigabytes' | dd of="$big" bs=1 seek=$((0x100000007)) conv=notrunc status=none
diff <("$SHMKIT" read "file:$big" -s 0x100000000 -n 64 --format=hexdump) \
  <(hexdump -C -s $((0x100000000)) -n 64 "$big") || fail "hexdump past 4 GiB"
diff <("$SHMKIT" read "file:$big" -s 0x100000000 -n 64 --format=xxd) \
  <(xxd -s $((0x100000000)) -l 64 "$big") || fail "xxd past 4 GiB"
