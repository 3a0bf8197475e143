# The holder of a simulated container (target-lib.sh, start_container): argv is NAME, the
# directory for its status files, the shmid made by ipcmk and a spare one.
import ctypes
import os
import struct
import sys
import time
from multiprocessing import resource_tracker, shared_memory

name, outdir, shmid, spare = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
addr = libc.shmat(shmid, None, 0)
assert addr not in (None, ctypes.c_void_p(-1).value), "shmat"
sysv = ctypes.c_uint32.from_address(addr)
sysv.value = 1111
shm = shared_memory.SharedMemory(name="ctr_" + name, create=True, size=4096)
resource_tracker.unregister(shm._name, "shared_memory")  # the test removes what it wants
struct.pack_into("<I", shm.buf, 0, 2222)
other = shared_memory.SharedMemory(name="spare_" + name, create=True, size=4096)
resource_tracker.unregister(other._name, "shared_memory")
other.close()  # nobody holds it
with open(os.path.join(outdir, name + ".ready.tmp"), "w") as f:
    f.write(f"{shmid} {spare}\n")
os.rename(os.path.join(outdir, name + ".ready.tmp"), os.path.join(outdir, name + ".ready"))
seen = set()
while True:
    if "sysv" not in seen and sysv.value == 4321:
        open(os.path.join(outdir, name + ".sysv-seen"), "w").close()
        seen.add("sysv")
    if "posix" not in seen and struct.unpack_from("<I", shm.buf, 0)[0] == 8765:
        open(os.path.join(outdir, name + ".posix-seen"), "w").close()
        seen.add("posix")
    time.sleep(0.02)
