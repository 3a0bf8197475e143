#!/usr/bin/env bash
# Python's multiprocessing.shared_memory writes a byte pattern at known offsets; watch --json
# reports exactly those offsets, lengths and bytes. The object is watched twice: as Python
# made it (sparse: compared with pread, never mapped, so watching allocates nothing) and
# after Python filled it (dense: compared through a mapping).
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "no python3"

go=$TEST_TMP/go
ready=$TEST_TMP/ready
mkfifo "$go" "$ready"
python3 - "$go" "$ready" <<'PY' &
import sys, time
from multiprocessing import shared_memory, resource_tracker
go, ready = sys.argv[1], sys.argv[2]
shm = shared_memory.SharedMemory(name="pyseg", create=True, size=8192)
resource_tracker.unregister(shm._name, "shared_memory")
for phase in (1, 2):
    open(ready, "w").write("ready\n")
    open(go).read()
    shm.buf[100:103] = b"\x11\x22\x33"
    time.sleep(0.1)
    shm.buf[4000:4005] = bytes([0xaa] * 5)
    shm.buf[8191] = 0xff
    time.sleep(0.1)
    shm.buf[101] = 0x99
    open(go).read()
    if phase == 1:
        shm.buf[:] = bytes(8192)  # back to zeros, and every page allocated now
open(ready, "w").write("done\n")
time.sleep(30)
PY
py=$!
on_exit "kill $py"
on_exit "rm -f /dev/shm/pyseg"

# Waits until process $1 has `what` ($2: fd or maps) of /dev/shm/pyseg, then a little more
# for the first snapshot.
wait_pyseg() {
  local i
  for ((i = 0; i < 200; i++)); do
    if [[ $2 == fd ]]; then
      has_open "$1" /dev/shm/pyseg && break
    else
      grep -q /dev/shm/pyseg "/proc/$1/maps" 2>/dev/null && break
    fi
    sleep 0.02
  done
  sleep 0.2
}

expected='{"event":"change","offset":100,"length":3,"old":"000000","new":"112233"}
{"event":"change","offset":4000,"length":5,"old":"0000000000","new":"aaaaaaaaaa"}
{"event":"change","offset":8191,"length":1,"old":"00","new":"ff"}
{"event":"change","offset":101,"length":1,"old":"22","new":"99"}'

for phase in sparse dense; do
  read -r _ <"$ready"
  "$SHMKIT" watch posix:/pyseg --json --interval 20ms --changes 4 --timeout 8s \
    >"$TEST_TMP/events" 2>"$TEST_TMP/err" &
  watch=$!
  on_exit "kill $watch"
  if [[ $phase == sparse ]]; then wait_pyseg "$watch" fd; else wait_pyseg "$watch" maps; fi
  if [[ $phase == sparse ]]; then
    ! grep -q /dev/shm/pyseg "/proc/$watch/maps" || fail "a sparse object was mapped"
  else
    grep -q /dev/shm/pyseg "/proc/$watch/maps" || fail "a dense object was not mapped"
  fi
  echo go >"$go"
  status=0
  wait "$watch" || status=$?
  expect_eq "$status" 0 "$phase watch status ($(cat "$TEST_TMP/err"))"
  expect_eq "$(jq -c '{event, offset, length, old, new}' "$TEST_TMP/events")" "$expected" \
    "$phase events"
  jq -e '(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"))
         and (.time_epoch | type == "number")' "$TEST_TMP/events" >/dev/null ||
    fail "time fields: $(cat "$TEST_TMP/events")"
  if [[ $phase == sparse ]]; then
    # Watching allocated nothing: only the pages Python wrote hold memory.
    blocks=$(stat -c %b /dev/shm/pyseg)
    ((blocks * 512 <= 2 * 4096)) || fail "watching allocated memory: $blocks blocks"
  fi
  echo next >"$go"
done
read -r _ <"$ready"
