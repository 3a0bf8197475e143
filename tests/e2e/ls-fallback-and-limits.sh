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
# issue 8 defect 19g: every limit and use is also an exact decimal string.
for r in rows.values():
    for k in ("limit", "used"):
        assert r[k + "_exact"] == (None if r[k] is None else str(r[k])), r
PY
# issue 8 defect 19g: SHMALL and SHMMAX above 2^53 (the kernel default) keep their exact value
# through jq, which rounds numbers that large.
# (Private IPC namespace: this changes no one else's limit.)
echo 18446744073692774399 2>/dev/null >/proc/sys/kernel/shmall || true
expect_status 0 "$SHMKIT" ls --limits --json
expect_eq "$(jq -r '.limits[] | select(.resource == "SHMALL") | .limit_exact' "$TEST_TMP/out")" \
  "$(cat /proc/sys/kernel/shmall)" "SHMALL exact"
expect_eq "$(jq -r '.limits[] | select(.resource == "SHMMAX") | .limit_exact' "$TEST_TMP/out")" \
  "$(cat /proc/sys/kernel/shmmax)" "SHMMAX exact"
expect_eq "$(jq -c '.limits[] | select(.resource == "SHMMIN") | [.used, .used_exact]' \
  "$TEST_TMP/out")" "[null,null]" "absent use"
expect_status 0 "$SHMKIT" ls --limits --noheadings --raw
grep -q '^DEVSHM ' "$TEST_TMP/out" || fail "no DEVSHM row"

expect_status 1 bash -c '"$SHMKIT" ls > /dev/full'
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" "/dev/full"
for i in $(seq 200); do head -c 1 /dev/zero >"/dev/shm/obj$i"; done
expect_status 0 bash -c 'set -o pipefail; "$SHMKIT" ls | head -n 1 >/dev/null'
expect_eq "$(cat "$TEST_TMP/err")" "" "EPIPE is silent"
