#!/usr/bin/env bash
# issue 12 "Consistent reads": read --stable reads the region until two consecutive reads agree
# (at most 100 reads), then prints it in any format; a region that changes between every two
# reads fails with status 1, "kept changing", and prints nothing.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"

# A quiet segment: --stable prints what a plain read prints, in every format.
"$SHMKIT" create posix:/quiet --size 100 >/dev/null
"$SHMKIT" write posix:/quiet --data 'hello, stable world'
for f in raw hexdump xxd hex string; do
  expect_status 0 "$SHMKIT" read posix:/quiet --stable --format $f
  cp "$TEST_TMP/out" "$TEST_TMP/stable"
  expect_status 0 "$SHMKIT" read posix:/quiet --format $f
  cmp "$TEST_TMP/stable" "$TEST_TMP/out" || fail "--stable --format $f differs from a plain read"
done
expect_eq "$("$SHMKIT" read posix:/quiet --stable --type u8 --count 2 --offset 1)" $'101\n108' "--type"
expect_eq "$("$SHMKIT" read posix:/quiet --stable --layout 'char greeting[6];')" "greeting = hello," "--layout"

# A counter incremented at full speed: no two reads alike. On a loaded machine the writer may
# be descheduled for a whole attempt (then two reads agree, correctly), even for many attempts
# in a row (CI once saw 50 fail in 0.2 s on 2 busy cores): attempts go on, with a pause
# between them, for up to 20 s, and one must fail, with the one-line "kept changing".
cat >"$TEST_TMP/spin.c" <<'C'
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
  int fd = shm_open("/busy", O_CREAT | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
  uint64_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 1;
  for (;;) __atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}
C
cc -O2 -o "$TEST_TMP/spin" "$TEST_TMP/spin.c" -lrt
"$TEST_TMP/spin" &
spin=$!
on_exit "kill $spin"
for ((i = 0; i < 200; i++)); do
  [[ $("$SHMKIT" read posix:/busy --type u64 2>/dev/null || echo 0) -gt 1000 ]] && break
  sleep 0.02
done
failed=0
deadline=$((SECONDS + 20))
while ((failed == 0 && SECONDS < deadline)); do
  status=0
  "$SHMKIT" read posix:/busy --type u64 --stable >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
  if [[ $status -ne 0 ]]; then
    expect_eq "$status" 1 "status of --stable on a busy region"
    expect_eq "$(cat "$TEST_TMP/err")" \
      "shmkit: error: posix:/busy: bytes 0..7 kept changing: 100 reads, no two in a row alike" "message"
    [[ ! -s $TEST_TMP/out ]] || fail "output after kept changing"
    failed=$((failed + 1))
  fi
  sleep 0.01
done
[[ $failed -ge 1 ]] || fail "--stable never saw the busy counter change"
echo "ok: --stable on a busy counter kept changing"
