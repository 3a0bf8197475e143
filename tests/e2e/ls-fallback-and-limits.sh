#!/usr/bin/env bash
# ls --limits agrees with lsipc --global and shows /dev/shm; ls output to /dev/full is a write
# error; a closed pipe is quiet.
source "$(dirname "$0")/common.sh"

id=$(python3 -c '
import ctypes; libc = ctypes.CDLL(None)
print(libc.shmget(0x3333, 8192, 0o1000 | 0o600))')
on_exit "ipcrm -m $id"

"$SHMKIT" ls --limits --json >"$TEST_TMP/json"
python3 - "$TEST_TMP/json" <<'PY'
import json, subprocess, sys
rows = {r["resource"]: r for r in json.load(open(sys.argv[1]))["limits"]}
g = {r["resource"]: r for r in json.loads(subprocess.check_output(
    ["lsipc", "--global", "--shmems", "--json", "--bytes", "-o", "RESOURCE,LIMIT,USED"]))["ipclimits"]}
def num(v):
    return int(v) if v is not None else None
for res in ("SHMMNI", "SHMALL", "SHMMAX", "SHMMIN"):
    assert rows[res]["limit"] == num(g[res]["limit"]), (res, rows[res], g[res])
assert rows["SHMMNI"]["used"] == 1, rows["SHMMNI"]
assert rows["SHMALL"]["used"] == 2, rows["SHMALL"]
assert rows["DEVSHM"]["limit"] == 256 * 1024 * 1024, rows["DEVSHM"]
PY
expect_status 0 "$SHMKIT" ls --limits --noheadings --raw
grep -q '^DEVSHM ' "$TEST_TMP/out" || fail "no DEVSHM row"

expect_status 1 bash -c '"$SHMKIT" ls > /dev/full'
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" "/dev/full"
for i in $(seq 200); do head -c 1 /dev/zero >"/dev/shm/obj$i"; done
expect_status 0 bash -c 'set -o pipefail; "$SHMKIT" ls | head -n 1 >/dev/null'
expect_eq "$(cat "$TEST_TMP/err")" "" "EPIPE is silent"
