#!/usr/bin/env bash
# shmkit --target PID (issue 11), bad input: a one-line error, the documented status, nothing
# changed. Usage errors (2): --target 0, -5, abc, no value, given twice. Runtime failures (1): no
# such process, a zombie, a kernel thread, and as nobody a root process (CAP_SYS_PTRACE) or a
# process of its own in another IPC namespace (CAP_SYS_ADMIN).

# A kernel thread shows only in the host's /proc, not in the private PID namespace common.sh
# makes: --target of one is tried here, before it (it only reads /proc), and the outcome is
# checked below.
if [[ -z ${SHMKIT_IN_NS:-} && -n ${SHMKIT:-} ]]; then
  for stat in /proc/[0-9]*/stat; do
    line=$(cat "$stat" 2>/dev/null) || continue
    read -r -a fields <<<"${line##*) }"
    # shellcheck disable=SC2015
    [[ ${#fields[@]} -gt 6 ]] && (((fields[6] & 0x200000) != 0)) || continue
    KTHREAD_PID=${stat#/proc/} KTHREAD_PID=${KTHREAD_PID%/stat}
    KTHREAD_COMM=$(cat "/proc/$KTHREAD_PID/comm")
    KTHREAD_STATUS=0
    KTHREAD_ERR=$("$SHMKIT" --target "$KTHREAD_PID" rm posix:/nothing 2>&1 >/dev/null) ||
      KTHREAD_STATUS=$?
    export KTHREAD_PID KTHREAD_COMM KTHREAD_STATUS KTHREAD_ERR
    break
  done
fi
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/target-lib.sh"
python3 -c 'from multiprocessing import shared_memory' 2>/dev/null || skip "no shared_memory"

start_container c1 own own
pid=$CTR_PID
"$SHMKIT" create posix:/keep --size 4K >/dev/null
keep_id=$("$SHMKIT" create key:0x7e570003 --size 4K)

try="Try 'shmkit --help' for more information."
for bad in 0 -5 abc '' 12x; do
  expect_error 2 "invalid --target value '$bad' (process ids from 1)" \
    "$SHMKIT" --target "$bad" rm posix:/keep
  expect_eq "$(tail -n 1 "$TEST_TMP/err")" "$try" "the Try line"
  expect_error 2 "invalid --target value '$bad' (process ids from 1)" \
    "$SHMKIT" "--target=$bad" rm posix:/keep
done
expect_error 2 "option --target needs a value (a process id)" "$SHMKIT" --target
expect_error 2 "option --target given twice" "$SHMKIT" --target "$pid" --target "$pid" rm posix:/spare_c1
expect_error 2 "option --target given twice" "$SHMKIT" --target="$pid" --target 1 ls
# After the subcommand: a hint to put it first, not CLI11's "argument was not expected".
expect_error 2 "--target goes before the subcommand: shmkit --target PID ls ..." "$SHMKIT" ls --target "$pid"
expect_error 2 "--target goes before the subcommand: shmkit --target PID rm ..." \
  "$SHMKIT" rm posix:/spare_c1 --target="$pid"
# A usage error of the subcommand wins over a process that does not exist: nothing was looked up.
expect_error 2 "" "$SHMKIT" --target 999999 rm
expect_error 2 "" "$SHMKIT" --target "$pid" read posix:/ctr_c1 --offset -1
# --target belongs before the subcommand.
expect_error 2 "" "$SHMKIT" rm --target "$pid" posix:/spare_c1

# No such process.
sleep 0 &
gone=$!
wait "$gone"
expect_error 1 "--target $gone: no such process" "$SHMKIT" --target "$gone" rm posix:/keep

# A zombie: a child that exited and that its parent never reaps (python does not reap on its
# own; bash would, from its SIGCHLD handler).
python3 -c 'import os, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(600)' >"$TEST_TMP/zombie" &
parent=$!
on_exit "kill $parent"
zombie=""
for ((i = 0; i < 500; i++)); do
  zombie=$(cat "$TEST_TMP/zombie" 2>/dev/null || true) # made once the job has started
  [[ -n $zombie && $(cat "/proc/$zombie/stat" 2>/dev/null) == *") Z "* ]] && break
  sleep 0.02
done
[[ -n $zombie && $(cat "/proc/$zombie/stat") == *") Z "* ]] || fail "no zombie"
expect_error 1 "--target $zombie: process $zombie (python3) is a zombie: its root directory and namespaces are gone" \
  "$SHMKIT" --target "$zombie" rm posix:/keep

# A kernel thread (tried on the host, above).
if [[ -n ${KTHREAD_PID:-} ]]; then
  expect_eq "$KTHREAD_STATUS" 1 "status of --target $KTHREAD_PID (a kernel thread)"
  expect_eq "$KTHREAD_ERR" "shmkit: error: --target $KTHREAD_PID: process $KTHREAD_PID ($KTHREAD_COMM) is a kernel thread: it has no IPC namespace or /dev/shm of its own" \
    "--target of a kernel thread"
else
  echo "note: no kernel thread visible in the host's /proc: that case was not tried" >&2
fi

# As nobody: root's process needs ptrace access (CAP_SYS_PTRACE), in our IPC namespace or not.
expect_error 1 "--target $pid: cannot read /proc/$pid/ns/ipc: permission denied (another user's process needs CAP_SYS_PTRACE)" \
  as_nobody "$SHMKIT" --target "$pid" rm posix:/spare_c1
sleep 600 &
root_sleep=$!
on_exit "kill $root_sleep"
expect_error 1 "(another user's process needs CAP_SYS_PTRACE)" \
  as_nobody "$SHMKIT" --target "$root_sleep" ls
# As nobody, its own process in an IPC namespace of its own user namespace: joining needs
# CAP_SYS_ADMIN (setns(2)), which nobody does not have where it runs. (setpriv, not as_nobody:
# $! must be the process itself, not a subshell.)
setpriv --reuid=65534 --regid=65534 --clear-groups -- unshare -r --ipc sleep 600 &
own=$!
on_exit "kill $own"
# wait_sleep PID: until PID has become sleep (setpriv and unshare exec it).
wait_sleep() {
  local i
  for ((i = 0; i < 200; i++)); do
    [[ $(readlink "/proc/$1/exe" 2>/dev/null) == */sleep ]] && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}
wait_sleep "$own" || true
if kill -0 "$own" 2>/dev/null && [[ $(readlink "/proc/$own/ns/ipc") != "$(readlink /proc/self/ns/ipc)" ]]; then
  expect_error 1 "--target $own: cannot join its IPC namespace: permission denied (setns(2) needs CAP_SYS_ADMIN in the target's user namespace)" \
    as_nobody "$SHMKIT" --target "$own" ls
  # Its own process in our IPC namespace: nothing to join, no capability needed.
  setpriv --reuid=65534 --regid=65534 --clear-groups -- sleep 600 &
  mine=$!
  on_exit "kill $mine"
  wait_sleep "$mine" || fail "nobody's sleep did not start"
  expect_status 0 as_nobody "$SHMKIT" --target "$mine" ls --noheadings -o SEGMENT
else
  echo "note: unprivileged user namespaces are not available: the CAP_SYS_ADMIN case was not tried" >&2
fi

# Nothing changed, here or in the container.
[[ -e /dev/shm/keep ]] || fail "posix:/keep was removed"
[[ -n $(sysv_field "${keep_id#id:}" key) ]] || fail "$keep_id was removed"
inside "$pid" test -e /dev/shm/spare_c1 || fail "posix:/spare_c1 was removed in the container"
expect_eq "$("$SHMKIT" --target "$pid" ls --noheadings --raw -o SEGMENT | sort | paste -sd' ')" \
  "$(printf '%s\n' "id:$CTR_SHMID" "id:$CTR_SPARE_SHMID" posix:/ctr_c1 posix:/spare_c1 | sort | paste -sd' ')" \
  "the container's segments"
echo ok
