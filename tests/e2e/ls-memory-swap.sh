#!/usr/bin/env bash
# SWAP of a SysV segment and of a POSIX object whose pages were swapped out (issue 10, "How
# much memory"). Without swap on the machine the test adds a small swap file of its own (root,
# a non-tmpfs directory) and removes it at the end; where swapon is not allowed it skips.
# Pages are swapped out with madvise(MADV_PAGEOUT) by a holder that then stays, so its
# /proc/PID/smaps (the kernel's own count, which nobody here wrote) can be compared.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"
[[ $(id -u) -eq 0 ]] || skip "needs root (swapon, MADV_PAGEOUT of shared pages)"

if [[ -z $(swapon --show --noheadings) ]]; then
  echo "note: this machine has no swap; adding a 32 MiB swap file for this test"
  dir=$(mktemp -d /var/tmp/shmkit-swap.XXXXXX)
  on_exit "rm -rf '$dir'"
  [[ $(stat -f -c %T "$dir") != tmpfs ]] || skip "no disk filesystem for a swap file"
  dd if=/dev/zero of="$dir/swap" bs=1M count=32 status=none
  chmod 0600 "$dir/swap"
  mkswap "$dir/swap" >/dev/null || skip "mkswap failed"
  swapon "$dir/swap" 2>/dev/null || skip "swapon not permitted here"
  on_exit "swapoff '$dir/swap'"
fi

cat >"$TEST_TMP/pageout.c" <<'C'
/* pageout SEGMENT BYTES: map (POSIX path) or attach (id:N) the segment, write every page of
   its first BYTES, swap them out with MADV_PAGEOUT, print "ready" and wait for stdin to close. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
int main(int argc, char **argv) {
  size_t n = strtoull(argv[2], NULL, 0);
  char *p;
  if (strncmp(argv[1], "id:", 3) == 0) {
    p = shmat(atoi(argv[1] + 3), NULL, 0);
    if (p == (void *)-1) { perror("shmat"); return 1; }
  } else {
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) { perror("open"); return 1; }
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
  }
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  if (madvise(p, n, MADV_PAGEOUT) != 0) { perror("madvise"); return 1; }
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {}
  return 0;
}
C
cc -O2 -o "$TEST_TMP/pageout" "$TEST_TMP/pageout.c"

# Starts a holder that swaps out the first $2 bytes of $1; sets $holder.
hold_swapped() {
  mkfifo "$TEST_TMP/in.$3"
  "$TEST_TMP/pageout" "$1" "$2" <"$TEST_TMP/in.$3" >"$TEST_TMP/out.$3" &
  holder=$!
  exec {fd}>"$TEST_TMP/in.$3"
  on_exit "exec $fd>&-; wait $holder"
  local i
  for ((i = 0; i < 500; i++)); do
    [[ -s $TEST_TMP/out.$3 ]] && break
    kill -0 "$holder" 2>/dev/null || fail "holder of $1 failed"
    sleep 0.02
  done
  [[ $(cat "$TEST_TMP/out.$3") == ready ]] || fail "holder of $1 is not ready"
}
# smaps_swap PID: Swap of its one shared mapping of the segment, in bytes.
smaps_swap() {
  awk -v want="$2" '/^[0-9a-f]+-[0-9a-f]+ / { inside = index($0, want) > 0 }
    inside && /^Swap:/ { print $2 * 1024; exit }' "/proc/$1/smaps"
}
cells() { "$SHMKIT" ls --raw --noheadings --bytes -o rss,swap,alloc "$1"; }

# A POSIX object of 1 MiB, all written, half of it swapped out.
head -c 1048576 /dev/urandom >"$TEST_TMP/full"
"$SHMKIT" create posix:/swapped --size 1M --from "$TEST_TMP/full" >/dev/null
hold_swapped /dev/shm/swapped 524288 posix
swap=$(smaps_swap "$holder" /dev/shm/swapped)
[[ $swap -gt 0 ]] || skip "the kernel swapped nothing out (MADV_PAGEOUT)"
read -r rss got_swap alloc < <(cells posix:/swapped)
expect_eq "$got_swap" "$swap" "posix SWAP vs smaps of its holder"
# tmpfs keeps swapped pages allocated: resident + swapped = allocated.
expect_eq "$((rss + got_swap))" "$alloc" "posix RSS + SWAP vs ALLOC"
echo "posix:/swapped: RSS $rss SWAP $got_swap ALLOC $alloc (smaps Swap $swap)"

# A SysV segment: the same from /proc/sysvipc/shm.
id=$(ipcmk -M 1048576 | grep -oE '[0-9]+$')
on_exit "ipcrm -m $id"
hold_swapped "id:$id" 524288 sysv
swap=$(smaps_swap "$holder" "/SYSV")
read -r rss got_swap alloc < <(cells "id:$id")
expect_eq "$got_swap" "$swap" "sysv SWAP vs smaps of its holder"
expect_eq "$got_swap" "$(sysv_field "$id" swap)" "sysv SWAP vs /proc/sysvipc/shm"
echo "id:$id: RSS $rss SWAP $got_swap (smaps Swap $swap)"
