#!/usr/bin/env bash
# issue 12 "A seqlock writer": a C program rewrites a 64-byte record at full speed under the
# seqlock protocol (counter odd while writing, even when done; the record carries a checksum),
# with no sleep between updates.
# read --layout --seqlock seq never returns a torn record, through a SysV attach and a POSIX
# mapping alike. Without --seqlock a read may mix two updates: the test counts and says so.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

cat >"$TEST_TMP/rec.h" <<'H'
struct rec {
  uint32_t seq;      /* odd while the writer is inside an update */
  uint32_t n;        /* the update's number */
  uint64_t v[6];     /* v[i] = n * (i + 1) */
  uint64_t sum;      /* n + v[0] + ... + v[5] */
};
H
cat >"$TEST_TMP/writer.c" <<'C'
#include <stdint.h>
#include "rec.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
#define BARRIER() __asm__ __volatile__("" ::: "memory")
int main(int argc, char **argv) {
  struct rec *r;
  if (strcmp(argv[1], "sysv") == 0) {
    int id = shmget(0x5e9, 4096, IPC_CREAT | 0600);
    r = id < 0 ? NULL : shmat(id, NULL, 0);
    if (r == (void *)-1) r = NULL;
  } else {
    int fd = shm_open("/seq", O_CREAT | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
    r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED) r = NULL;
  }
  if (r == NULL) return 1;
  volatile struct rec *w = r;
  for (uint32_t n = 1;; n++) {
    uint32_t s = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
    __atomic_store_n(&r->seq, s + 1, __ATOMIC_SEQ_CST); /* odd: writing */
    BARRIER();
    uint64_t sum = n;
    w->n = n;
    for (int i = 0; i < 6; i++) {
      w->v[i] = (uint64_t)n * (uint64_t)(i + 1);
      sum += (uint64_t)n * (uint64_t)(i + 1);
    }
    w->sum = sum;
    BARRIER();
    __atomic_store_n(&r->seq, s + 2, __ATOMIC_RELEASE); /* even: done */
    /* The program's other work between updates, without sleeping: a writer that is inside
       an update all the time starves every seqlock reader (the kernel's too). */
    for (volatile int k = 0; k < 200; k++) {
    }
  }
}
C
cc -std=gnu11 -O2 -Wall -I"$TEST_TMP" -include stdint.h -o "$TEST_TMP/writer" "$TEST_TMP/writer.c" -lrt

# check FILE: the record printed by read --layout is whole (its checksum holds); status 1 if not.
check() {
  awk -F' = ' '{ f[$1] = $2 }
    END { n = f["n"]; sum = n
      for (i = 0; i < 6; i++) { if (f["v[" i "]"] != n * (i + 1)) exit 1; sum += f["v[" i "]"] }
      if (f["sum"] != sum || n == 0 || f["seq"] % 2) exit 1 }' "$1"
}

for kind in sysv posix; do
  "$TEST_TMP/writer" $kind &
  writer=$!
  on_exit "kill $writer"
  seg=$([[ $kind == sysv ]] && echo key:0x5e9 || echo posix:/seq)
  for ((i = 0; i < 200; i++)); do # until the writer has made some updates
    n=$("$SHMKIT" read "$seg" --offset 4 --type u32 2>/dev/null || echo 0)
    [[ $n -gt 1000 ]] && break
    sleep 0.02
  done
  [[ $n -gt 1000 ]] || fail "the $kind writer did not start"
  last=0
  for ((i = 0; i < 30; i++)); do
    expect_status 0 "$SHMKIT" read "$seg" --layout "@$TEST_TMP/rec.h" --seqlock seq
    check "$TEST_TMP/out" || fail "read --seqlock returned a torn record: $(cat "$TEST_TMP/out")"
    n=$(sed -n 's/^n = //p' "$TEST_TMP/out")
    [[ $n -ge $last ]] || fail "update $n after $last"
    last=$n
  done
  torn=0
  for ((i = 0; i < 30; i++)); do
    "$SHMKIT" read "$seg" --layout "@$TEST_TMP/rec.h" >"$TEST_TMP/plain"
    check "$TEST_TMP/plain" || torn=$((torn + 1))
  done
  kill "$writer"
  wait "$writer" 2>/dev/null || true
  echo "$kind: 30 reads with --seqlock, none torn; without it $torn of 30 torn"
done

# A counter that stays odd (a writer that died inside an update): status 1, it kept changing.
"$SHMKIT" write key:0x5e9 --type u32 7
expect_error 1 "kept changing" "$SHMKIT" read key:0x5e9 --layout "@$TEST_TMP/rec.h" --seqlock seq
