# Sourced by the ls-holders-* tests (common.sh runs them in a private PID namespace, so every
# process there is ours to inspect): helpers to start processes that map or hold segments, and
# what fuser, lsof and a direct /proc/*/maps scan say about them.
# shellcheck shell=bash

# start_holder NAME SPEC...: starts a python process that, for each SPEC, holds a segment and
# then sleeps; sets HOLDER_PID and waits until it is ready. SPECs:
#   sysv:KEY[:ro]   shmat (ctypes), read-only with :ro
#   shm:NAME        multiprocessing.shared_memory.SharedMemory(NAME) (maps it read-write)
#   fd:NAME         /dev/shm/NAME opened read-only, not mapped
#   fileo:PATH      the file mapped read-only (mmap ACCESS_READ)
start_holder() {
  local ready=$TEST_TMP/ready.$1
  shift
  python3 - "$ready" "$@" <<'PY' &
import ctypes, mmap, os, sys, time
from multiprocessing import resource_tracker, shared_memory
keep = []
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
for spec in sys.argv[2:]:
    kind, _, rest = spec.partition(":")
    if kind == "sysv":
        key, _, ro = rest.partition(":")
        shmid = libc.shmget(int(key, 0), 0, 0)
        addr = libc.shmat(shmid, None, 0o10000 if ro else 0)  # SHM_RDONLY
        assert shmid >= 0 and addr not in (None, ctypes.c_void_p(-1).value), spec
    elif kind == "shm":
        shm = shared_memory.SharedMemory(name=rest)
        resource_tracker.unregister(shm._name, "shared_memory")  # never unlink it at exit
        keep.append(shm)
    elif kind == "fd":
        keep.append(os.open("/dev/shm/" + rest, os.O_RDONLY))
    elif kind == "filero":
        with open(rest, "rb") as f:
            keep.append(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
with open(sys.argv[1], "w") as f:
    f.write("ready\n")
while True:
    time.sleep(3600)
PY
  HOLDER_PID=$!
  on_exit "kill $HOLDER_PID"
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -s $ready ]] && return 0
    kill -0 "$HOLDER_PID" 2>/dev/null || fail "holder $HOLDER_PID died"
    sleep 0.05
  done
  fail "holder $HOLDER_PID not ready"
}

# maps_pids DEV INODE: the pids whose /proc/PID/maps has a shared mapping of DEV (hex
# maj:min as maps prints it) and INODE, sorted; the floor every tool reads.
maps_pids() {
  local f pid
  for f in /proc/[0-9]*/maps; do
    pid=${f#/proc/}
    pid=${pid%/maps}
    awk -v dev="$1" -v ino="$2" '$4 == dev && $5 == ino && substr($2, 4, 1) == "s" {found = 1}
      END {exit !found}' "$f" 2>/dev/null && echo "$pid"
  done | sort -n | paste -sd, -
}

# fuser_pids PATH: the pids fuser -v reports for PATH, each with its access letters
# ("123:fm"), sorted by pid.
fuser_pids() {
  fuser -v "$1" 2>&1 | awk 'NF >= 4 && $(NF - 2) ~ /^[0-9]+$/ { acc = $(NF - 1); gsub(/\./, "", acc);
      print $(NF - 2) ":" acc }' | sort -n | paste -sd, -
}

# lsof_pids PATTERN: the pids lsof -n lists with a NAME matching PATTERN (awk regex), sorted.
lsof_pids() {
  lsof -n -w 2>/dev/null | awk -v pat="$1" '$NF ~ pat || $(NF - 1) ~ pat {print $2}' |
    sort -nu | paste -sd, -
}

# hex_dev PATH: the device of PATH as /proc/PID/maps prints it ("00:2a").
hex_dev() {
  printf '%02x:%02x' "$(stat -c %Hd "$1")" "$(stat -c %Ld "$1")"
}
