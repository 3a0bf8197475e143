#!/usr/bin/env bash
# Lifecycle events end a watch with status 1: a SysV segment removed (marked while the watch
# holds its attach) gives `removed`; a POSIX name unlinked gives `removed`, unlinked and
# recreated gives `replaced`.
source "$(dirname "$0")/common.sh"

# 1. SysV: shmkit rm --force marks the watched segment; watch reports it and exits 1.
seg=$("$SHMKIT" create key:auto --size 4096)
id=${seg#id:}
"$SHMKIT" watch "$seg" --json --interval 20ms --timeout 8s >"$TEST_TMP/events" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
for ((i = 0; i < 200; i++)); do
  [[ $(sysv_field "$id" nattch) == 1 ]] && break
  sleep 0.02
done
expect_eq "$(sysv_field "$id" nattch)" 1 "the watch attaches once"
"$SHMKIT" rm --force "$seg"
status=0
wait "$watch" || status=$?
expect_eq "$status" 1 "sysv status"
expect_eq "$(jq -c '{event, offset, length, old, new}' "$TEST_TMP/events")" \
  '{"event":"removed","offset":0,"length":4096,"old":null,"new":null}' "sysv event"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: $seg was removed" "sysv stderr"
# The watch detached, so the marked segment is gone.
[[ -z $(sysv_field "$id" nattch) ]] || fail "segment $seg still exists"

# 2. POSIX name unlinked: removed.
"$SHMKIT" create posix:gone --size 4096 >/dev/null
"$SHMKIT" watch posix:gone --interval 20ms --timeout 8s >"$TEST_TMP/events" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_open "$watch" /dev/shm/gone
rm /dev/shm/gone
status=0
wait "$watch" || status=$?
expect_eq "$status" 1 "unlinked status"
grep -Eq 'Z removed offset=0 length=4096$' "$TEST_TMP/events" ||
  fail "unlinked event: $(cat "$TEST_TMP/events")"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: posix:/gone was removed" "unlinked stderr"

# 3. POSIX name unlinked and recreated between two comparisons (interval 1s, done 0.3s after
# the first snapshot): replaced.
"$SHMKIT" create posix:again --size 4096 >/dev/null
"$SHMKIT" watch posix:again --json --interval 1s --timeout 8s >"$TEST_TMP/events" \
  2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_open "$watch" /dev/shm/again
rm /dev/shm/again
"$SHMKIT" create posix:again --size 4096 >/dev/null
status=0
wait "$watch" || status=$?
expect_eq "$status" 1 "replaced status"
expect_eq "$(jq -r .event "$TEST_TMP/events")" replaced "replaced event"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: posix:/again was replaced by another object" \
  "replaced stderr"
