# Sourced by the target-* tests (shmkit --target PID, shmkit(1) CONTAINERS): simulated
# containers made with unshare, each with a holder process that owns one SysV segment (made by
# ipcmk) and one POSIX object (made by Python's multiprocessing.shared_memory).
# shellcheck shell=bash

# start_container NAME IPC SHM: starts `unshare --mount --pid --fork` (plus --ipc when IPC is
# "own"; with SHM "own" it mounts its own tmpfs on /dev/shm) running, as its pid 1, a holder
# that:
#   - makes a SysV segment with ipcmk, attaches it and stores the u32 1111 at offset 0;
#   - makes the POSIX object /ctr_NAME (4 KiB) and stores the u32 2222 at offset 0;
#   - makes a spare SysV segment and a spare POSIX object /spare_NAME that nobody holds;
#   - then polls: when the SysV word becomes 4321 it creates $TEST_TMP/NAME.sysv-seen, when
#     the POSIX word becomes 8765 $TEST_TMP/NAME.posix-seen.
# Sets CTR_PID (the holder, as our /proc numbers it), CTR_SHMID and CTR_SPARE_SHMID (ids in
# its IPC namespace); both processes are killed on exit.
start_container() {
  local name=$1 ipc=$2 shm=$3
  local ready=$TEST_TMP/$name.ready
  local -a flags=(--mount --propagation private --pid --fork --mount-proc --kill-child)
  [[ $ipc == own ]] && flags+=(--ipc)
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare "${flags[@]}" -- bash -c '
    set -e
    [[ $2 == own ]] && mount -t tmpfs -o size=16m,mode=1777 "ctr-$1" /dev/shm
    id=$(ipcmk -M 4096 -p 0600 | awk "{print \$NF}")
    spare=$(ipcmk -M 8192 -p 0600 | awk "{print \$NF}")
    exec python3 "$3" "$1" "$4" "$id" "$spare"' \
    bash "$name" "$shm" "$SHMKIT_SOURCE_DIR/tests/e2e/target-holder.py" "$TEST_TMP" \
    2>"$TEST_TMP/$name.log" & # unshare complains when its child is killed
  local unshare_pid=$!
  disown "$unshare_pid" # killed at exit without a "Killed" line
  on_exit "kill -9 $unshare_pid"
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -s $ready ]] && break
    kill -0 "$unshare_pid" 2>/dev/null || fail "container $name died: $(cat "$TEST_TMP/$name.log")"
    sleep 0.05
  done
  [[ -s $ready ]] || fail "container $name not ready"
  CTR_PID=$(cat "/proc/$unshare_pid/task/$unshare_pid/children")
  CTR_PID=${CTR_PID%% *}
  on_exit "kill -9 $CTR_PID"
  # shellcheck disable=SC2034 # used by the scripts that source this file
  read -r CTR_SHMID CTR_SPARE_SHMID <"$ready"
}

# inside PID CMD...: runs CMD in the IPC, mount and PID namespaces of PID (nsenter -t).
inside() {
  local pid=$1
  shift
  nsenter -t "$pid" -i -m -p -- "$@"
}

# wait_file PATH: waits up to 10 s for PATH to exist.
wait_file() {
  local i
  for ((i = 0; i < 500; i++)); do
    [[ -e $1 ]] && return 0
    sleep 0.02
  done
  return 1
}
