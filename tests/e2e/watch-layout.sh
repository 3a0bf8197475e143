#!/usr/bin/env bash
# issue 12: watch --layout reports changes by field name, with whole typed old and new values.
# Python's ctypes lays out the same struct independently (the C ABI) and writes its fields into
# a multiprocessing.shared_memory object; watch --layout @header.h --json must name each field
# that changed, once, with the values ctypes wrote. Also --until FIELD OP VALUE, --count records
# and the field that does not fit.
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "no python3"

cat >"$TEST_TMP/hdr.h" <<'H'
#include <stdint.h>
/* the header of a made-up ring */
struct ring_hdr {
  uint32_t magic;
  struct { uint16_t head, tail; } ring;
  union { int32_t i; float f; } u;
  double load;
  char name[8];
  int64_t counts[3];
  uint8_t ready;
};
H

cmds=$TEST_TMP/cmds
mkfifo "$cmds"
python3 - "$cmds" <<'PY' &
import ctypes, sys, time
from multiprocessing import shared_memory, resource_tracker
class Ring(ctypes.Structure):
    _fields_ = [("head", ctypes.c_uint16), ("tail", ctypes.c_uint16)]
class U(ctypes.Union):
    _fields_ = [("i", ctypes.c_int32), ("f", ctypes.c_float)]
class Hdr(ctypes.Structure):
    _fields_ = [("magic", ctypes.c_uint32), ("ring", Ring), ("u", U), ("load", ctypes.c_double),
                ("name", ctypes.c_char * 8), ("counts", ctypes.c_int64 * 3),
                ("ready", ctypes.c_uint8)]
shm = shared_memory.SharedMemory(name="lay", create=True, size=ctypes.sizeof(Hdr) * 2)
resource_tracker.unregister(shm._name, "shared_memory")
h = Hdr.from_buffer(shm.buf)
with open(sys.argv[1]) as commands:
    for line in commands:
        exec(line)  # the test's own statements: h.ring.head = 3
del h
time.sleep(30)
PY
py=$!
on_exit "kill $py"
exec 3>"$cmds"
for ((i = 0; i < 500; i++)); do [[ -e /dev/shm/lay ]] && break; sleep 0.01; done

events=$TEST_TMP/events
"$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --json --interval 20ms >"$events" &
watch=$!
on_exit "kill $watch"
# field_events FIELD: how many events name FIELD so far.
field_events() { jq -r --arg f "$1" 'select(.field == $f) | .field' "$events" | wc -l; }
# Until the first snapshot is taken, a change is not seen: bump `ready` until one is.
for ((i = 1; i < 250; i++)); do
  echo "h.ready = $i" >&3
  sleep 0.02
  (($(field_events ready) > 0)) && break
done
(($(field_events ready) > 0)) || fail "watch --layout never reported the ready field"
# step STATEMENT FIELD: runs the statement in Python and waits for an event naming FIELD.
step() {
  local before
  before=$(field_events "$2")
  echo "$1" >&3
  for ((i = 0; i < 500; i++)); do
    (($(field_events "$2") > before)) && return 0
    sleep 0.01
  done
  fail "no event for $2 after: $1"
}
step "h.magic = 679834894" magic
step "h.ring.tail = 513" ring.tail
step "h.u.i = -5" u.i
step "h.load = 0.25" load
step "h.name = b'ring-1'" name
step "h.counts[2] = -9000000000" 'counts[2]'
kill "$watch"
wait "$watch" || true
expect_eq "$(jq -c 'select(.field != "ready") | [.field, .offset, .length, .old, .new]' "$events")" \
  '["magic",0,4,0,679834894]
["ring.tail",6,2,0,513]
["u.i",8,4,0,-5]
["u.f",8,4,0,"-nan"]
["load",16,8,0,0.25]
["name",24,8,"","ring-1"]
["counts[2]",48,8,0,-9000000000]' "field events"
expect_eq "$(jq -c 'select(.field != "ready") | .event' "$events" | sort -u)" '"change"' "event"

# The text form, --until on a field (already true: exit 0 at once; a comparison), --count.
expect_status 0 timeout 10 "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --until 'magic=679834894'
expect_status 0 timeout 10 "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --until 'ring.tail>=500'
expect_status 124 "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --until 'ring.tail<500' \
  --timeout 200ms
"$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --until 'counts[0]>0' --interval 20ms \
  >"$TEST_TMP/text" &
watch=$!
for ((i = 1; i < 250; i++)); do # until the watch sees changes (its first snapshot is taken)
  echo "h.counts[1] = $i" >&3
  sleep 0.02
  [[ -s $TEST_TMP/text ]] && break
done
echo "h.counts[0] = 1" >&3
exits_within "$watch" 10 || fail "--until 'counts[0]>0' did not stop the watch"
wait "$watch" || fail "--until 'counts[0]>0': status $?"
[[ $(tail -n 1 "$TEST_TMP/text") == *" change field=counts[0] offset=32 length=8 old=0 new=1" ]] ||
  fail "text event: $(cat "$TEST_TMP/text")"
expect_status 0 timeout 10 "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --count 2 \
  --until '[1].magic=0'

# Errors: a layout past the end names its field (status 1); bad --until is a usage error.
expect_error 1 "field 'magic' of the layout (record 2) ends at offset 132, past the end of posix:/lay (128 bytes)" \
  "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --count 3
expect_error 2 "unknown field 'ring.middle' in --until" \
  "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --until 'ring.middle=1'
expect_error 2 "--layout and --type exclude each other" \
  "$SHMKIT" watch posix:lay --layout @"$TEST_TMP/hdr.h" --type u8
expect_error 2 "layout file" "$SHMKIT" watch posix:lay --layout @"$TEST_TMP"
echo ok
