#!/usr/bin/env bash
# Fault matrix (issue 13), family "identity": rm --all --orphaned while SysV segments are
# removed and re-created under the same keys (and even the same shmid, with
# kernel.shm_next_id) by another process. rm removes a segment only if it is still the one it
# listed (key, cpid, ctime; SysV backend), so a re-created segment survives, and what it
# removes matches the dry run taken under the same conditions. All in the test's private IPC
# namespace.
source "$(dirname "$0")/common.sh"
# An ASan build runs LeakSanitizer at exit, which stops the process under a tracer thread of its
# own; a SIGSTOP to the group then freezes that thread too, and the process never stops cleanly.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

sk() { timeout 20 "$SHMKIT" "$@"; }
rm_all=(rm --all --orphaned --grace 0s --type sysv)
key_of() { awk -v id="$1" 'NR > 1 && $2 == id { printf "0x%08x\n", $1 }' /proc/sysvipc/shm; }
id_of() { awk -v key="$(($1))" 'NR > 1 && $1 == key { print $2 }' /proc/sysvipc/shm; }
ids() { awk 'NR > 1 { print $2 }' /proc/sysvipc/shm | sort -n; }

# --- 1. Replaced between the listing and the removal, deterministically ---------------------
# rm --all asks on a terminal (a pty from script(1)) after it listed; the test replaces two of
# the three segments before answering: one with a new shmid, one with the same shmid.
for k in 0x7001 0x7002 0x7003; do sk create "key:$k" --size 4K >/dev/null; done
a=$(id_of 0x7001) b=$(id_of 0x7002) c=$(id_of 0x7003)
expect_status 0 sk "${rm_all[@]}" --dry-run
dry_lines=$(cat "$TEST_TMP/out")
expect_eq "$(cut -d' ' -f1 "$TEST_TMP/out")" "$(printf 'id:%s\n' "$a" "$b" "$c")" "dry run"
rm -f "$TEST_TMP/feed"
mkfifo "$TEST_TMP/feed"
exec 3<>"$TEST_TMP/feed"
script -qfec "$SHMKIT ${rm_all[*]} -v" /dev/null <"$TEST_TMP/feed" >"$TEST_TMP/pty" 2>&1 3>&- &
pid=$!
on_exit "kill -KILL $pid"
for ((i = 0; i < 500; i++)); do
  grep -q 'y/N' "$TEST_TMP/pty" && break
  sleep 0.02
done
grep -q 'y/N' "$TEST_TMP/pty" || fail "no prompt: $(cat "$TEST_TMP/pty")"
ipcrm -m "$a"
sk create key:0x7001 --size 4K >/dev/null # a new shmid
ipcrm -m "$b"
echo "$b" >/proc/sys/kernel/shm_next_id
sk create key:0x7002 --size 4K >/dev/null # the same shmid, another creator
expect_eq "$(id_of 0x7002)" "$b" "re-created with the same shmid"
a2=$(id_of 0x7001)
echo y >&3
exec 3>&-
exits_within "$pid" 10 || fail "rm did not end"
status=0
wait "$pid" || status=$?
expect_eq "$status" 1 "rm --all with replaced segments"
# The question lists what the dry run printed.
expect_eq "$(tr -d '\r' <"$TEST_TMP/pty")" "$(sed 's/^/  /' <<<"$dry_lines"
  printf '%s\n' 'shmkit: remove 3 segments? [y/N] y' \
  "shmkit: error: no sysv segment id:$a" \
  "shmkit: error: not removing id:$b: it changed since it was listed" \
  "removed id:$c")" "rm --all on a pty"
# Removed: one, the dry run's three less the two replaced. The replacements survive.
expect_eq "$(ids)" "$(printf '%s\n' "$b" "$a2" | sort -n)" "what is left"
expect_eq "$(key_of "$a2") $(key_of "$b")" "0x00007001 0x00007002" "keys of the replacements"
ipcrm -m "$a2"
ipcrm -m "$b"

# --- A loop that re-creates segments under the same keys --------------------------------------
# recreate: for ever, for each of 6 keys, remove the segment with that key and create it again
# (shmkit create exits at once: its segments are orphaned), every other time at the same shmid.
# Runs in its own session so that SIGSTOP freezes it and any create it started.
cat >"$TEST_TMP/recreate.sh" <<'LOOP'
n=0
while :; do
  for k in 0x7101 0x7102 0x7103 0x7104 0x7105 0x7106; do
    id=$(awk -v key="$((k))" 'NR > 1 && $1 == key { print $2 }' /proc/sysvipc/shm)
    if [[ -n $id ]]; then
      ipcrm -m "$id" 2>/dev/null || true
      ((n++ % 2 == 0)) && echo "$id" >/proc/sys/kernel/shm_next_id
    fi
    "$SHMKIT" create "key:$k" --size 4K >>"$LOG" 2>/dev/null || true
  done
  echo round >>"$ROUNDS"
done
LOOP
LOG=$TEST_TMP/created ROUNDS=$TEST_TMP/rounds SHMKIT=$SHMKIT \
  setsid bash "$TEST_TMP/recreate.sh" </dev/null >/dev/null 2>&1 &
loop=$!
on_exit "kill -KILL -- -$loop"
rounds() { wc -l 2>/dev/null <"$TEST_TMP/rounds" || echo 0; }
# freeze: stops the loop (and its children) and waits until all of them are stopped.
freeze() {
  local i p state all
  kill -STOP -- "-$loop"
  for ((i = 0; i < 500; i++)); do
    all=1
    for p in $(pgrep -g "$loop"); do
      state=$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
      # T stopped; Z a child that ended while its parent was being stopped (nobody reaps it)
      [[ -z $state || $state == [TZX] ]] || all=
    done
    [[ -n $all ]] && return 0
    sleep 0.02
  done
  fail "the loop did not stop"
}
wait_rounds() {
  local i want=$(($(rounds) + $1))
  for ((i = 0; i < 1000; i++)); do
    (($(rounds) >= want)) && return 0
    sleep 0.02
  done
  fail "the loop made no progress"
}

# --- 2. Frozen: the removal matches the dry run exactly ----------------------------------------
wait_rounds 2
freeze
expect_status 0 sk "${rm_all[@]}" --dry-run
dry=$(cut -d' ' -f1 "$TEST_TMP/out" | sed 's/^id://' | sort -n)
[[ -n $dry ]] || fail "the dry run found nothing to remove"
expect_status 0 sk "${rm_all[@]}" --yes -v
expect_eq "$(sed 's/^removed id://' "$TEST_TMP/out" | sort -n)" "$dry" "removed = dry run"
expect_eq "$(cat "$TEST_TMP/err")" "" "rm stderr while frozen"
for id in $dry; do
  [[ -z $(key_of "$id") ]] || fail "id:$id is still there"
done

# --- 3. Running: every refusal is an identity refusal, and what was removed was ours ----------
kill -CONT -- "-$loop"
wait_rounds 1
status=0
sk "${rm_all[@]}" --yes -v >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
[[ $status == 0 || $status == 1 ]] || fail "rm --all against the loop: status $status"
freeze
grep -Ev '^removed id:[0-9]+$' "$TEST_TMP/out" && fail "unexpected output: $(cat "$TEST_TMP/out")"
grep -Ev '^shmkit: error: (no sysv segment id:[0-9]+|not removing id:[0-9]+: it changed since it was listed)$' \
  "$TEST_TMP/err" && fail "unexpected message"
if [[ $status == 1 ]]; then
  [[ -s $TEST_TMP/err ]] || fail "status 1 without a message"
fi
# Every segment removed was created by the loop; every one left has one of its keys.
sed 's/^id://' "$TEST_TMP/created" | sort -u >"$TEST_TMP/created-ids"
for id in $(sed 's/^removed id://' "$TEST_TMP/out"); do
  grep -qx "$id" "$TEST_TMP/created-ids" || fail "removed id:$id, which the loop did not create"
done
for id in $(ids); do
  [[ $(key_of "$id") == 0x000071* ]] || fail "a segment of unknown origin: id:$id"
done
echo "note: against the loop: $(wc -l <"$TEST_TMP/out") removed, $(wc -l <"$TEST_TMP/err") refused" >&2
