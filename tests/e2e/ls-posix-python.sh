#!/usr/bin/env bash
# A POSIX object made by Python's multiprocessing.shared_memory shows with the right size and
# owner, and the number of processes mapping it.
source "$(dirname "$0")/common.sh"

fifo=$TEST_TMP/ready
mkfifo "$fifo"
python3 - "$fifo" <<'PY' &
import sys, time
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name="pyseg", create=True, size=12345)
resource_tracker.unregister(shm._name, "shared_memory")
open(sys.argv[1], "w").write("ready\n")
time.sleep(30)
PY
pid=$!
on_exit "kill $pid"
on_exit "rm -f /dev/shm/pyseg"
read -r _ <"$fifo"

"$SHMKIT" ls --json -o segment,type,name,size,owner,uid,perms,nattch posix:/pyseg >"$TEST_TMP/json"
expect_eq "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["segments"], sort_keys=True))' "$TEST_TMP/json")" \
  '[{"name": "/pyseg", "nattch": 1, "owner": "root", "perms": "0600", "segment": "posix:/pyseg", "size": 12345, "type": "posix", "uid": 0}]' \
  "python object"
# Without arguments it is listed too (and only it: the tmpfs is private to this test).
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment,size --bytes)" "posix:/pyseg 12345" "listing"
