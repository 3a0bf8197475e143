#!/usr/bin/env bash
# A SysV segment removed while still attached shows STATUS dest and key 0x00000000, in ls as in
# ipcs.
source "$(dirname "$0")/common.sh"

fifo=$TEST_TMP/ready
mkfifo "$fifo"
python3 - "$fifo" <<'PY' &
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shmid = libc.shmget(0x5eed, 4096, 0o1000 | 0o600)
assert shmid >= 0
assert libc.shmat(shmid, None, 0) != ctypes.c_void_p(-1).value
libc.shmctl(shmid, 0, None)  # IPC_RMID while attached: marked only
open(sys.argv[1], "w").write(f"{shmid}\n")
time.sleep(30)
PY
pid=$!
on_exit "kill $pid"
read -r id <"$fifo"

expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment,key,nattch,status "id:$id")" \
  "id:$id 0x00000000 1 dest" "dest row"
"$SHMKIT" ls --json -o status,key "id:$id" >"$TEST_TMP/json"
grep -q '"status": \["dest"\]' "$TEST_TMP/json" || fail "json status: $(cat "$TEST_TMP/json")"
ipcs -m | grep -E "^0x00000000 +$id " | grep -q dest || fail "ipcs does not agree"
# key:0x5eed no longer names it.
expect_error 1 "no sysv segment with key 0x00005eed" "$SHMKIT" ls key:0x5eed
