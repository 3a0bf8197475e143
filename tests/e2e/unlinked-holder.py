# A process that holds one object for the ls-unlinked tests. argv: MODE PATH SIZE READY, where
# PATH is the object's path as hex (any bytes), SIZE its size, READY a FIFO to write
# "PID FD START END" to once the object is set up (FD -1 when no fd is kept open).
#   shm      multiprocessing.shared_memory: an fd and a writable shared mapping (PATH /dev/shm/NAME)
#   maponly  open, ftruncate, mmap MAP_SHARED, close the fd: only the mapping holds it
#   fdonly   open, ftruncate, write: only the fd holds it (no mapping)
# The first bytes are "unlinked but alive". Then it sleeps until killed.
import mmap
import os
import sys
import time

mode, path, size, ready = sys.argv[1], bytes.fromhex(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
payload = b"unlinked but alive"
keep = []
if mode == "shm":
    from multiprocessing import resource_tracker, shared_memory

    name = os.fsdecode(path[len(b"/dev/shm/"):])
    shm = shared_memory.SharedMemory(name=name, create=True, size=size)
    resource_tracker.unregister(shm._name, "shared_memory")  # the test removes it
    shm.buf[: len(payload)] = payload
    keep.append(shm)
    fd = shm._fd
    view = shm._mmap
else:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o640)
    os.ftruncate(fd, size)
    if mode == "fdonly":
        os.pwrite(fd, payload, 0)
        view = None
    else:
        view = mmap.mmap(fd, size, mmap.MAP_SHARED)
        view[: len(payload)] = payload
        keep.append(view)
        os.close(fd)
        fd = -1
start = end = 0
if view is not None:
    import ctypes

    start = ctypes.addressof(ctypes.c_char.from_buffer(view))
    end = start + ((size + 4095) // 4096) * 4096
with open(ready, "w") as f:
    f.write(f"{os.getpid()} {fd} {start:x} {end:x}\n")
while True:
    time.sleep(60)
