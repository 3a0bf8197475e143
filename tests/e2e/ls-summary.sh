#!/usr/bin/env bash
# ls --summary: totals by type and by owner agree with ipcs -u (segments, pages allocated,
# resident, swapped) and with the listing; the /dev/shm line agrees with df; --json is typed;
# --summary with -o is a usage error.
source "$(dirname "$0")/common.sh"

page=$(getconf PAGESIZE)
# Two SysV segments (one of them touched on 3 pages, so resident), created by a process that
# attaches, writes and detaches.
python3 - >"$TEST_TMP/ids" <<'PY'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
a = libc.shmget(0x5151, 5 * 4096 + 100, 0o1000 | 0o600)
b = libc.shmget(0x5152, 8192, 0o1000 | 0o640)
addr = libc.shmat(a, None, 0)
ctypes.memset(addr, 1, 3 * 4096)
libc.shmdt(ctypes.c_void_p(addr))
print(a, b)
PY
read -r ida idb <"$TEST_TMP/ids"
on_exit "ipcrm -m $ida -m $idb"
# Three POSIX objects: one fully written (allocated), one sparse, one owned by nobody.
head -c 40960 /dev/zero >/dev/shm/full
truncate -s 1M /dev/shm/sparse
head -c 4096 /dev/zero >/dev/shm/theirs
chown 65534:65534 /dev/shm/theirs

expect_status 0 "$SHMKIT" ls --summary --json
cp "$TEST_TMP/out" "$TEST_TMP/summary.json"
ipcs -u >"$TEST_TMP/ipcs"
df -B1 --output=size,used,avail /dev/shm | tail -n 1 >"$TEST_TMP/df"
python3 - "$TEST_TMP/summary.json" "$TEST_TMP/ipcs" "$TEST_TMP/df" "$page" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))["summary"]
ipcs = open(sys.argv[2]).read()
page = int(sys.argv[4])
def ipcs_value(label):
    return int(re.search(r"^%s\s+(\d+)" % label, ipcs, re.M).group(1))
types = {t["type"]: t for t in s["types"]}
assert list(types) == ["sysv", "posix"], list(types)
sysv = types["sysv"]
# ipcs -u counts what SHM_INFO says; the summary adds up the listed segments.
assert sysv["segments"] == ipcs_value("segments allocated") == 2, (sysv, ipcs)
assert sysv["alloc"] == ipcs_value("pages allocated") * page == (6 + 2) * page, (sysv, ipcs)
assert sysv["rss"] == ipcs_value("pages resident") * page == 3 * page, (sysv, ipcs)
assert sysv["swap"] == ipcs_value("pages swapped") * page, (sysv, ipcs)
assert sysv["size"] == 5 * 4096 + 100 + 8192, sysv
assert sysv["unmeasured"] == 0, sysv
posix = types["posix"]
assert posix["segments"] == 3, posix
assert posix["size"] == 40960 + 1048576 + 4096, posix
assert posix["alloc"] == 40960 + 4096, posix
owners = {o["owner"]: o for o in s["owners"]}
assert owners["root"]["segments"] == 4 and owners["root"]["uid"] == 0, owners
assert owners["nobody"]["segments"] == 1 and owners["nobody"]["size"] == 4096, owners
assert [o["uid"] for o in s["owners"]] == [0, 65534], s["owners"]
total = s["total"]
assert total["segments"] == 5, total
assert total["size"] == sysv["size"] + posix["size"], total
assert total["alloc"] == sysv["alloc"] + posix["alloc"], total
size, used, avail = map(int, open(sys.argv[3]).read().split())
d = s["dev_shm"]
assert d["path"] == "/dev/shm" and d["filesystem"] == "shmkit-test", d
assert (d["size"], d["used"], d["avail"]) == (size, used, avail), (d, size, used, avail)
assert d["size"] == 256 * 1024 * 1024, d
assert abs(d["use_percent"] - 100.0 * used / size) < 0.01, d
PY

# The table: one line per type and owner, a total, then the filesystem like df.
expect_status 0 "$SHMKIT" ls --summary --raw --bytes
sysv_alloc=$(( 8 * page ))
sysv_rss=$(( 3 * page ))
expect_eq "$(sed -n 1,6p "$TEST_TMP/out")" "GROUP NAME SEGMENTS SIZE ALLOC RSS SWAP
type sysv 2 28772 $sysv_alloc $sysv_rss 0
type posix 3 1093632 45056 45056 0
owner root 4 1118308 $((sysv_alloc + 40960)) $((sysv_rss + 40960)) 0
owner nobody 1 4096 4096 4096 0
total - 5 1122404 $((sysv_alloc + 45056)) $((sysv_rss + 45056)) 0" \
  "summary table"
read -r size used avail <"$TEST_TMP/df"
expect_eq "$(sed -n 7,9p "$TEST_TMP/out")" "
FILESYSTEM SIZE USED AVAIL USE% MOUNTED ON
shmkit-test $size $used $avail 0% /dev/shm" "filesystem line"

# --type and --owner select what is added up.
expect_status 0 "$SHMKIT" ls --summary --json --type posix --owner nobody
expect_eq "$(jq -c '[.summary.types[] | [.type, .segments]], .summary.total.segments' \
  "$TEST_TMP/out")" '[["posix",1]]
1' "filtered"

# Usage errors: nothing is listed.
expect_error 2 "--summary and --output exclude each other" "$SHMKIT" ls --summary -o size
expect_error 2 "--summary and --audit exclude each other" "$SHMKIT" ls --summary --audit
