#!/usr/bin/env bash
# A segment made by ipcmk shows in `shmkit ls --json` with the same fields as /proc/sysvipc/shm
# and `ipcs -m -i`.
source "$(dirname "$0")/common.sh"
command -v ipcmk >/dev/null || skip "no ipcmk"

id=$(ipcmk -M 8192 -p 0640 | grep -oE '[0-9]+$')
on_exit "ipcrm -m $id"

json=$("$SHMKIT" ls --json -o segment,type,key,id,perms,size,uid,gid,cuid,cgid,nattch,cpid,lpid,status "id:$id")
row=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["segments"]; assert len(d)==1; print(json.dumps(d[0], sort_keys=True))' <<<"$json")

key=$(sysv_field "$id" key)
expected=$(python3 - "$id" "$key" <<'PY'
import json, sys
shmid = int(sys.argv[1])
lines = open("/proc/sysvipc/shm").read().split("\n")
head = lines[0].split()
for line in lines[1:]:
    f = line.split()
    if len(f) >= 14 and int(f[1]) == shmid:
        r = dict(zip(head, f))
        print(json.dumps({
            "segment": f"id:{shmid}", "type": "sysv",
            "key": "0x%08x" % (int(r["key"]) & 0xffffffff), "id": shmid,
            "perms": "%04o" % (int(r["perms"], 8) & 0o777), "size": int(r["size"]),
            "uid": int(r["uid"]), "gid": int(r["gid"]), "cuid": int(r["cuid"]),
            "cgid": int(r["cgid"]), "nattch": int(r["nattch"]), "cpid": int(r["cpid"]),
            "lpid": int(r["lpid"]), "status": []}, sort_keys=True))
PY
)
expect_eq "$row" "$expected" "ls --json vs /proc/sysvipc/shm"

# ipcs -m -i prints the same ids, mode, size, pids and nattch.
ipcs -m -i "$id" >"$TEST_TMP/ipcs"
from_ipcs=$(grep -oE '(uid|gid|cuid|cgid|mode|bytes|lpid|cpid|nattch)=[0-9]+' "$TEST_TMP/ipcs" | sort | tr '\n' ' ')
from_shmkit=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
m = {"uid": d["uid"], "gid": d["gid"], "cuid": d["cuid"], "cgid": d["cgid"], "mode": d["perms"],
     "bytes": d["size"], "lpid": d["lpid"], "cpid": d["cpid"], "nattch": d["nattch"]}
print(" ".join(sorted(f"{k}={v}" for k, v in m.items())), end=" ")' "$row")
expect_eq "$from_shmkit" "$from_ipcs" "ls --json vs ipcs -m -i"

# The table shows the same segment, canonical address first.
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment,key,perms,size --bytes)" \
  "id:$id $(python3 -c "print('0x%08x' % ($key & 0xffffffff))") rw-r----- 8192" "raw row"
