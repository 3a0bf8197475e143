#!/usr/bin/env bash
# While `shmkit attach` holds a SysV segment, ipcs -m -i ID shows nattch raised by exactly one
# (and so does lsipc); it drops back after SIGTERM, and attach exits 0. The line attach prints
# names the segment, its size, type, address, pid and the new nattch.
source "$(dirname "$0")/common.sh"

ipcs_nattch() { ipcs -m -i "$1" | sed -n 's/.*nattch=\([0-9]*\).*/\1/p'; }

# wait_line FILE: waits until attach has printed its line.
wait_line() {
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -s $1 ]] && return 0
    sleep 0.02
  done
  fail "attach printed nothing"
}

seg=$("$SHMKIT" create key:auto --size 10000)
id=${seg#id:}
# Someone else is attached already (a Python holder), so the base count is 1.
python3 - "$id" "$TEST_TMP/held" <<'PY' &
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
assert libc.shmat(int(sys.argv[1]), None, 0) != ctypes.c_void_p(-1).value
open(sys.argv[2], "w").write("held\n")
time.sleep(30)
PY
holder=$!
on_exit "kill $holder"
wait_line "$TEST_TMP/held"
expect_eq "$(ipcs_nattch "$id")" 1 "nattch before"

"$SHMKIT" attach "$seg" >"$TEST_TMP/line" 2>"$TEST_TMP/err" &
attach=$!
on_exit "kill $attach"
wait_line "$TEST_TMP/line"
line=$(cat "$TEST_TMP/line")
[[ $line =~ ^id:$id\ size=10000\ type=sysv\ addr=0x[0-9a-f]+\ pid=$attach\ nattch=2$ ]] ||
  fail "attach line: $line"
expect_eq "$(ipcs_nattch "$id")" 2 "ipcs nattch while attached"
expect_eq "$(lsipc -m --noheadings -r -o ID,NATTCH | awk -v id="$id" '$1 == id { print $2 }')" 2 \
  "lsipc nattch while attached"
expect_eq "$("$SHMKIT" ls --noheadings --raw -o nattch,lpid "$seg")" "2 $attach" "ls while attached"
# The address is really mapped in the process, as /SYSV<key> with the shmid as inode.
addr=${line#*addr=0x}
addr=${addr%% *}
grep -Eq "^0*$addr-[0-9a-f]+ rw-s [0-9a-f]+ [0-9a-f:]+ $id +/SYSV" "/proc/$attach/maps" ||
  fail "mapping not found: $(grep SYSV "/proc/$attach/maps")"

kill -TERM "$attach"
status=0
wait "$attach" || status=$?
expect_eq "$status" 0 "status after SIGTERM"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"
expect_eq "$(ipcs_nattch "$id")" 1 "ipcs nattch after SIGTERM"

# --readonly maps read-only; --timeout ends the hold with status 0.
expect_status 0 "$SHMKIT" attach "$seg" --readonly --timeout 300ms
[[ $(cat "$TEST_TMP/out") =~ ^id:$id\ size=10000\ type=sysv\ addr=0x[0-9a-f]+\ pid=[0-9]+\ nattch=2$ ]] ||
  fail "readonly line: $(cat "$TEST_TMP/out")"
expect_eq "$(ipcs_nattch "$id")" 1 "ipcs nattch after the timeout"

# SIGINT and SIGHUP end it the same way.
for sig in INT HUP; do
  : >"$TEST_TMP/line"
  (
    trap - INT
    exec "$SHMKIT" attach "$seg" --readonly >"$TEST_TMP/line" 2>"$TEST_TMP/err"
  ) &
  attach=$!
  on_exit "kill $attach"
  wait_line "$TEST_TMP/line"
  kill -s "$sig" "$attach"
  status=0
  wait "$attach" || status=$?
  expect_eq "$status" 0 "status after SIG$sig"
done
expect_eq "$(ipcs_nattch "$id")" 1 "ipcs nattch at the end"
