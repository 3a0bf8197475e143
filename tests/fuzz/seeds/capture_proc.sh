#!/usr/bin/env bash
# Captures real kernel files into tests/fuzz/corpus/ (README.md there): /proc/sysvipc/shm with a
# few segments made in a private IPC namespace (a negative key, an attached one, one marked for
# removal while attached, a locked-looking mode), prefixed with 8 chunk-size bytes for the
# sysvipc target. Needs root (unshare); touches nothing outside the new namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../corpus/sysvipc
mkdir -p "$out"
unshare --ipc python3 - "$out" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
IPC_CREAT, IPC_RMID = 0o1000, 0
def make(key, size, mode):
    shmid = libc.shmget(ctypes.c_int(key), ctypes.c_size_t(size), IPC_CREAT | mode)
    assert shmid >= 0, ctypes.get_errno()
    return shmid
out = sys.argv[1]
def capture(name, prefixes):
    text = open("/proc/sysvipc/shm", "rb").read()
    for i, p in enumerate(prefixes):
        with open(os.path.join(out, "proc-%s-%d" % (name, i)), "wb") as f:
            f.write(bytes(p) + text)
capture("empty", [[255] * 8])
make(0x1234, 4096, 0o600)
make(-559038737, 65536, 0o640)            # key 0xdeadbeef, printed negative
make(-1, 1, 0o666)                         # key 0xffffffff
a = make(0, 1 << 20, 0o644)                # IPC_PRIVATE
libc.shmat(a, None, 0)
b = make(0x5678, 8192, 0o600)
libc.shmat(b, None, 0)
libc.shmctl(b, IPC_RMID, None)             # dest: attached and marked
capture("segments", [[255] * 8, [0] * 8, [4, 9, 200, 1, 63, 127, 250, 31]])
PY
# The 14-column layout of kernels before 4.6: the same rows without rss and swap.
src=$(ls "$out"/proc-segments-0)
python3 - "$src" "$out/proc-segments-14col" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
prefix, text = data[:8], data[8:]
lines = [b" ".join(l.split()[:14]) for l in text.splitlines()]
open(sys.argv[2], "wb").write(bytes([7, 13, 100, 2, 0, 40, 255, 3]) + b"\n".join(lines) + b"\n")
PY
ls -l "$out"

# /proc/PID/maps of a process that maps a POSIX object, a file, an anonymous shared region and
# an attached SysV segment (private IPC and mount namespaces, tmpfs on /dev/shm), for maps.
maps_out=$here/../corpus/maps
mkdir -p "$maps_out"
unshare --ipc --mount --propagation private bash -c '
  mount -t tmpfs none /dev/shm
  python3 - "$1" <<"PY"
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
shmid = libc.shmget(ctypes.c_int(0x1234), ctypes.c_size_t(8192), 0o1600)
libc.shmat(shmid, None, 0)
libc.shmctl(shmid, 0, None)                 # attached and marked: "(deleted)" either way
fd = os.open("/dev/shm/fuzz seed\\x0a", os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, 4096)
m1 = mmap.mmap(fd, 4096, mmap.MAP_SHARED)
os.unlink("/dev/shm/fuzz seed\\x0a")         # a deleted POSIX object
fd2 = os.open("/dev/shm/ring", os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd2, 8192)
m2 = mmap.mmap(fd2, 8192, mmap.MAP_SHARED, mmap.PROT_READ)
m3 = mmap.mmap(-1, 4096, mmap.MAP_SHARED)   # /dev/zero (deleted)
open(os.path.join(sys.argv[1], "proc-self-maps"), "wb").write(open("/proc/self/maps", "rb").read())
PY
' _ "$maps_out"
ls -l "$maps_out"
