#!/usr/bin/env bash
# ls --all-namespaces (issue 11): three simulated containers with their own IPC namespace and
# /dev/shm, one that shares the test's IPC namespace with its own /dev/shm, and one with its
# own IPC namespace on the test's /dev/shm. Every segment is listed exactly once, in the
# namespace ipcs and ls see it in (nsenter, the peer), with IPCNS, SHMDEV and the lowest pid of
# that namespace as NSPID and JSON target; holders are attributed per namespace (the containers
# all have shmids 0 and 1); and each row can be acted on as printed with --target.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/target-lib.sh"
command -v jq >/dev/null || skip "no jq"
command -v nsenter >/dev/null || skip "no nsenter"
python3 -c 'from multiprocessing import shared_memory' 2>/dev/null || skip "no shared_memory"

"$SHMKIT" create key:0x7e5a0001 --size 4K >/dev/null
"$SHMKIT" create posix:/host_obj --size 4K >/dev/null
declare -A holder shmid spare
for c in c1 c2 c3; do
  start_container "$c" own own
  holder[$c]=$CTR_PID shmid[$c]=$CTR_SHMID spare[$c]=$CTR_SPARE_SHMID
done
start_container a host own # the test's IPC namespace, its own /dev/shm
holder[a]=$CTR_PID shmid[a]=$CTR_SHMID spare[a]=$CTR_SPARE_SHMID
start_container b own host # its own IPC namespace, the test's /dev/shm
holder[b]=$CTR_PID shmid[b]=$CTR_SHMID spare[b]=$CTR_SPARE_SHMID

ipc_of() { # PID: the inode of its IPC namespace
  local link
  link=$(readlink "/proc/$1/ns/ipc")
  link=${link#ipc:[}
  echo "${link%]}"
}
shm_of() { stat -L -c '%Hd:%Ld/%i' "/proc/$1/root/dev/shm"; } # device and inode

# The peer's view, computed from /proc by hand: the lowest pid of each IPC namespace and of
# each /dev/shm (by device and inode). The test runs in its own PID namespace with its own
# /proc (common.sh), so every process here is the test's.
declare -A ipc_pid shm_pid
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  ns=$(ipc_of "$pid" 2>/dev/null) || continue
  shm=$(shm_of "$pid" 2>/dev/null) || continue
  [[ -n ${ipc_pid[$ns]:-} && ${ipc_pid[$ns]} -lt $pid ]] || ipc_pid[$ns]=$pid
  [[ -n ${shm_pid[$shm]:-} && ${shm_pid[$shm]} -lt $pid ]] || shm_pid[$shm]=$pid
done
expect_eq "${#ipc_pid[@]} ${#shm_pid[@]}" "5 5" "IPC namespaces and /dev/shm directories set up"

# What each namespace holds, as ipcs and ls show it from inside (nsenter -i / the root link).
expected=$(
  for ns in "${!ipc_pid[@]}"; do
    p=${ipc_pid[$ns]}
    nsenter -t "$p" -i -- ipcs -m | awk -v ns="$ns" -v p="$p" \
      '$2 ~ /^[0-9]+$/ {print "sysv id:" $2 " " ns " - " p}'
  done
  for shm in "${!shm_pid[@]}"; do
    p=${shm_pid[$shm]}
    for f in "/proc/$p/root/dev/shm/"*; do
      echo "posix posix:/${f##*/} - ${shm%/*} $p"
    done
  done | sort
)
expected=$(sort <<<"$expected")
json=$("$SHMKIT" ls -A --json 2>"$TEST_TMP/err")
got=$(jq -r '.segments[] | "\(.type) \(.segment) \(.ipcns // "-") \(.shmdev // "-") \(.target)"' \
  <<<"$json" | sort)
expect_eq "$got" "$expected" "every segment once, in its namespace"
# 11 SysV segments (1 + 2 of a in ours; 2 in each of c1 c2 c3 b), 11 POSIX objects (1 + 2
# of b in ours; 2 in each of a c1 c2 c3).
expect_eq "$(wc -l <<<"$got")" 22 "row count"
expect_eq "$(jq -r '.segments[0] | keys_unsorted[0:2] | join(" ")' <<<"$json")" "segment target" \
  "target comes next to segment"
# NSPID and NSCOMM name that process; CONTAINER is its cgroup path (no runtime id here).
for c in c1 b; do
  ns=$(ipc_of "${holder[$c]}")
  p=${ipc_pid[$ns]}
  row=$(jq -c --arg id "id:${shmid[$c]}" --argjson ns "$ns" \
    '.segments[] | select(.segment == $id and .ipcns == $ns) | [.nspid, .nscomm, .container]' <<<"$json")
  cg=$(sed -n 's/^0:://p' "/proc/$p/cgroup")
  expect_eq "$row" "$(jq -cn --argjson p "$p" --arg comm "$(cat "/proc/$p/comm")" --arg cg "$cg" \
    '[$p, $comm, $cg]')" "NSPID, NSCOMM, CONTAINER of $c"
done

# Holders per namespace: the containers' shmids collide, yet each segment's PIDS is its own
# holder only; a (in our IPC namespace) holds its segment here; POSIX by device and inode.
holders=$("$SHMKIT" ls -A --json -o SEGMENT,IPCNS,SHMDEV,PIDS,NATTCH)
for c in c1 c2 c3 a b; do
  ns=$(ipc_of "${holder[$c]}")
  expect_eq "$(jq -c --arg id "id:${shmid[$c]}" --argjson ns "$ns" \
    '[.segments[] | select(.segment == $id and .ipcns == $ns) | [.pids[].pid, .nattch]]' <<<"$holders")" \
    "[[${holder[$c]},1]]" "holders of $c's SysV segment"
  expect_eq "$(jq -c --arg id "id:${spare[$c]}" --argjson ns "$ns" \
    '[.segments[] | select(.segment == $id and .ipcns == $ns) | [.pids[].pid, .nattch]]' <<<"$holders")" \
    "[[0]]" "no holders of $c's spare segment"
  dev=$(shm_of "${holder[$c]}")
  expect_eq "$(jq -c --arg n "posix:/ctr_$c" --arg dev "${dev%/*}" \
    '[.segments[] | select(.segment == $n and .shmdev == $dev) | [.pids[].pid, .nattch]]' <<<"$holders")" \
    "[[${holder[$c]},1]]" "holders of $c's POSIX object"
done

# The table: the default columns plus the namespace ones, and the rows of a container.
table=$("$SHMKIT" ls -A 2>/dev/null)
expect_eq "$(head -n 1 <<<"$table" | tr -s ' ')" \
  "SEGMENT TYPE KEY PERMS OWNER SIZE NATTCH CPID LPID STATUS IPCNS SHMDEV NSPID NSCOMM CONTAINER" "header"
expect_eq "$("$SHMKIT" ls -A --raw --noheadings -o SEGMENT,IPCNS,NSPID --type sysv |
  grep -c " $(ipc_of "${holder[c2]}") ")" 2 "c2's two SysV rows in the raw table"

# Act on rows as printed: the JSON target with --target.
ns=$(ipc_of "${holder[c2]}")
target=$(jq -r --arg id "id:${spare[c2]}" --argjson ns "$ns" \
  '.segments[] | select(.segment == $id and .ipcns == $ns) | .target' <<<"$json")
"$SHMKIT" --target "$target" rm "id:${spare[c2]}"
ids=$(nsenter -t "${holder[c2]}" -i -- ipcs -m | awk '$2 ~ /^[0-9]+$/ {print $2}')
expect_eq "$ids" "${shmid[c2]}" "ipcs inside c2 after rm of its spare segment"
dev=$(shm_of "${holder[c3]}")
target=$(jq -r --arg dev "${dev%/*}" \
  '.segments[] | select(.segment == "posix:/spare_c3" and .shmdev == $dev) | .target' <<<"$json")
"$SHMKIT" --target "$target" rm posix:/spare_c3
expect_eq "$(nsenter -t "${holder[c3]}" -m -- ls /dev/shm)" "ctr_c3" "/dev/shm of c3 after rm"
# Nothing else was touched: 20 rows now.
expect_eq "$("$SHMKIT" ls -A --noheadings --raw -o SEGMENT 2>/dev/null | wc -l)" 20 "rows after two rm"
echo ok
