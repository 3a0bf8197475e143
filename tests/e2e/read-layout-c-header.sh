#!/usr/bin/env bash
# issue 12 "Layouts against a real compiler": a C program defines a struct with mixed types,
# padding, an array, a union and a nested struct in a header, fills a POSIX object and a SysV
# segment with it through shm_open/shmget, and prints each field's offsetof and value.
# `read --layout @header.h` prints the same values, and `--json` agrees (checked by python3).
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v python3 >/dev/null || skip "no python3"

cat >"$TEST_TMP/ring.h" <<'H'
/* ring.h: the header of a ring buffer shared between processes */
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#define RING_NAME_LEN 12

typedef uint32_t ring_flags;

enum ring_state { RING_IDLE, RING_RUNNING = 2, RING_STOPPED };

struct ring_stats {
  uint64_t pushed;   /* after 4 bytes of padding in the header */
  uint16_t dropped;
  double load;
};

struct ring_header {
  uint32_t magic;
  struct ring_stats stats;      // a nested struct
  char name[RING_NAME_LEN];     // text, up to the first NUL
  int16_t slots[3];             /* an array */
  union {
    int64_t as_int;
    float as_float;
  } last;                       /* a union */
  enum ring_state state;
  bool ready;
  pid_t owner;
  void *base;
  ring_flags flags;
  int8_t grid[2][2];
  float ratio;
};
H

cat >"$TEST_TMP/fill.c" <<'C'
#include "ring.h"
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define SHOW(path, fmt, ...) printf("%zu " #path " = " fmt "\n", offsetof(struct ring_header, path), __VA_ARGS__)

int main(void) {
  int fd = shm_open("/ring", O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
  struct ring_header *h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int id = shmget(0x2a12, 4096, IPC_CREAT | IPC_EXCL | 0600);
  struct ring_header *s = id < 0 ? NULL : shmat(id, NULL, 0);
  if (h == MAP_FAILED || s == (void *)-1 || s == NULL) return 1;
  memset(h, 0xee, sizeof *h);  /* the padding holds garbage, as in a real program */
  h->magic = 0xfeedf00d;
  h->stats.pushed = 123456789012345ULL;
  h->stats.dropped = 65535;
  h->stats.load = -0.75;
  strcpy(h->name, "ring\tone");
  h->slots[0] = -32768; h->slots[1] = 0; h->slots[2] = 32767;
  h->last.as_int = -2;
  h->state = RING_STOPPED;
  h->ready = true;
  h->owner = getpid();
  h->base = (void *)0x7f1234560000;
  h->flags = 0x80000001u;
  h->grid[0][0] = -1; h->grid[0][1] = 2; h->grid[1][0] = -3; h->grid[1][1] = 4;
  h->ratio = 0.1f;
  memcpy(s, h, sizeof *h);
  SHOW(magic, "%u", h->magic);
  SHOW(stats.pushed, "%llu", (unsigned long long)h->stats.pushed);
  SHOW(stats.dropped, "%u", h->stats.dropped);
  SHOW(stats.load, "%g", h->stats.load);
  SHOW(name, "%s", "ring\\x09one");
  SHOW(slots[0], "%d", h->slots[0]);
  SHOW(slots[1], "%d", h->slots[1]);
  SHOW(slots[2], "%d", h->slots[2]);
  SHOW(last.as_int, "%lld", (long long)h->last.as_int);
  SHOW(last.as_float, "%s", "-nan");
  SHOW(state, "%u", (unsigned)h->state);
  SHOW(ready, "%s", h->ready ? "true" : "false");
  SHOW(owner, "%d", (int)h->owner);
  SHOW(base, "%p", h->base);
  SHOW(flags, "%u", h->flags);
  SHOW(grid[0][0], "%d", h->grid[0][0]);
  SHOW(grid[0][1], "%d", h->grid[0][1]);
  SHOW(grid[1][0], "%d", h->grid[1][0]);
  SHOW(grid[1][1], "%d", h->grid[1][1]);
  SHOW(ratio, "%.9g", h->ratio);
  printf("sizeof %zu\n", sizeof *h);
  return 0;
}
C
cc -std=gnu11 -Wall -o "$TEST_TMP/fill" "$TEST_TMP/fill.c" -lrt
"$TEST_TMP/fill" >"$TEST_TMP/c.txt"
# The C program's view: "OFFSET path = value"; what read --layout prints is "path = value".
# 0.1f as float: C's %.9g prints 0.100000001, shmkit the shortest text that reads back: 0.1.
grep -v '^sizeof' "$TEST_TMP/c.txt" | cut -d' ' -f2- |
  sed 's/^ratio = 0.100000001$/ratio = 0.1/' >"$TEST_TMP/want"
[[ $(grep -c . "$TEST_TMP/want") -eq 20 ]] || fail "the C program printed $(cat "$TEST_TMP/c.txt")"
# Padding exists (offsets are not consecutive sizes): stats.pushed is at 8, after 4 bytes.
grep -q '^8 stats.pushed ' "$TEST_TMP/c.txt" || fail "unexpected layout: $(cat "$TEST_TMP/c.txt")"

for seg in posix:/ring key:0x2a12; do
  expect_status 0 "$SHMKIT" read "$seg" --layout "@$TEST_TMP/ring.h"
  diff "$TEST_TMP/want" "$TEST_TMP/out" || fail "read --layout of $seg differs from the C program"
  # --json agrees: the same values, nested as the struct is.
  expect_status 0 "$SHMKIT" read "$seg" --layout "@$TEST_TMP/ring.h" --json
  [[ $(wc -l <"$TEST_TMP/out") -eq 1 ]] || fail "--json is not one line"
  python3 - "$TEST_TMP/out" "$TEST_TMP/want" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def flat(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from flat(x, f"{path}.{k}" if path else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from flat(x, f"{path}[{i}]")
    else:
        yield path, v
got = dict(flat(doc, ""))
want = dict(line.rstrip("\n").split(" = ", 1) for line in open(sys.argv[2]))
assert list(got) == list(want), (list(got), list(want))
def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "%g" % v if v != 0.1 else "0.1"
    if isinstance(v, str):
        return v.replace("\t", "\\x09")
    return str(v)
for k, v in got.items():
    assert text(v) == want[k], (k, v, want[k])
assert isinstance(got["magic"], int) and isinstance(got["ready"], bool)
assert got["base"] == "0x7f1234560000" and got["name"] == "ring\tone"
assert got["last.as_float"] == "-nan"  # not a JSON number: a string
PY
done

# --count: the header repeated is a table; the first record equals the single read.
size=$(sed -n 's/^sizeof //p' "$TEST_TMP/c.txt")
expect_status 0 "$SHMKIT" read posix:/ring --layout "@$TEST_TMP/ring.h" --count 2
expect_eq "$(grep -c '^\[1\]\.' "$TEST_TMP/out")" 20 "fields of record 1"
expect_eq "$(sed -n 's/^\[0\]\.//p' "$TEST_TMP/out")" "$(cat "$TEST_TMP/want")" "record 0"
expect_status 0 "$SHMKIT" read posix:/ring --layout "@$TEST_TMP/ring.h" --offset "$size" --struct ring_stats
expect_eq "$(head -n 1 "$TEST_TMP/out")" "pushed = 0" "a struct at --offset (zeros after the header)"
echo ok
