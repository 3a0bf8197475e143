#!/usr/bin/env bash
# How a watch ends: SIGINT/SIGTERM → 0, --timeout → 124 (with a `timeout` event), --changes N →
# 0 after exactly N events, --until on a value already present → 0 at once, a closed pipe → 0
# quietly. Typed events cover several elements, byte order and floats.
source "$(dirname "$0")/common.sh"

# poke OFFSET PRINTF-BYTES: writes bytes into /dev/shm/stop at OFFSET.
poke() {
  # shellcheck disable=SC2059
  printf "$2" | dd of=/dev/shm/stop bs=1 seek="$1" conv=notrunc status=none
}

"$SHMKIT" create posix:stop --size 4096 --allocate >/dev/null

# SIGINT (the watch started with SIGINT not ignored, as from a terminal) and SIGTERM end
# the watch with status 0 and no output.
for sig in INT TERM HUP; do
  (
    trap - INT
    exec "$SHMKIT" watch posix:stop --interval 20ms >"$TEST_TMP/events" 2>"$TEST_TMP/err"
  ) &
  watch=$!
  on_exit "kill $watch"
  wait_watching "$watch" /dev/shm/stop
  kill -s "$sig" "$watch"
  status=0
  wait "$watch" || status=$?
  expect_eq "$status" 0 "status after SIG$sig"
  [[ ! -s $TEST_TMP/events && ! -s $TEST_TMP/err ]] || fail "output after SIG$sig"
done

# --timeout: 124, and a last `timeout` event in both formats.
expect_status 124 "$SHMKIT" watch posix:stop --timeout 200ms --json
expect_eq "$(jq -c '{event, offset, length, old, new}' "$TEST_TMP/out")" \
  '{"event":"timeout","offset":0,"length":4096,"old":null,"new":null}' "json timeout event"
[[ ! -s $TEST_TMP/err ]] || fail "stderr after timeout: $(cat "$TEST_TMP/err")"
expect_status 124 "$SHMKIT" watch posix:stop --timeout 150ms --interval 1s --offset 8 --length 8
grep -Eq '^[0-9T:.-]+Z timeout offset=8 length=8$' "$TEST_TMP/out" ||
  fail "text timeout event: $(cat "$TEST_TMP/out")"

# Typed, several elements, one tick: one event per changed element; --changes 2 stops after
# the second, although three changed.
"$SHMKIT" watch posix:stop --offset 16 --type u16 --endian big --count 8 --interval 300ms \
  --changes 2 --json --timeout 8s >"$TEST_TMP/events" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_watching "$watch" /dev/shm/stop
poke 18 '\x01\x02'
poke 22 '\xff\xff'
poke 30 '\x00\x07'
status=0
wait "$watch" || status=$?
expect_eq "$status" 0 "--changes status"
expect_eq "$(jq -c '[.offset, .length, .old, .new]' "$TEST_TMP/events")" \
  '[18,2,0,258]
[22,2,0,65535]' "typed events"

# Text format of a typed change, and of floats (JSON numbers, or strings for inf and nan).
"$SHMKIT" watch posix:stop --offset 64 --type f64 --count 2 --endian little --interval 20ms \
  --changes 2 --json --timeout 8s >"$TEST_TMP/events" 2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_watching "$watch" /dev/shm/stop
poke 64 '\x00\x00\x00\x00\x00\x00\xf8\x3f' # 1.5
sleep 0.1
poke 72 '\x00\x00\x00\x00\x00\x00\xf0\x7f' # inf
wait "$watch"
expect_eq "$(jq -c '[.offset, .old, .new]' "$TEST_TMP/events")" '[64,0,1.5]
[72,0,"inf"]' "float events"

# --until a value that is already there: exits 0 at once, printing nothing.
expect_status 0 "$SHMKIT" watch posix:stop --offset 18 --type u16 --endian big --until 258 \
  --timeout 5s
[[ ! -s $TEST_TMP/out ]] || fail "output: $(cat "$TEST_TMP/out")"
# ... also when it is any one of several watched values.
expect_status 0 "$SHMKIT" watch posix:stop --offset 16 --type u16 --endian big --count 8 \
  --until 0xffff --timeout 5s

# A reader that goes away (| head -n 1): the watch ends quietly with status 0.
(
  "$SHMKIT" watch posix:stop --offset 100 --length 1 --interval 10ms --timeout 30s \
    2>"$TEST_TMP/err" | head -n 1 >"$TEST_TMP/events"
  echo "${PIPESTATUS[0]}" >"$TEST_TMP/status"
) &
pipeline=$!
# Pokes until the pipeline ends (the watch may take a while to start under ASan).
for ((i = 1; i < 800; i++)); do
  poke 100 "\\x$(printf %02x $((i % 255 + 1)))"
  sleep 0.03
  kill -0 "$pipeline" 2>/dev/null || break
done
wait "$pipeline"
expect_eq "$(cat "$TEST_TMP/status")" 0 "status with a closed pipe"
[[ ! -s $TEST_TMP/err ]] || fail "stderr with a closed pipe: $(cat "$TEST_TMP/err")"
grep -Eq 'Z change offset=100 length=1 old=[0-9a-f]{2} new=[0-9a-f]{2}$' "$TEST_TMP/events" ||
  fail "text change event: $(cat "$TEST_TMP/events")"

# Events that cannot be written: one error line, status 1.
"$SHMKIT" watch posix:stop --offset 200 --length 1 --interval 10ms --timeout 8s >/dev/full \
  2>"$TEST_TMP/err" &
watch=$!
on_exit "kill $watch"
wait_watching "$watch" /dev/shm/stop
poke 200 '\x01'
status=0
wait "$watch" || status=$?
expect_eq "$status" 1 "status with /dev/full"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: no space left on device" \
  "/dev/full message"
