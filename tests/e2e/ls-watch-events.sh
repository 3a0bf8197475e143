#!/usr/bin/env bash
# ls --watch --json sees each change of the set exactly once, with the fields of ls --json:
# ipcmk -M and ipcrm (created, removed), an attach and a detach by Python's ctypes shmat/shmdt
# (attached, detached, with the new nattch), IPC_RMID while attached (marked), a POSIX create
# and unlink by Python's multiprocessing.shared_memory, a chmod and an ftruncate. Every step
# waits for its event (never a fixed sleep), so the test holds under load and ASan.
source "$(dirname "$0")/common.sh"

events=$TEST_TMP/events.ndjson
# wait_event JQ-CONDITION: waits (up to 30 s) until an event line satisfies the condition.
wait_event() {
  local i
  for ((i = 0; i < 1500; i++)); do
    [[ -n $(jq -c "select($1)" "$events" 2>/dev/null) ]] && return 0
    kill -0 "$watch" 2>/dev/null || fail "the watch ended early: $(cat "$TEST_TMP/err")"
    sleep 0.02
  done
  fail "no event ($1) in: $(cat "$events")"
}
# count JQ-CONDITION: how many event lines satisfy it.
count() { jq -c "select($1)" "$events" | wc -l; }

# Present before the watch: listed, then changed by chmod and ftruncate.
"$SHMKIT" create posix:pre --size 4096 --mode 600 >/dev/null
"$SHMKIT" ls --watch --json --interval 50ms --timeout 60s >"$events" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_event '.event == "ready"'
expect_eq "$(jq -c 'select(.event == "listed") | [.segment, .type, .size, .perms]' "$events")" \
  '["posix:/pre","posix",4096,"0600"]' "first listing"

# ipcmk -M: created, with the key and size ipcmk made.
id=$(ipcmk -M 8192 -p 0640 | awk '{print $NF}')
on_exit "ipcrm -m $id"
key=$(printf '0x%08x' "$(($(sysv_field "$id" key) & 0xffffffff))")
wait_event ".event == \"created\" and .segment == \"id:$id\""
expect_eq "$(jq -c "select(.segment == \"id:$id\") | [.event, .type, .key, .size, .perms, .nattch, .status]" "$events")" \
  "[\"created\",\"sysv\",\"$key\",8192,\"0640\",0,[]]" "ipcmk event"

# Python attaches (nattch 1), then detaches when told (nattch 0).
go=$TEST_TMP/go
python3 - "$id" "$go" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
addr = libc.shmat(int(sys.argv[1]), None, 0)
assert addr not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
for _ in range(3000):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.01)
libc.shmdt(ctypes.c_void_p(addr))
PY
py=$!
on_exit "kill $py"
wait_event ".event == \"attached\" and .segment == \"id:$id\""
touch "$go"
wait "$py"
wait_event ".event == \"detached\" and .segment == \"id:$id\""
expect_eq "$(jq -c "select(.segment == \"id:$id\" and (.event | test(\"tached\"))) | [.event, .nattch, .lpid > 0]" "$events")" \
  '["attached",1,true]
["detached",0,true]' "attach and detach"

# ipcrm of the unattached segment: removed, once.
ipcrm -m "$id"
wait_event ".event == \"removed\" and .segment == \"id:$id\""

# IPC_RMID while attached: marked (key 0, status dest), then removed at the last detach.
id2=$(ipcmk -M 4096 | awk '{print $NF}')
wait_event ".event == \"created\" and .segment == \"id:$id2\""
rm -f "$go"
python3 - "$id2" "$go" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
addr = libc.shmat(int(sys.argv[1]), None, 0)
for _ in range(3000):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.01)
libc.shmdt(ctypes.c_void_p(addr))
PY
py=$!
on_exit "kill $py"
wait_event ".event == \"attached\" and .segment == \"id:$id2\""
ipcrm -m "$id2"
wait_event ".event == \"marked\" and .segment == \"id:$id2\""
expect_eq "$(jq -c "select(.event == \"marked\") | [.key, .nattch, .status]" "$events")" \
  '["0x00000000",1,["dest"]]' "marked event"
touch "$go"
wait "$py"
wait_event ".event == \"removed\" and .segment == \"id:$id2\""

# multiprocessing.shared_memory: created, then removed at unlink.
rm -f "$go"
python3 - "$go" <<'PY' &
import os, sys, time
from multiprocessing import shared_memory
shm = shared_memory.SharedMemory(name="pyobj", create=True, size=12288)
for _ in range(3000):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.01)
shm.close()
shm.unlink()
PY
py=$!
on_exit "kill $py"
on_exit "rm -f /dev/shm/pyobj"
wait_event '.event == "created" and .segment == "posix:/pyobj"'
touch "$go"
wait "$py"
wait_event '.event == "removed" and .segment == "posix:/pyobj"'
expect_eq "$(jq -c 'select(.segment == "posix:/pyobj" and .event == "created") | [.type, .perms, .owner, .key, .cpid]' "$events")" \
  '["posix","0600","root",null,null]' "python create"
expect_eq "$(jq -c 'select(.segment == "posix:/pyobj" and .event == "removed") | .size' "$events")" \
  12288 "python unlink"
# shm_open and ftruncate are two steps: the creation may be seen before the size, then a
# resized event follows (never more than one).
[[ $(count '.segment == "posix:/pyobj" and .event == "resized" and .size != 12288') -eq 0 ]] ||
  fail "odd resize: $(cat "$events")"

# chmod, then ftruncate, of the object listed first.
chmod 644 /dev/shm/pre
wait_event '.event == "chmod" and .segment == "posix:/pre"'
python3 -c 'import os; fd = os.open("/dev/shm/pre", os.O_RDWR); os.ftruncate(fd, 65536)'
wait_event '.event == "resized" and .segment == "posix:/pre"'
expect_eq "$(jq -c 'select(.segment == "posix:/pre" and .event != "listed") | [.event, .perms, .size]' "$events")" \
  '["chmod","0644",4096]
["resized","0644",65536]' "chmod and ftruncate"

# A stop signal: status 0, nothing on stderr; every change exactly once.
kill -TERM "$watch"
status=0
wait "$watch" || status=$?
expect_eq "$status" 0 "status after SIGTERM"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"
expect_eq "$(jq -r 'select(.event != "listed" and .event != "ready" and .event != "resized") | "\(.event) \(.segment)"' "$events" | sort)" \
  "$(printf '%s\n' "attached id:$id" "attached id:$id2" "chmod posix:/pre" "created id:$id" \
    "created id:$id2" "created posix:/pyobj" "detached id:$id" "marked id:$id2" \
    "removed id:$id" "removed id:$id2" "removed posix:/pyobj" | sort)" "every event once"
expect_eq "$(count '.event == "resized" and .segment == "posix:/pre"')" 1 "one resize of pre"
# Every event line has the ls --json fields plus time, time_epoch and event.
expect_eq "$(jq -c 'select(.segment) | keys_unsorted' "$events" | sort -u)" \
  '["time","time_epoch","event","segment","type","key","perms","owner","size","nattch","cpid","lpid","status"]' \
  "event members"
jq -e 'select(.time) | (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z$")) and (.time_epoch > 0)' \
  "$events" >/dev/null || fail "time format: $(head -n 1 "$events")"
