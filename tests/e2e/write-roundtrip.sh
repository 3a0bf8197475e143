#!/usr/bin/env bash
# Round trips on every backend: random bytes written from stdin (whole and at an offset),
# --data, --hex, --file, --fill and --zero read back identically, and typed values of every
# type in both byte orders read back as written, with the bytes Python's struct.pack makes.
source "$(dirname "$0")/common.sh"

size=70001 # not a multiple of the page size: bounds follow the segment, not the page
id=$(ipcmk -M $size | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s $size /dev/shm/rt
truncate -s $size "$TEST_TMP/rt.bin"

# The expected bytes of every typed case, made by Python: $TEST_TMP/typed-T-ORDER.
declare -A values=(
  [u8]="0 255 127" [i8]="-128 127 -1" [u16]="0 65535 4660" [i16]="-32768 32767 -2"
  [u32]="0 4294967295 3735928559" [i32]="-2147483648 2147483647 -7"
  [u64]="0 18446744073709551615 1234567890123"
  [i64]="-9223372036854775808 9223372036854775807 -42"
  [f32]="1.5 -0.25 3.4028235e+38 inf -0" [f64]="0.1 -2.5e-300 1e+300 -inf 5e-324"
)
for type in "${!values[@]}"; do echo "$type ${values[$type]}"; done >"$TEST_TMP/cases"
python3 - "$TEST_TMP" <<'PY'
import struct, sys
codes = dict(u8="B", i8="b", u16="H", i16="h", u32="I", i32="i", u64="Q", i64="q",
             f32="f", f64="d")
for line in open(sys.argv[1] + "/cases"):
    t, *vals = line.split()
    nums = [float(v) if t[0] == "f" else int(v) for v in vals]
    for order, mark in (("little", "<"), ("big", ">")):
        with open(f"{sys.argv[1]}/typed-{t}-{order}", "wb") as f:
            f.write(struct.pack(mark + codes[t] * len(nums), *nums))
PY

model=$TEST_TMP/model
# mirror OFFSET FILE: applies a write to the model of the segment's contents.
mirror() { dd if="$2" of="$model" bs=64K seek="$1" oflag=seek_bytes conv=notrunc status=none; }

for seg in "id:$id" posix:/rt "file:$TEST_TMP/rt.bin"; do
  same() { "$SHMKIT" read "$seg" | cmp - "$model" || fail "$seg differs from the model after $1"; }

  head -c $size /dev/urandom >"$model"
  "$SHMKIT" write "$seg" <"$model"
  same "a whole write from a file on stdin"
  head -c $size /dev/urandom | tee "$model" | "$SHMKIT" write "$seg"
  same "a whole write from a pipe"

  head -c 1000 /dev/urandom >"$TEST_TMP/chunk"
  "$SHMKIT" write "$seg" --offset 12345 <"$TEST_TMP/chunk"
  mirror 12345 "$TEST_TMP/chunk"
  same "1000 bytes from stdin at 12345"
  head -c 1 /dev/urandom >"$TEST_TMP/chunk"
  "$SHMKIT" write "$seg" -s $((size - 1)) <"$TEST_TMP/chunk"
  mirror $((size - 1)) "$TEST_TMP/chunk"
  same "the last byte"

  "$SHMKIT" write "$seg" -s 0x10 --data 'hello, world'
  printf 'hello, world' >"$TEST_TMP/chunk"
  mirror 16 "$TEST_TMP/chunk"
  same "--data"
  "$SHMKIT" write "$seg" -s 1K --hex $'de ad\tBE EF\n00ff'
  printf '\xde\xad\xbe\xef\x00\xff' >"$TEST_TMP/chunk"
  mirror 1024 "$TEST_TMP/chunk"
  same "--hex"
  head -c 3000 /dev/urandom >"$TEST_TMP/chunk"
  "$SHMKIT" write "$seg" -s 2000 --file "$TEST_TMP/chunk"
  mirror 2000 "$TEST_TMP/chunk"
  same "--file"
  "$SHMKIT" write "$seg" -s 5000 --fill 0xa5 --length 777
  head -c 777 /dev/zero | tr '\0' '\245' >"$TEST_TMP/chunk"
  mirror 5000 "$TEST_TMP/chunk"
  same "--fill"
  "$SHMKIT" write "$seg" -s 6000 --zero -n 100
  head -c 100 /dev/zero >"$TEST_TMP/chunk"
  mirror 6000 "$TEST_TMP/chunk"
  same "--zero --length"
  "$SHMKIT" write "$seg" -s 60000 --zero
  head -c $((size - 60000)) /dev/zero >"$TEST_TMP/chunk"
  mirror 60000 "$TEST_TMP/chunk"
  same "--zero to the end"

  expect_status 0 "$SHMKIT" write "$seg" -s 7 --data abc
  [[ ! -s $TEST_TMP/out && ! -s $TEST_TMP/err ]] || fail "a successful write printed something"
  expect_status 0 "$SHMKIT" write "$seg" -s 7 --data abc -v
  expect_eq "$(cat "$TEST_TMP/out")" "wrote 3 bytes to $seg at offset 7" "-v"
  printf abc >"$TEST_TMP/chunk"
  mirror 7 "$TEST_TMP/chunk"

  off=100
  while read -r type vals; do
    for order in little big; do
      # shellcheck disable=SC2086 # the values are split on purpose
      "$SHMKIT" write "$seg" -s $off --type "$type" --endian $order -- $vals
      # shellcheck disable=SC2086
      expect_eq "$("$SHMKIT" read "$seg" -s $off --type "$type" --endian $order --count "$(wc -w <<<"$vals")" | tr '\n' ' ')" \
        "$vals " "$seg: $type $order read back"
      mirror $off "$TEST_TMP/typed-$type-$order"
      off=$((off + 64))
    done
  done <"$TEST_TMP/cases"
  same "typed values (the bytes Python's struct.pack makes)"
done
