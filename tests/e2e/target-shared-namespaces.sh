#!/usr/bin/env bash
# shmkit --target PID (issue 11): a container that shares the host's IPC namespace but has its
# own /dev/shm, and one with its own IPC namespace on the host's /dev/shm, are told apart: each
# lists the SysV segments of the IPC namespace it is in and the POSIX objects of the /dev/shm
# it sees, and the target member says which namespace and which device.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/target-lib.sh"
command -v jq >/dev/null || skip "no jq"
python3 -c 'from multiprocessing import shared_memory' 2>/dev/null || skip "no shared_memory"

"$SHMKIT" create key:0x7e570001 --size 4K >/dev/null
"$SHMKIT" create posix:/host_only --size 4K >/dev/null
host_ipc=$(readlink /proc/self/ns/ipc)
host_dev=$(stat -c '%Hd:%Ld' /dev/shm)

start_container a host own # the host's IPC namespace, its own /dev/shm
a_pid=$CTR_PID a_shmid=$CTR_SHMID
start_container b own host # its own IPC namespace, the host's /dev/shm
b_pid=$CTR_PID b_shmid=$CTR_SHMID
a_key=$("$SHMKIT" ls --noheadings --raw -o KEY "id:$a_shmid")

# segments PID: the SEGMENT and KEY of what --target PID lists, one line each, sorted.
segments() {
  "$SHMKIT" --target "$1" ls --json | jq -r '.segments[] | "\(.segment) \(.key)"' | sort
}

a=$(segments "$a_pid")
[[ $a == *"0x7e570001"* ]] || fail "a shares the host IPC namespace: no host segment: $a"
[[ $a == *"id:$a_shmid "* && $a == *posix:/ctr_a* && $a == *posix:/spare_a* ]] || fail "a: $a"
[[ $a != *posix:/host_only* && $a != *posix:/ctr_b* ]] || fail "a sees the host /dev/shm: $a"

b=$(segments "$b_pid")
[[ $b != *"0x7e570001"* && $b != *"$a_key"* ]] || fail "b has its own IPC namespace: $b"
[[ $b == *posix:/host_only* && $b == *posix:/ctr_b* ]] || fail "b shares the host /dev/shm: $b"
[[ $b != *posix:/ctr_a* ]] || fail "b sees a's /dev/shm: $b"
expect_eq "$("$SHMKIT" --target "$b_pid" read "id:$b_shmid" --type u32 --count 1)" 1111 "b's segment"

# The host sees a's SysV segment (same namespace) and b's POSIX object (same /dev/shm) only.
host=$("$SHMKIT" ls --json | jq -r '.segments[] | "\(.segment) \(.key)"')
[[ $host == *"$a_key"* && $host == *posix:/ctr_b* ]] || fail "host: $host"
[[ $host != *posix:/ctr_a* ]] || fail "host sees a's /dev/shm: $host"

# The target member tells them apart: the same IPC namespace or not, the same device or not.
target() { "$SHMKIT" --target "$1" ls --json | jq -r '.target | "ipc:[\(.ipc_ns)] \(.dev_shm.dev)"'; }
a_target=$(target "$a_pid")
b_target=$(target "$b_pid")
[[ $a_target == "$host_ipc "* && $a_target != *" $host_dev" ]] || fail "a: $a_target (host $host_ipc $host_dev)"
[[ $b_target != "$host_ipc "* && $b_target == *" $host_dev" ]] || fail "b: $b_target (host $host_ipc $host_dev)"
echo ok
