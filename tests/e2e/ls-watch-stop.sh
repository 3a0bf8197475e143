#!/usr/bin/env bash
# How ls --watch ends, as watch does: --timeout → 124 with a `timeout` event, --changes N → 0
# after exactly N events, SIGINT/SIGTERM/SIGHUP → 0, a closed pipe → 0 quietly. And the filters
# of ls: --type, --owner, SEGMENT arguments, -o columns in the text form.
source "$(dirname "$0")/common.sh"

out=$TEST_TMP/watch.out # emptied by the test before each watch starts
# wait_for PATTERN: waits (up to 30 s) until a line of $out matches the extended regex.
wait_for() {
  local i
  for ((i = 0; i < 1500; i++)); do
    grep -Eq -- "$1" "$out" 2>/dev/null && return 0
    kill -0 "$watch" 2>/dev/null || fail "the watch ended early: $(cat "$out" "$TEST_TMP/err")"
    sleep 0.02
  done
  fail "no line /$1/ in: $(cat "$out")"
}
stopped() { # stopped STATUS: waits for the watch and checks its status
  local status=0
  wait "$watch" || status=$?
  expect_eq "$status" "$1" "exit status"
}

"$SHMKIT" create posix:base --size 4K >/dev/null

# --timeout with nothing happening: the listing, then `timeout`; 124. NDJSON: `listed` lines,
# `ready`, then `timeout`.
expect_status 124 "$SHMKIT" ls --watch --json --timeout 200ms
expect_eq "$(jq -c '[.event, .segment]' "$TEST_TMP/out")" '["listed","posix:/base"]
["ready",null]
["timeout",null]' "json timeout"
[[ ! -s $TEST_TMP/err ]] || fail "stderr after timeout: $(cat "$TEST_TMP/err")"
expect_status 124 "$SHMKIT" ls -w --timeout 150ms -o segment,size
expect_eq "$(sed -n 1,2p "$TEST_TMP/out")" "SEGMENT     SIZE
posix:/base   4K" "text listing"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z timeout$' <(sed -n 3p "$TEST_TMP/out") ||
  fail "text timeout event: $(cat "$TEST_TMP/out")"
expect_eq "$(wc -l <"$TEST_TMP/out")" 3 "text timeout lines"
expect_status 124 "$SHMKIT" ls -w --timeout 100ms --export -o segment
expect_eq "$(sed -n 1p "$TEST_TMP/out")" 'SEGMENT="posix:/base"' "export listing"
grep -Eq '^TIME="[0-9T:.-]+Z" EVENT="timeout"$' <(sed -n 2p "$TEST_TMP/out") ||
  fail "export timeout: $(cat "$TEST_TMP/out")"

# Stop signals end it with status 0 and nothing on stderr (SIGINT as from a terminal).
for sig in INT TERM HUP; do
  : >"$out"
  (
    trap - INT
    exec "$SHMKIT" ls --watch --noheadings -o segment
  ) >"$out" 2>"$TEST_TMP/err" &
  watch=$!
  on_exit "kill $watch"
  wait_for '^posix:/base$'
  kill -s "$sig" "$watch"
  stopped 0
  [[ ! -s $TEST_TMP/err ]] || fail "stderr after SIG$sig: $(cat "$TEST_TMP/err")"
done

# --changes 2: exactly two events although three objects come at once.
: >"$out"
"$SHMKIT" ls --watch --json --changes 2 --timeout 30s >"$out" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_for '"ready"'
# (one step each: shmkit create, like shm_open then ftruncate, may also show as resized)
for n in c1 c2 c3; do : >"/dev/shm/$n"; done
stopped 0
expect_eq "$(jq -r 'select(.segment and .event != "listed") | .event' "$out")" 'created
created' "--changes 2"
rm -f /dev/shm/c1 /dev/shm/c2 /dev/shm/c3

# --type posix: SysV changes are not shown (and SysV is never listed); text lines carry the
# -o cells.
: >"$out"
"$SHMKIT" ls --watch --type posix -o segment,size,perms --bytes --timeout 30s >"$out" \
  2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_for '^posix:/base'
id=$(ipcmk -M 4096 | awk '{print $NF}')
on_exit "ipcrm -m $id"
# (one step: shmkit create, like shm_open then ftruncate, may show as created then resized)
(umask 027 && : >/dev/shm/typed)
wait_for ' created posix:/typed '
kill "$watch"
stopped 0
grep -Eq '^[0-9T:.-]+Z created posix:/typed 0 rw-r-----$' "$out" ||
  fail "text event: $(cat "$out")"
! grep -q 'id:' "$out" || fail "sysv shown with --type posix: $(cat "$out")"
ipcrm -m "$id"

# SEGMENT arguments: only those, whenever they come and go (a key that does not exist yet is
# no error); --owner: a chown out of or into the filter is shown, others' creations are not.
key=0x0000beef
: >"$out"
"$SHMKIT" ls --watch --json --interval 20ms --timeout 30s "$key" posix:named >"$out" \
  2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_for '"ready"'
"$SHMKIT" create posix:other --size 1K >/dev/null
: >/dev/shm/named
wait_for '"created".*posix:/named'
seg=$("$SHMKIT" create "key:$key" --size 1K)
id=${seg#id:}
wait_for "\"created\".*id:$id"
# Attached, then removed by key: marked (its key is now 0, yet it is followed), then removed at
# the detach.
python3 - "$id" "$TEST_TMP/go" <<'PY' &
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
wait_for "\"attached\".*id:$id"
ipcrm -M "$key"
wait_for "\"marked\".*id:$id"
touch "$TEST_TMP/go"
wait "$py"
wait_for "\"removed\".*id:$id"
kill "$watch"
stopped 0
expect_eq "$(jq -c 'select(.segment) | [.event, .segment, .key]' "$out")" "[\"created\",\"posix:/named\",null]
[\"created\",\"id:$id\",\"$key\"]
[\"attached\",\"id:$id\",\"$key\"]
[\"marked\",\"id:$id\",\"0x00000000\"]
[\"removed\",\"id:$id\",\"0x00000000\"]" "named segments"
[[ ! -s $TEST_TMP/err ]] || fail "stderr with named segments: $(cat "$TEST_TMP/err")"

: >"$out"
"$SHMKIT" ls --watch --json --owner nobody --timeout 30s >"$out" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_for '"ready"'
"$SHMKIT" create posix:mine --size 1K >/dev/null
chown nobody /dev/shm/base
wait_for '"chown"'
kill "$watch"
stopped 0
expect_eq "$(jq -c '[.event, .segment, .owner]' "$out")" '["ready",null,null]
["chown","posix:/base","nobody"]' "--owner"

# Lines that cannot be written: one error line, status 1.
status=0
"$SHMKIT" ls --watch --timeout 10s >/dev/full 2>"$TEST_TMP/err" || status=$?
expect_eq "$status" 1 "status with /dev/full"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" \
  "/dev/full message"

# A reader that goes away (| head -n 1): the watch ends quietly with status 0 at its next line.
(
  "$SHMKIT" ls --watch --timeout 30s 2>"$TEST_TMP/err" | head -n 1 >/dev/null
  echo "${PIPESTATUS[0]}" >"$TEST_TMP/status"
) &
pipeline=$!
for ((i = 0; i < 1000; i++)); do
  "$SHMKIT" create "posix:p$i" --size 1K >/dev/null
  kill -0 "$pipeline" 2>/dev/null || break
  sleep 0.02
done
wait "$pipeline"
expect_eq "$(cat "$TEST_TMP/status")" 0 "status with a closed pipe"
[[ ! -s $TEST_TMP/err ]] || fail "stderr with a closed pipe: $(cat "$TEST_TMP/err")"
