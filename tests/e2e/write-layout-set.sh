#!/usr/bin/env bash
# issue 12: `write --layout @header.h --set FIELD=VALUE` writes fields by name, and a C program
# compiled with the same header reads the values back (SysV and POSIX; --offset places the
# struct). `--field NAME --add/--cas` is atomic against the C program's __atomic_fetch_add on
# the same field. Bad assignments (unknown field, a value that does not fit, a string too long,
# a field set twice) are usage errors, and a layout that does not fit is a runtime failure:
# either way nothing is written.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

cat >"$TEST_TMP/rec.h" <<'H'
#include <stdint.h>
#include <stdbool.h>
typedef uint32_t handle_t;
struct rec {
  uint32_t magic;
  int16_t delta;            /* 2 bytes of padding follow */
  handle_t handle;
  uint64_t counter;
  double ratio;
  char name[12];
  bool ready;
  struct { int32_t head, tail; } ring;
  uint8_t bytes[3];
};
H
cat >"$TEST_TMP/rec.c" <<'C'
/* rec sysv ID OFF | rec posix PATH OFF: prints the fields of the struct rec at OFF;
 * with a third argument N, first does N __atomic_fetch_add(&counter, 1). */
#include "rec.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char *base;
  if (strcmp(argv[1], "sysv") == 0) {
    base = shmat(atoi(argv[2]), NULL, 0);
    if (base == (void *)-1) return 1;
  } else {
    int fd = open(argv[2], O_RDWR);
    base = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) return 1;
  }
  struct rec *r = (struct rec *)(base + atol(argv[3]));
  if (argc > 4) {
    for (long i = 0; i < atol(argv[4]); i++) __atomic_fetch_add(&r->counter, 1, __ATOMIC_SEQ_CST);
    return 0;
  }
  printf("%u %d %u %llu %g %s %d %d %d %u %u %u\n", r->magic, r->delta, r->handle,
         (unsigned long long)r->counter, r->ratio, r->name, r->ready, r->ring.head,
         r->ring.tail, r->bytes[0], r->bytes[1], r->bytes[2]);
  return 0;
}
C
cc -O2 -I"$TEST_TMP" -o "$TEST_TMP/rec" "$TEST_TMP/rec.c"

id=$(ipcmk -M 4096 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s 4096 /dev/shm/rec
L=@$TEST_TMP/rec.h

for target in "sysv $id id:$id" "posix /dev/shm/rec posix:/rec"; do
  read -r kind where seg <<<"$target"
  for off in 0 64; do
    w=("$SHMKIT" write "$seg" -s "$off" --layout "$L")
    expect_status 0 "${w[@]}" --set magic=0xfeedf00d --set delta=-7 --set handle=42 \
      --set counter=18446744073709551615 --set ratio=0.25 --set name=hello --set ready=true \
      --set ring.head=-1 --set ring.tail=2147483647 --set 'bytes[0]=1' --set 'bytes[2]=255'
    [[ ! -s $TEST_TMP/out ]] || fail "--set printed $(cat "$TEST_TMP/out")"
    expect_eq "$("$TEST_TMP/rec" "$kind" "$where" "$off")" \
      "4277006349 -7 42 18446744073709551615 0.25 hello 1 -1 2147483647 1 0 255" "$seg at $off"
    # A shorter string ends at its NUL; -v counts fields and bytes.
    expect_status 0 "${w[@]}" -v --set name=hi --set ready=false
    expect_eq "$(cat "$TEST_TMP/out")" "wrote 2 fields (13 bytes) to $seg at offset $off" "-v"
    expect_eq "$("$TEST_TMP/rec" "$kind" "$where" "$off")" \
      "4277006349 -7 42 18446744073709551615 0.25 hi 0 -1 2147483647 1 0 255" "$seg at $off"
  done

  # --field: atomic on a named field, printed as read --layout prints it.
  w=("$SHMKIT" write "$seg" -s 64 --layout "$L")
  expect_status 0 "${w[@]}" --field counter --add 1
  expect_eq "$(cat "$TEST_TMP/out")" 18446744073709551615 "--field counter --add"
  expect_status 0 "${w[@]}" --field ring.head --add -2
  expect_eq "$(cat "$TEST_TMP/out")" -1 "--field ring.head --add"
  expect_status 1 "${w[@]}" --field ready --cas true false
  expect_eq "$(cat "$TEST_TMP/out")" false "--field ready: a missed cas prints the bool"
  expect_status 0 "${w[@]}" --field ready --cas false true
  expect_status 0 "${w[@]}" --field magic --and 0xffff
  expect_eq "$(cat "$TEST_TMP/out")" 4277006349 "--field magic --and"
  expect_eq "$("$TEST_TMP/rec" "$kind" "$where" 64)" \
    "61453 -7 42 0 0.25 hi 1 -3 2147483647 1 0 255" "$seg after --field operations"

  # Two shell loops and the C program add to the same field at once: nothing is lost.
  for _ in 1 2; do
    (for _ in $(seq 50); do "${w[@]}" --field counter --add 1 >/dev/null || exit 1; done) &
  done
  "$TEST_TMP/rec" "$kind" "$where" 64 20000
  wait
  expect_eq "$("$SHMKIT" read "$seg" -s 80 --type u64)" 20100 "$seg counter after contention"

  # Bad assignments: status 2, nothing written.
  before=$("$SHMKIT" read "$seg" --format=hex)
  w=("$SHMKIT" write "$seg" --layout "$L" --set magic=1)
  expect_error 2 "unknown field 'nope' in --set" "${w[@]}" --set nope=1
  expect_error 2 "field 'delta': value '40000' out of range for i16 (-32768..32767)" \
    "${w[@]}" --set delta=40000
  expect_error 2 "field 'name': string of 13 bytes does not fit in char[12]" \
    "${w[@]}" --set name=hello-world!!
  expect_error 2 "field 'magic' is set twice" "${w[@]}" --set magic=2
  expect_error 2 "invalid --set 'ready': expected FIELD=VALUE" "${w[@]}" --set ready
  expect_error 2 "field 'ready'" "${w[@]}" --set ready=maybe
  expect_error 2 "unknown field 'bytes[3]' in --set" "${w[@]}" --set 'bytes[3]=1'
  expect_error 2 "--field needs --cas, --add, --or, --and or --xor" \
    "$SHMKIT" write "$seg" --layout "$L" --field counter
  expect_error 2 "--set and --field exclude each other" "${w[@]}" --field counter
  expect_error 2 "field 'ratio' is not an integer (double): only --cas applies" \
    "$SHMKIT" write "$seg" --layout "$L" --field ratio --add 1
  expect_error 2 "field 'name' is a string (char[12])" \
    "$SHMKIT" write "$seg" --layout "$L" --field name --cas a b
  expect_error 2 "field 'counter' at offset 20 is not aligned to 8 bytes" \
    "$SHMKIT" write "$seg" --layout "$L" -s 4 --field counter --add 1
  expect_error 2 "unknown field 'nope' in --field" \
    "$SHMKIT" write "$seg" --layout "$L" --field nope --add 1
  expect_error 2 "--layout needs --set FIELD=VALUE" "$SHMKIT" write "$seg" --layout "$L"
  expect_error 2 "--layout and --type exclude each other" "${w[@]}" --type u8 1
  expect_error 2 "line 1: unknown type 'foo_t'" "$SHMKIT" write "$seg" --layout 'foo_t x;' --set x=1
  # The struct (64 bytes) does not fit at 4064 of 4096: runtime, named field, nothing written.
  expect_error 1 "past the end of $seg (4096 bytes); nothing was written" \
    "${w[@]}" -s 4064
  expect_eq "$("$SHMKIT" read "$seg" --format=hex)" "$before" "$seg unchanged by bad --set"
done
