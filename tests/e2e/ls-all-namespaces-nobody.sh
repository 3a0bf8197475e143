#!/usr/bin/env bash
# ls --all-namespaces as nobody (issue 11): three containers made by root, each with a process
# of nobody in it. nobody may read those processes' namespace links and roots (its own
# processes) but may not join root's IPC namespaces (setns(2) needs CAP_SYS_ADMIN): their SysV
# segments are counted in one warning, never dropped silently; their POSIX objects are listed
# through /proc/PID/root/dev/shm; root's own processes, which nobody may not inspect, are
# counted too; and the exit status stays 0.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/target-lib.sh"
[[ $(id -u) -eq 0 ]] || skip "needs root to make nobody's processes"
command -v jq >/dev/null || skip "no jq"
python3 -c 'from multiprocessing import shared_memory' 2>/dev/null || skip "no shared_memory"
chmod 755 "$TEST_TMP"

"$SHMKIT" create key:0x7e5b0001 --size 4K --mode 644 >/dev/null
declare -A sleeper
for c in n1 n2 n3; do
  start_container "$c" own own
  nsenter -t "$CTR_PID" -i -m -- setpriv --reuid=65534 --regid=65534 --clear-groups -- \
    sleep 1000 &
  sleeper[$c]=$!
  disown "$!" # killed at exit without a "Killed" line
  on_exit "kill -9 ${sleeper[$c]}"
done
for c in n1 n2 n3; do # wait until each sleeper runs as nobody in its container
  for ((i = 0; i < 500; i++)); do
    [[ $(stat -c %u "/proc/${sleeper[$c]}" 2>/dev/null) == 65534 &&
      $(readlink "/proc/${sleeper[$c]}/ns/ipc") != "$(readlink /proc/self/ns/ipc)" ]] && break
    sleep 0.02
  done
done

# Processes nobody may not inspect: every one not nobody's (kernel threads aside: this test's
# PID namespace has none).
others=0
for dir in /proc/[0-9]*; do
  [[ $(stat -c %u "$dir" 2>/dev/null) == 65534 ]] || others=$((others + 1))
done

expect_status 0 as_nobody "$SHMKIT" ls -A --json
json=$(cat "$TEST_TMP/out")
warning=$(grep -- '--all-namespaces' "$TEST_TMP/err")
[[ $(wc -l <<<"$warning") -eq 1 ]] || fail "one warning line: $(cat "$TEST_TMP/err")"
[[ $warning =~ ^"shmkit: warning: --all-namespaces: 3 IPC namespaces could not be entered (setns(2) needs CAP_SYS_ADMIN): their SysV segments are not listed; "([0-9]+)" processes could not be inspected (another user's process needs CAP_SYS_PTRACE): their namespaces are not listed"$ ]] ||
  fail "warning: $warning"
# The count is of processes at the time of the listing; ours from before it differ only by the
# command substitutions that came and went (never fewer than those still running).
[[ ${BASH_REMATCH[1]} -ge $((others - 3)) ]] || fail "uninspected ${BASH_REMATCH[1]} < $others - 3"

# Our IPC namespace is listed (no setns needed), the containers' POSIX objects too.
expect_eq "$(jq -r '[.segments[] | select(.type == "sysv") | .key] | join(" ")' <<<"$json")" \
  "0x7e5b0001" "SysV: our namespace only"
expect_eq "$(jq -r '[.segments[] | select(.type == "posix") | .segment] | sort | join(" ")' <<<"$json")" \
  "posix:/ctr_n1 posix:/ctr_n2 posix:/ctr_n3 posix:/spare_n1 posix:/spare_n2 posix:/spare_n3" \
  "POSIX objects of the containers, through nobody's sleepers"
for c in n1 n2 n3; do
  expect_eq "$(jq -r --arg n "posix:/ctr_$c" '.segments[] | select(.segment == $n) | .target' <<<"$json")" \
    "${sleeper[$c]}" "target of $c's object: the process nobody can see there"
done
echo ok
