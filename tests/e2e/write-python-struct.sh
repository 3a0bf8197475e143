#!/usr/bin/env bash
# Interoperability: values written with write --type are read back by Python's
# multiprocessing.shared_memory and struct.unpack, in both byte orders.
source "$(dirname "$0")/common.sh"

truncate -s 64 /dev/shm/pyread
"$SHMKIT" write posix:/pyread --type i64 -- -1234567890123456789
"$SHMKIT" write posix:/pyread -s 8 --type i64 --endian big 9223372036854775807
"$SHMKIT" write posix:/pyread -s 16 --type f64 --endian little -- -0.1
"$SHMKIT" write posix:/pyread -s 24 --type u16 --endian big 1 2 65535

got=$(python3 - <<'PY'
import struct
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name="pyread")
resource_tracker.unregister(shm._name, "shared_memory")  # do not unlink at exit
print(struct.unpack_from("=q", shm.buf, 0)[0])
print(struct.unpack_from(">q", shm.buf, 8)[0])
print(struct.unpack_from("<d", shm.buf, 16)[0])
print(*struct.unpack_from(">3H", shm.buf, 24))
shm.close()
PY
)
expect_eq "$got" "-1234567890123456789
9223372036854775807
-0.1
1 2 65535" "python reads what shmkit wrote"
