#!/usr/bin/env bash
# issue 12: read --type T --atomic loads each value with one atomic load (the __atomic_load_n a
# C program would use), through the SysV attach or a mapping of a POSIX object; it needs a
# naturally aligned offset (status 2 otherwise, nothing read).
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

sysv=$("$SHMKIT" create key:0x7a --size 4096)
"$SHMKIT" create posix:/at --size 4096 >/dev/null
for seg in "$sysv" posix:/at; do
  "$SHMKIT" write "$seg" --offset 8 --type u64 18446744073709551615 1 2
  "$SHMKIT" write "$seg" --offset 2 --type i16 -- -2
  expect_eq "$("$SHMKIT" read "$seg" --offset 8 --type u64 --count 3 --atomic)" \
    $'18446744073709551615\n1\n2' "u64 --atomic on $seg"
  expect_eq "$("$SHMKIT" read "$seg" --offset 2 --type i16 --atomic)" "-2" "i16 --atomic on $seg"
  expect_eq "$("$SHMKIT" read "$seg" --offset 8 --type u32 --atomic --endian big)" "4294967295" "--endian"
  expect_eq "$("$SHMKIT" read "$seg" --offset 16 --type u8 --atomic)" "1" "u8"
  expect_error 2 "--atomic: offset 12 is not aligned to 8 bytes" "$SHMKIT" read "$seg" --offset 12 --type u64 --atomic
  expect_error 1 "past the end" "$SHMKIT" read "$seg" --offset 4096 --type u32 --atomic
done
expect_error 2 "--atomic needs --type" "$SHMKIT" read posix:/at --atomic
expect_error 2 "--stable and --atomic exclude each other" "$SHMKIT" read posix:/at --type u8 --atomic --stable

# Against a C program's __atomic_fetch_add at full speed: every value read is one the counter
# held (multiples of 2^32 + 1, never half of one update and half of the next) and they rise.
cat >"$TEST_TMP/count.c" <<'C'
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
  int fd = shm_open("/at", O_RDWR, 0);
  uint64_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (fd < 0 || p == MAP_FAILED) return 1;
  for (;;) __atomic_fetch_add(p + 3, 0x100000001ULL, __ATOMIC_SEQ_CST);
}
C
cc -O2 -o "$TEST_TMP/count" "$TEST_TMP/count.c" -lrt
"$SHMKIT" write posix:/at --offset 24 --type u64 0
"$TEST_TMP/count" &
counter=$!
on_exit "kill $counter"
last=0
for ((i = 0; i < 20; i++)); do
  v=$("$SHMKIT" read posix:/at --offset 24 --type u64 --atomic)
  (( v % 4294967297 == 0 )) || fail "torn value $v"
  (( v >= last )) || fail "$v after $last"
  last=$v
done
echo ok
