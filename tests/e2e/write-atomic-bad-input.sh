#!/usr/bin/env bash
# issue 12, bad input to the atomic operations of write: a one-line error, status 2 (found from
# the command line alone), and nothing read or written: --cas with one value or three, an
# unaligned offset, a value that does not fit the type, --add (and the bit operations) on f32
# or f64, two operations together, an operation without --type, --add in a foreign byte order.
# Runtime failures (status 1): past the end, no such segment, opened without write permission.
source "$(dirname "$0")/common.sh"

id=$(ipcmk -M 16 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s 16 /dev/shm/bad

for seg in "id:$id" posix:/bad; do
  "$SHMKIT" write "$seg" --hex '0102030405060708 1112131415161718'
  before=$("$SHMKIT" read "$seg" --format=hex)
  lpid=$(sysv_field "$id" lpid)
  w=("$SHMKIT" write "$seg")
  expect_error 2 "--cas needs two values: --cas EXPECTED NEW" "${w[@]}" --type u64 --cas 5
  expect_error 2 "--cas: 1 required EXPECTED missing" "${w[@]}" --type u64 --cas
  expect_error 2 "--cas takes one NEW value, not 2" "${w[@]}" --type u64 --cas 5 6 7
  expect_error 2 "offset 4 is not aligned to 8 bytes, as --cas needs for u64" \
    "${w[@]}" -s 4 --type u64 --cas 0 1
  expect_error 2 "offset 1 is not aligned to 2 bytes, as --add needs for i16" \
    "${w[@]}" -s 1 --type i16 --add 1
  expect_error 2 "offset 6 is not aligned to 4 bytes, as --xor needs for u32" \
    "${w[@]}" -s 6 --type u32 --xor 1
  expect_error 2 "value '256' out of range for u8 (0..255)" "${w[@]}" --type u8 --cas 256 0
  expect_error 2 "value '256' out of range for u8 (0..255)" "${w[@]}" --type u8 --cas 0 256
  expect_error 2 "value '-1' out of range for u32 (0..4294967295)" "${w[@]}" --type u32 --cas -1 0
  expect_error 2 "value '128' out of range for i8 (-128..127)" "${w[@]}" --type i8 --add 128
  expect_error 2 "value '256' out of range for --add on u8 (-255..255)" "${w[@]}" --type u8 --add 256
  expect_error 2 "value '-256' out of range for --add on u8 (-255..255)" \
    "${w[@]}" --type u8 --add -256
  expect_error 2 "value '0x10000' out of range for u16 (0..65535)" "${w[@]}" --type u16 --or 0x10000
  expect_error 2 "invalid u64 value '1.5': expected a decimal or 0x hex integer" \
    "${w[@]}" --type u64 --add 1.5
  expect_error 2 "invalid u32 value '-x': expected a decimal or 0x hex integer" \
    "${w[@]}" --type u32 --add -x
  expect_error 2 "--add needs an integer --type, not f32" "${w[@]}" --type f32 --add 1
  expect_error 2 "--add needs an integer --type, not f64" "${w[@]}" --type f64 --add 1
  expect_error 2 "--or needs an integer --type, not f64" "${w[@]}" --type f64 --or 1
  expect_error 2 "--and needs an integer --type, not f32" "${w[@]}" --type f32 --and 1
  expect_error 2 "--cas and --add exclude each other" "${w[@]}" --type u64 --cas 0 1 --add 1
  expect_error 2 "--add and --xor exclude each other" "${w[@]}" --type u64 --add 1 --xor 1
  expect_error 2 "--or and --and exclude each other" "${w[@]}" --type u64 --or 1 --and 1
  expect_error 2 "--cas and --atomic exclude each other" "${w[@]}" --type u64 --atomic --cas 0 1
  expect_error 2 "--add and --grow exclude each other" "${w[@]}" --type u64 --grow --add 1
  expect_error 2 "--add and --verbose exclude each other" "${w[@]}" --type u64 -v --add 1
  expect_error 2 "--cas needs --type" "${w[@]}" --cas 0 1
  expect_error 2 "--add needs --type" "${w[@]}" --add 1
  expect_error 2 "--xor needs --type" "${w[@]}" --xor 1
  expect_error 2 "--data and --type exclude each other" "${w[@]}" --type u8 --data x --add 1
  expect_error 2 "unexpected argument '2' (--add takes no VALUE)" "${w[@]}" --type u64 --add 1 2
  expect_error 2 "--add works in this machine's byte order only (--endian native)" \
    "${w[@]}" --type u32 --endian big --add 1
  expect_error 2 "invalid id '': empty" "$SHMKIT" write "id:" --type u64 --add 1

  # Nothing attached the SysV segment meanwhile (an attach sets lpid), nothing changed.
  expect_eq "$(sysv_field "$id" lpid)" "$lpid" "id:$id not attached by usage errors"
  expect_eq "$("$SHMKIT" read "$seg" --format=hex)" "$before" "$seg unchanged by usage errors"

  # Runtime failures: status 1, nothing on stdout, and nothing changed.
  expect_error 1 "offset 16 is past the end of $seg (size 16 bytes)" \
    "${w[@]}" -s 16 --type u64 --add 1
  expect_error 1 "offset 16 is past the end of $seg (size 16 bytes)" \
    "${w[@]}" -s 16 --type u32 --cas 0 1
  expect_eq "$("$SHMKIT" read "$seg" --format=hex)" "$before" "$seg unchanged by runtime errors"
done

truncate -s 12 /dev/shm/short
expect_error 1 "8 bytes at offset 8 do not fit in posix:/short (size 12 bytes)" \
  "$SHMKIT" write posix:/short -s 8 --type u64 --add 1
expect_eq "$(od -An -tx1 /dev/shm/short | tr -d ' ')" 000000000000000000000000 "posix:/short unchanged"
expect_error 1 "no sysv segment with key 0x00000999" "$SHMKIT" write key:0x999 --type u64 --add 1
expect_error 1 "cannot open posix:/none" "$SHMKIT" write posix:/none --type u32 --cas 0 1

# Without write permission: refused, the value unchanged.
chmod 644 /dev/shm/bad
expect_error 1 "cannot open posix:/bad for writing: permission denied" \
  as_nobody "$SHMKIT" write posix:/bad --type u64 --add 1
"$SHMKIT" create key:0x77 --size 8 --mode 644 >/dev/null
on_exit "ipcrm -M 0x77"
expect_error 1 "permission denied" as_nobody "$SHMKIT" write key:0x77 --type u64 --cas 0 1
expect_eq "$("$SHMKIT" read key:0x77 --type u64)" 0 "key:0x77 unchanged"
