#!/usr/bin/env bash
# SysV listing source (issue 10): without an RSS or SWAP column (shown or sorted by) `ls`
# reads shmctl(SHM_STAT_ANY); with one, /proc/sysvipc/shm. Every other field is the same
# either way, for plain, private, locked, foreign-owned and marked-for-removal (dest, key 0)
# segments, and agrees with /proc/sysvipc/shm, ipcs -m and lsipc -m.
source "$(dirname "$0")/common.sh"
command -v strace >/dev/null || skip "no strace"
command -v lsipc >/dev/null || skip "no lsipc"
[[ $(id -u) -eq 0 ]] || skip "needs root (SHM_LOCK, IPC_SET to another owner)"
# LeakSanitizer cannot run under ptrace (strace): without this an ASan build exits 1 here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

python3 - >"$TEST_TMP/ids" <<'PY'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
IPC_PRIVATE, IPC_CREAT, IPC_STAT, IPC_SET, SHM_LOCK = 0, 0o1000, 2, 1, 11
def make(key, size, mode):
    shmid = libc.shmget(key, size, IPC_CREAT | mode)
    assert shmid >= 0, ctypes.get_errno()
    return shmid
plain = make(0x5e0001, 4096, 0o640)
private = make(IPC_PRIVATE, 10000, 0o600)
locked = make(0x5e0002, 8192, 0o600)
assert libc.shmctl(locked, SHM_LOCK, None) == 0
foreign = make(0x5e0003, 4096, 0o644)
# IPC_SET to uid/gid 65534: struct shmid_ds begins with struct ipc_perm (key, uid, gid, ...).
buf = ctypes.create_string_buffer(256)
assert libc.shmctl(foreign, IPC_STAT, buf) == 0
ctypes.c_uint32.from_buffer(buf, 4).value = 65534
ctypes.c_uint32.from_buffer(buf, 8).value = 65534
assert libc.shmctl(foreign, IPC_SET, buf) == 0
print(plain, private, locked, foreign)
PY
read -r plain private locked foreign <"$TEST_TMP/ids"
# A segment marked for removal while attached: dest, and the kernel sets its key to 0.
dest=$(ipcmk -M 4096 | grep -oE '[0-9]+$')
python3 -c '
import ctypes, signal, sys
libc = ctypes.CDLL(None)
libc.shmat.restype = ctypes.c_void_p
libc.shmat(int(sys.argv[1]), None, 0)
libc.shmctl(int(sys.argv[1]), 0, None)
signal.pause()' "$dest" &
holder=$!
on_exit "kill $holder"
for ((i = 0; i < 500; i++)); do
  [[ $(sysv_field "$dest" perms) == 1* ]] && break
  sleep 0.02
done
[[ $(sysv_field "$dest" perms) == 1* ]] || fail "id:$dest was not marked for removal"
expect_eq "$(sysv_field "$dest" key)" 0 "key of a dest segment in /proc"

cols=segment,type,key,id,perms,owner,group,uid,gid,cuid,cgid,cuser,cgroup,size,nattch,cpid,lpid,status,atime,dtime,ctime

# Which source each command reads.
traced() {
  strace -f -qq -e trace=openat,shmctl -o "$TEST_TMP/trace" "$SHMKIT" "$@" >"$TEST_TMP/traced"
}
traced ls --type sysv -o "$cols"
! grep -q 'sysvipc/shm' "$TEST_TMP/trace" || fail "ls without RSS read /proc/sysvipc/shm"
grep -q 'SHM_STAT_ANY' "$TEST_TMP/trace" || fail "ls without RSS did not use SHM_STAT_ANY"
for args in "-o $cols,rss" "-o $cols,swap" "-o $cols --sort rss" "--json -o segment,swap"; do
  # shellcheck disable=SC2086
  traced ls --type sysv $args
  grep -q 'sysvipc/shm' "$TEST_TMP/trace" || fail "ls $args did not read /proc/sysvipc/shm"
  ! grep -q 'SHM_STAT_ANY' "$TEST_TMP/trace" || fail "ls $args used SHM_STAT_ANY"
done

# The same fields from both sources.
by_stat=$("$SHMKIT" ls --type sysv --json -o "$cols")
by_proc=$("$SHMKIT" ls --type sysv --json -o "$cols,rss,swap")
stripped=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["segments"]:
    assert isinstance(r.pop("rss"), int) and isinstance(r.pop("swap"), int)
print(json.dumps(d, indent=2))' <<<"$by_proc")
expect_eq "$(python3 -m json.tool <<<"$by_stat" | sed 's/^ *//')" "$(sed 's/^ *//' <<<"$stripped")" \
  "ls --json: SHM_STAT_ANY vs /proc/sysvipc/shm"
expect_eq "$("$SHMKIT" ls --type sysv --raw -o "$cols")" \
  "$("$SHMKIT" ls --type sysv --raw -o "$cols,rss" | sed 's/ [^ ]*$//')" "ls --raw: both sources"
expect_eq "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["segments"]))' <<<"$by_stat")" 5 \
  "segments listed"

# Against /proc/sysvipc/shm itself, field by field.
python3 - "$by_stat" <<'PY' || fail "ls vs /proc/sysvipc/shm"
import json, sys
rows = {r["id"]: r for r in json.loads(sys.argv[1])["segments"]}
lines = open("/proc/sysvipc/shm").read().split("\n")
head = lines[0].split()
for line in lines[1:]:
    if not line.strip():
        continue
    p = dict(zip(head, line.split()))
    r = rows.pop(int(p["shmid"]))
    perms = int(p["perms"], 8)
    status = (["dest"] if perms & 0o1000 else []) + (["locked"] if perms & 0o2000 else [])
    want = {"key": "0x%08x" % (int(p["key"]) & 0xffffffff), "perms": "%04o" % (perms & 0o777),
            "size": int(p["size"]), "nattch": int(p["nattch"]), "cpid": int(p["cpid"]),
            "lpid": int(p["lpid"]), "uid": int(p["uid"]), "gid": int(p["gid"]),
            "cuid": int(p["cuid"]), "cgid": int(p["cgid"]), "status": status,
            "atime_epoch": int(p["atime"]) or None, "dtime_epoch": int(p["dtime"]) or None,
            "ctime_epoch": int(p["ctime"])}
    got = {k: r.get(k) for k in want}
    assert got == want, (got, want)
assert not rows, rows
PY

# Against ipcs -m: key, shmid, owner, perms, bytes, nattch, status.
from_ipcs=$(ipcs -m | awk '$1 ~ /^0x/ { print $1, $2, $3, $4, $5, $6, ($7 == "" ? "-" : $7) }' | sort)
from_shmkit=$(python3 -c '
import json, sys
for r in json.load(sys.stdin)["segments"]:
    print(r["key"], r["id"], r["owner"], "%o" % int(r["perms"], 8),
          r["size"], r["nattch"], ",".join(r["status"]) or "-")' <<<"$by_stat" | sort)
expect_eq "$from_shmkit" "$from_ipcs" "ls vs ipcs -m"

# Against lsipc -m.
from_lsipc=$(lsipc -m --json -b -o KEY,ID,OWNER,PERMS,SIZE,NATTCH,STATUS,CPID,LPID,UID,GID,CUID,CGID |
  python3 -c '
import json, sys
for r in json.load(sys.stdin)["sharedmemory"]:
    print(" ".join(str(r[k] or "-") for k in
          ("key", "id", "owner", "perms", "size", "nattch", "status", "cpid", "lpid", "uid", "gid", "cuid", "cgid")))' |
  sort)
from_shmkit=$("$SHMKIT" ls --type sysv --raw --noheadings --bytes \
  -o key,id,owner,perms,size,nattch,status,cpid,lpid,uid,gid,cuid,cgid | sort)
expect_eq "$from_shmkit" "$from_lsipc" "ls vs lsipc -m"
