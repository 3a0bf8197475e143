#!/usr/bin/env bash
# Interoperability: a struct that Python's multiprocessing.shared_memory writes with
# struct.pack_into (little- and big-endian fields of every type) is decoded by read --type.
source "$(dirname "$0")/common.sh"

python3 - <<'PY'
import struct
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name="pystruct", create=True, size=128)
resource_tracker.unregister(shm._name, "shared_memory")  # keep it after Python exits
values = (-5, 250, -30000, 65000, -2000000000, 4000000000, -9000000000000000000,
          18000000000000000000, 1.5, 0.1)
struct.pack_into("<bBhHiIqQfd", shm.buf, 0, *values)    # 42 bytes at 0
struct.pack_into(">bBhHiIqQfd", shm.buf, 64, *values)   # the same, big-endian, at 64
shm.close()
PY

# decode OFFSET ENDIAN: every field of the struct at OFFSET, one per line.
decode() {
  local endian=$2 type pos=$1
  for type in i8 u8 i16 u16 i32 u32 i64 u64 f32 f64; do
    "$SHMKIT" read posix:/pystruct -s "$pos" --type $type --endian "$endian"
    case $type in
      ?8) pos=$((pos + 1)) ;;
      ?16) pos=$((pos + 2)) ;;
      ?32) pos=$((pos + 4)) ;;
      ?64) pos=$((pos + 8)) ;;
    esac
  done
}
want='-5
250
-30000
65000
-2000000000
4000000000
-9000000000000000000
18000000000000000000
1.5
0.1'
expect_eq "$(decode 0 little)" "$want" "little-endian struct"
expect_eq "$(decode 64 big)" "$want" "big-endian struct"
# Native order is little on this machine's ABI (x86-64, aarch64).
if [[ $(python3 -c 'import sys; print(sys.byteorder)') == little ]]; then
  expect_eq "$("$SHMKIT" read posix:/pystruct -s 6 --type i32)" -2000000000 "native order"
fi
# --count: consecutive values; here the four bytes of the big-endian i32 at 64+6.
expect_eq "$("$SHMKIT" read posix:/pystruct -s 70 --type u8 --count 4)" \
  "$(python3 -c 'import struct; print(*struct.pack(">i", -2000000000), sep="\n")')" "--count"
