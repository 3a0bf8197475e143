#!/usr/bin/env bash
# attach keeps a SysV segment alive after `shmkit rm --force` (IPC_RMID only marks an attached
# segment): it goes on holding, warns once, the segment stays listed as dest and attachable by
# id, and it disappears when attach exits.
source "$(dirname "$0")/common.sh"

seg=$("$SHMKIT" create key:auto --size 4096)
id=${seg#id:}
"$SHMKIT" attach "$seg" >"$TEST_TMP/line" 2>"$TEST_TMP/err" &
attach=$!
on_exit "kill $attach"
for ((i = 0; i < 200; i++)); do
  [[ -s $TEST_TMP/line ]] && break
  sleep 0.02
done
[[ -s $TEST_TMP/line ]] || fail "attach printed nothing"

"$SHMKIT" rm --force "$seg"
sleep 0.4
kill -0 "$attach" || fail "attach stopped holding the marked segment"
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment,key,nattch,status "$seg")" \
  "$seg 0x00000000 1 dest" "the marked segment is still there"
ipcs -m | grep -Eq "^0x00000000 +$id .* dest" || fail "ipcs does not show it: $(ipcs -m)"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: warning: $seg was marked for removal; it is destroyed when the last process detaches" \
  "one warning"
# Linux still lets others attach a marked segment by id: a second hold works.
expect_status 0 "$SHMKIT" attach "$seg" --readonly --timeout 100ms
[[ $(cat "$TEST_TMP/out") == "$seg size=4096 type=sysv addr="*" nattch=2" ]] ||
  fail "second hold: $(cat "$TEST_TMP/out")"

kill -TERM "$attach"
status=0
wait "$attach" || status=$?
expect_eq "$status" 0 "status after SIGTERM"
[[ -z $(sysv_field "$id" nattch) ]] || fail "$seg still exists after attach exited"
expect_error 1 "no sysv segment $seg" "$SHMKIT" ls "$seg"
