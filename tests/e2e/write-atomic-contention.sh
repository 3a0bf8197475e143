#!/usr/bin/env bash
# issue 12, atomics under contention: four concurrent shell loops each run
# `shmkit write SEG --type u64 --add 1` on one counter while a C program does 100,000
# __atomic_fetch_add on the same word (a SysV attach, a POSIX mapping). The final value is
# exact: shmkit's fetch-add and the C builtin are the same instruction on the same memory.
# Under ASan each shmkit run is slower, so the loops do 25 instead of 500 there.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

loops=500
if sanitized; then
  loops=25 # ASan build: a run costs ~0.2 s of CPU there, and CI runs two tests at once
fi
adds=100000

cat >"$TEST_TMP/adder.c" <<'C'
/* adder sysv ID | adder posix PATH: waits until the counter moved (the shell loops run),
 * then does 100,000 __atomic_fetch_add(+1) on the u64 at offset 0, paced so that they
 * interleave with the loops; prints how often another process had added in between. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  uint64_t *p;
  if (strcmp(argv[1], "sysv") == 0) {
    p = shmat(atoi(argv[2]), NULL, 0);
    if (p == (void *)-1) { perror("shmat"); return 1; }
  } else {
    int fd = open(argv[2], O_RDWR);
    if (fd < 0) { perror("open"); return 1; }
    p = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
  }
  for (int i = 0; i < 2000 && __atomic_load_n(p, __ATOMIC_SEQ_CST) == 0; i++) usleep(5000);
  struct timespec pause = {0, 100000};
  long interleaved = 0;
  uint64_t mine = UINT64_MAX;
  for (long i = 0; i < 100000; i++) {
    uint64_t before = __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
    if (mine != UINT64_MAX && before != mine + 1) interleaved++;
    mine = before;
    if (i % 200 == 199) nanosleep(&pause, NULL);
  }
  printf("%ld\n", interleaved);
  return 0;
}
C
cc -O2 -o "$TEST_TMP/adder" "$TEST_TMP/adder.c"

# count SEGMENT: one loop of $loops adds; every one prints the value before it.
count() {
  local i
  for ((i = 0; i < loops; i++)); do
    "$SHMKIT" write "$1" --type u64 --add 1 || return 1
  done >"$TEST_TMP/loop.$2"
}

id=$(ipcmk -M 8 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
truncate -s 8 /dev/shm/counter

for target in "sysv $id id:$id" "posix /dev/shm/counter posix:/counter"; do
  read -r kind where seg <<<"$target"
  "$TEST_TMP/adder" "$kind" "$where" >"$TEST_TMP/adder.out" &
  adder=$!
  pids=()
  for n in 1 2 3 4; do
    count "$seg" "$n" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || fail "$seg: a shell loop failed"
  done
  wait "$adder" || fail "$seg: the C adder failed"
  expect_eq "$("$SHMKIT" read "$seg" --type u64)" "$((4 * loops + adds))" "$seg final count"
  # Every --add printed a distinct previous value: no two took the same increment.
  expect_eq "$(cat "$TEST_TMP"/loop.? | sort -n | uniq -d | wc -l)" 0 "$seg duplicate values"
  expect_eq "$(cat "$TEST_TMP"/loop.? | wc -l)" "$((4 * loops))" "$seg lines printed"
  echo "$seg: the C program saw other adds between its own $(cat "$TEST_TMP/adder.out") times"
done
