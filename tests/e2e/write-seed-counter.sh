#!/usr/bin/env bash
# Interoperability with the program in seeds/000 (Go; here the same program in C): it creates
# SysV key 2 with a size of 4 bytes, writes a counter as Go's 8-byte int once per interval, or
# prints the stored int. read key:2 --type i32 sees the counter advance; write key:2 --type i32
# 777 makes the reader print 777; an 8-byte value at offset 0 is refused with a bounds error
# naming the 4-byte size (bounds follow the segment's size, not the page).
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

cat >"$TEST_TMP/counter.c" <<'C'
/* counter [0|1]: 0 writes a counter, 1 prints it; every 100 ms (the seed: every second). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int mode = argc > 1 ? atoi(argv[1]) : 0;
  int id = shmget(2, 4, IPC_CREAT | 0600); /* like the seed: 4 bytes, key 2 */
  if (id < 0) { perror("shmget"); return 1; }
  printf("shmid: %d\n", id);
  volatile long *p = shmat(id, NULL, 0); /* Go's int is a long: 8 bytes in a 4-byte segment */
  if (p == (void *)-1) { perror("shmat"); return 2; }
  if (mode == 0) {
    puts("write mode");
    for (long i = 0;; i++) { printf("%ld\n", i); fflush(stdout); *p = i; usleep(100000); }
  }
  puts("read mode");
  for (;;) { printf("%ld\n", *p); fflush(stdout); usleep(100000); }
}
C
cc -O2 -o "$TEST_TMP/counter" "$TEST_TMP/counter.c"

"$TEST_TMP/counter" 0 >"$TEST_TMP/writer.log" &
writer=$!
on_exit "kill $writer"
for _ in $(seq 50); do
  "$SHMKIT" read key:2 --type i32 >/dev/null 2>&1 && break
  sleep 0.05
done
id=$("$SHMKIT" ls --noheadings --raw -o id key:2)
on_exit "ipcrm -m $id"

first=$("$SHMKIT" read key:2 --type i32)
sleep 0.35
second=$("$SHMKIT" read key:2 --type i32)
[[ $second -gt $first ]] || fail "the counter did not advance: $first then $second"
expect_eq "$("$SHMKIT" read 0x00000002 --type u8 --count 4 | wc -l)" 4 "4 bytes readable by key shorthand"

expect_error 1 "8 bytes at offset 0 do not fit in id:$id (size 4 bytes)" \
  "$SHMKIT" write key:2 --type i64 5
# issue 9: one wording of "past the end" (read said "go past the end of")
expect_error 1 "8 bytes at offset 0 do not fit in id:$id (size 4 bytes)" \
  "$SHMKIT" read key:2 --type i64
expect_error 1 "offset 4 is past the end of id:$id (size 4 bytes)" "$SHMKIT" write key:2 -s 4 --type u8 1

kill "$writer"
wait "$writer" 2>/dev/null || true
"$TEST_TMP/counter" 1 >"$TEST_TMP/reader.log" &
reader=$!
on_exit "kill $reader"

# wait_for VALUE: until the reader has printed VALUE (at most 2 s).
wait_for() {
  for _ in $(seq 40); do
    grep -qx "$1" "$TEST_TMP/reader.log" && return 0
    sleep 0.05
  done
  fail "the reader never printed $1: $(tail -n 3 "$TEST_TMP/reader.log")"
}
"$SHMKIT" write key:2 --type i32 777
wait_for 777
expect_eq "$("$SHMKIT" read key:2 --type i32)" 777 "read back"
"$SHMKIT" write key:2 --type i32 --atomic 778
wait_for 778
"$SHMKIT" write "id:$id" --type u16 --atomic -s 2 0
"$SHMKIT" write "id:$id" --type u8 --atomic -s 0 0x2a
"$SHMKIT" write "id:$id" --type u8 --atomic -s 1 0
wait_for 42
