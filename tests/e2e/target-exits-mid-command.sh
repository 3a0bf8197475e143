#!/usr/bin/env bash
# shmkit --target PID (issue 11): the target process exits while the command runs. The IPC
# namespace joined stays usable, but /proc/PID/root is gone with the process: the command ends
# with status 1 and one error line, as when the segment goes away.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/target-lib.sh"
python3 -c 'from multiprocessing import shared_memory' 2>/dev/null || skip "no shared_memory"

# holding PID NAME: whether process PID has an fd open whose path ends in NAME.
holding() {
  local fd
  for fd in "/proc/$1/fd/"*; do
    [[ $(readlink "$fd" 2>/dev/null) == *"$2" ]] && return 0
  done
  return 1
}

# watch of a POSIX object: it sees the object go with the container's /dev/shm.
start_container c1 own own
"$SHMKIT" --target "$CTR_PID" watch posix:/ctr_c1 --type u32 --timeout 20s \
  >"$TEST_TMP/w.out" 2>"$TEST_TMP/w.err" &
w=$!
for ((i = 0; i < 500; i++)); do
  holding "$w" /ctr_c1 && break
  sleep 0.02
done
holding "$w" /ctr_c1 || fail "watch never opened the object"
kill -9 "$CTR_PID"
st=0
wait "$w" || st=$?
expect_eq "$st" 1 "status of watch"
expect_eq "$(cat "$TEST_TMP/w.err")" "shmkit: error: posix:/ctr_c1 was removed" "watch's error"

# ls --watch: the listing, then one error line once /proc/PID/root is gone.
start_container c2 own own
pid=$CTR_PID
"$SHMKIT" --target "$pid" ls --watch --interval 100ms --timeout 20s \
  >"$TEST_TMP/l.out" 2>"$TEST_TMP/l.err" &
l=$!
for ((i = 0; i < 500; i++)); do
  grep -q posix:/spare_c2 "$TEST_TMP/l.out" && break
  sleep 0.02
done
[[ $(head -n 1 "$TEST_TMP/l.out") == "# ipc:["*"] /dev/shm of pid $pid (python3)" ]] ||
  fail "ls --watch header: $(cat "$TEST_TMP/l.out")"
kill -9 "$pid"
st=0
wait "$l" || st=$?
expect_eq "$st" 1 "status of ls --watch"
expect_eq "$(cat "$TEST_TMP/l.err")" \
  "shmkit: error: cannot list /proc/$pid/root/dev/shm: no such file or directory" "ls --watch's error"
echo ok
