#!/usr/bin/env bash
# A writer nobody here wrote: a C program doing what the Go writer of the seeds does
# (shmget(2, 4, IPC_CREAT|0600), a native int counter incremented periodically, no help from
# shmkit). `watch --type i32` sees consecutive values, and `--until 5` exits 0 once it is 5.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

cat >"$TEST_TMP/writer.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
/* writer PERIOD_MS [NATTCH]: counts 0, 1, 2, ... into key 2, one step per period; with NATTCH
   it starts counting only once that many processes are attached (the watcher is). */
int main(int argc, char **argv) {
  long period = atol(argv[1]);
  int shmid = shmget(2, 4, IPC_CREAT | 0600);
  if (shmid < 0) { perror("shmget"); return 1; }
  volatile int *counter = shmat(shmid, NULL, 0);
  if (counter == (void *)-1) { perror("shmat"); return 1; }
  *counter = -1;
  struct shmid_ds ds;
  struct timespec tick = {0, 10 * 1000000L};
  while (argc > 2 && shmctl(shmid, IPC_STAT, &ds) == 0 && ds.shm_nattch < (unsigned long)atol(argv[2]))
    nanosleep(&tick, NULL);
  struct timespec pause = {period / 1000, (period % 1000) * 1000000L};
  for (int i = 0;; i++) {
    *counter = i;
    nanosleep(&pause, NULL);
  }
}
C
cc -O2 -o "$TEST_TMP/writer" "$TEST_TMP/writer.c"

wait_for_key2() {
  local i
  for ((i = 0; i < 100; i++)); do
    "$SHMKIT" ls key:2 >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  fail "the writer did not create key 2"
}

# 1. Consecutive values, each event's old value being the previous event's new one.
"$TEST_TMP/writer" 100 &
writer=$!
on_exit "kill $writer"
wait_for_key2
expect_status 0 "$SHMKIT" watch key:2 --type i32 --interval 20ms --changes 5 --timeout 5s
expect_eq "$(wc -l <"$TEST_TMP/out")" 5 "five events"
re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z change offset=0 length=4 old=(-?[0-9]+) new=(-?[0-9]+)$'
prev=
while IFS= read -r line; do
  [[ $line =~ $re ]] || fail "event line: $line"
  old=${BASH_REMATCH[1]} new=${BASH_REMATCH[2]}
  expect_eq "$new" "$((old + 1))" "increment in: $line"
  [[ -z $prev ]] || expect_eq "$old" "$prev" "continuity at: $line"
  prev=$new
done <"$TEST_TMP/out"
kill "$writer"
wait "$writer" || true
ipcrm -M 2

# 2. --until 5 at the default interval (100ms) against a writer stepping every 150ms, which
# starts from 0 only once the watch is attached: exits 0 and the last event shows 5.
"$TEST_TMP/writer" 150 2 &
writer=$!
on_exit "kill $writer"
wait_for_key2
expect_status 0 "$SHMKIT" watch key:2 --type i32 --until 5 --timeout 8s
expect_eq "$(tail -n 1 "$TEST_TMP/out" | sed 's/.* new=//')" 5 "last event shows the value"
grep -q ' new=4$' "$TEST_TMP/out" || fail "value 4 not seen: $(cat "$TEST_TMP/out")"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"

