# A process that holds one object for the ls-unlinked tests. argv: MODE PATH SIZE READY, where
# PATH is the object's path as hex (any bytes), SIZE its size, READY a FIFO to write
# "PID FD START END" to once the object is set up (FD -1 when no fd is kept open).
#   shm      multiprocessing.shared_memory: an fd and a writable shared mapping (PATH /dev/shm/NAME)
#   maponly  open, ftruncate, mmap MAP_SHARED, close the fd: only the mapping holds it
#   fdonly   open, ftruncate, write: only the fd holds it (no mapping)
# The first bytes are "unlinked but alive". Then it sleeps until killed.
import ctypes
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
        # libc's mmap, not Python's mmap module: that one keeps a dup of the fd open.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long]
        addr = libc.mmap(None, size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
        assert addr not in (None, ctypes.c_void_p(-1).value), "mmap"
        ctypes.memmove(addr, payload, len(payload))
        view = addr
        os.close(fd)
        fd = -1
start = end = 0
if mode == "shm":
    start = ctypes.addressof(ctypes.c_char.from_buffer(view))
elif view is not None:
    start = view
if view is not None:
    end = start + ((size + 4095) // 4096) * 4096
with open(ready, "w") as f:
    f.write(f"{os.getpid()} {fd} {start:x} {end:x}\n")
while True:
    time.sleep(60)
