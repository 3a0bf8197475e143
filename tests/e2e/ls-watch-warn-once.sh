#!/usr/bin/env bash
# ls --watch rescans /proc for PIDS at most once per --interval; the warning that processes
# could not be read is printed once, not at every rescan (each event still says pids_partial).
# As nobody, root's processes here (this shell at least) cannot be read.
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:base --size 4K --mode 644 >/dev/null
out=$TEST_TMP/watch.out # setpriv (as_nobody) directly, so that $! is shmkit
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$SHMKIT" ls --watch --json -o segment,pids --interval 20ms --timeout 60s \
  >"$out" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
# wait_event JQ-CONDITION: waits (up to 30 s) until an event line satisfies the condition.
wait_event() {
  local i
  for ((i = 0; i < 1500; i++)); do
    [[ -n $(jq -c "select($1)" "$out" 2>/dev/null) ]] && return 0
    kill -0 "$watch" 2>/dev/null || break
    sleep 0.02
  done
  fail "no event ($1) in: $(cat "$out" "$TEST_TMP/err")"
}
wait_event '.event == "ready"'
for name in one two three four; do
  sleep 0.1 # longer than --interval: each event is printed with a fresh /proc scan
  "$SHMKIT" create "posix:$name" --size 4K --mode 644 >/dev/null
  wait_event ".event == \"created\" and .segment == \"posix:/$name\""
done
kill -TERM "$watch"
wait "$watch" || fail "the watch ended with status $?"
expect_eq "$(jq -r 'select(.event == "created") | .segment' "$out")" "posix:/one
posix:/two
posix:/three
posix:/four" "created events"
expect_eq "$(grep -c 'could not be read' "$TEST_TMP/err")" 1 "warnings (one, not one per rescan)"
expect_eq "$(jq -r 'select(.event == "created") | .pids_partial' "$out" | sort -u)" true \
  "every event still says the holders are partial"
