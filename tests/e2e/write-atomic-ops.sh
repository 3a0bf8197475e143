#!/usr/bin/env bash
# issue 12: write --cas/--add/--or/--and/--xor on every kind. --cas that swaps prints nothing
# and exits 0; one that finds another value leaves it unchanged, prints the value found (as
# read --type prints it) and exits 1 with nothing on stderr, so a script can retry with it.
# --add (negative N subtracts, wrapping as in C) and the bit operations print the value before.
# The bytes are checked with Python's struct, not with shmkit read.
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "no python3"

id=$(ipcmk -M 32 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s 32 /dev/shm/ops "$TEST_TMP/ops.bin"

# run_ok OUT CMD...: status 0, stdout exactly OUT, stderr empty.
run_ok() {
  local want=$1
  shift
  expect_status 0 "$@"
  expect_eq "$(cat "$TEST_TMP/out")" "$want" "stdout of $*"
  [[ ! -s $TEST_TMP/err ]] || fail "stderr of $*: $(cat "$TEST_TMP/err")"
}
# cas_missed FOUND CMD...: status 1, stdout exactly FOUND, stderr empty.
cas_missed() {
  local want=$1
  shift
  expect_status 1 "$@"
  expect_eq "$(cat "$TEST_TMP/out")" "$want" "value found by $*"
  [[ ! -s $TEST_TMP/err ]] || fail "stderr of a missed --cas: $(cat "$TEST_TMP/err")"
}

for seg in "id:$id" posix:/ops "file:$TEST_TMP/ops.bin"; do
  w=("$SHMKIT" write "$seg")
  "${w[@]}" --zero
  # u64 counter at 0: add, subtract, wrap below zero.
  run_ok 0 "${w[@]}" --type u64 --add 10
  run_ok 10 "${w[@]}" --type u64 --add -3
  run_ok 7 "${w[@]}" --type u64 --add -8
  run_ok 18446744073709551615 "${w[@]}" --type u64 --add 0x1
  # i32 at 8: negative values, wrap at the top.
  run_ok 0 "${w[@]}" -s 8 --type i32 --add -5
  run_ok -5 "${w[@]}" -s 8 --type i32 --add 2147483647
  run_ok 2147483642 "${w[@]}" -s 8 --type i32 --add 10
  # u8 at 12 and i8 at 13: wrap both ways.
  run_ok 0 "${w[@]}" -s 12 --type u8 --add -1
  run_ok 255 "${w[@]}" -s 12 --type u8 --add 2
  run_ok 0 "${w[@]}" -s 13 --type i8 --add -128
  run_ok -128 "${w[@]}" -s 13 --type i8 --add -1
  # u16 flag word at 14: or, and, xor.
  run_ok 0 "${w[@]}" -s 14 --type u16 --or 0xf0f0
  run_ok 61680 "${w[@]}" -s 14 --type u16 --and 0x3c3c
  run_ok 12336 "${w[@]}" -s 14 --type u16 --xor 0xffff
  # The same word as i16: a negative mask is all bits; the previous value prints signed.
  run_ok -12337 "${w[@]}" -s 14 --type i16 --and -1
  run_ok -12337 "${w[@]}" -s 14 --type i16 --or 0

  # --cas: swaps only on the expected value; a miss leaves the value and prints it.
  run_ok "" "${w[@]}" -s 16 --type u32 --cas 0 41
  cas_missed 41 "${w[@]}" -s 16 --type u32 --cas 0 99
  cas_missed 41 "${w[@]}" -s 16 --type u32 --cas 40 99
  run_ok "" "${w[@]}" -s 16 --type u32 --cas 41 42
  # In big-endian order: the operands are encoded, the value found decoded, in that order.
  run_ok "" "${w[@]}" -s 20 --type u32 --endian big --cas 0 0x01020304
  cas_missed 16909060 "${w[@]}" -s 20 --type u32 --endian big --cas 0 1
  run_ok 16909060 "${w[@]}" -s 20 --type u32 --endian big --or 0x80000000
  cas_missed 2164392708 "${w[@]}" -s 20 --type u32 --endian big --cas 16909060 0
  # f64: the bits are compared; -0 is not 0, and a miss prints the float.
  run_ok "" "${w[@]}" -s 24 --type f64 --cas 0 -0
  cas_missed -0 "${w[@]}" -s 24 --type f64 --cas 0 1.5
  run_ok "" "${w[@]}" -s 24 --type f64 --cas -0 0.1
  cas_missed 0.1 "${w[@]}" -s 24 --type f64 --cas 0.2 1

  python3 - "$seg" "$id" "$TEST_TMP/ops.bin" >"$TEST_TMP/py" <<'PY'
import ctypes, struct, sys
seg, shmid, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if seg.startswith("id:"):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    addr = libc.shmat(shmid, None, 0o10000)  # SHM_RDONLY
    data = ctypes.string_at(addr, 32)
else:
    data = open("/dev/shm/ops" if seg == "posix:/ops" else path, "rb").read()
u64, i32, u8, i8, u16, u32, u32be, f64 = (
    struct.unpack_from("<Q", data, 0)[0], struct.unpack_from("<i", data, 8)[0],
    data[12], struct.unpack_from("<b", data, 13)[0], struct.unpack_from("<H", data, 14)[0],
    struct.unpack_from("<I", data, 16)[0], struct.unpack_from(">I", data, 20)[0],
    struct.unpack_from("<d", data, 24)[0])
print(u64, i32, u8, i8, u16, u32, hex(u32be), f64)
PY
  expect_eq "$(cat "$TEST_TMP/py")" "0 -2147483644 1 127 53199 42 0x81020304 0.1" "$seg bytes"
done
