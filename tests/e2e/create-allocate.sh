#!/usr/bin/env bash
# --allocate reserves the pages of POSIX and file segments (st_blocks covers the size); when
# the space is not there, create fails and leaves nothing behind.
source "$(dirname "$0")/common.sh"

expect_status 0 "$SHMKIT" create posix:/alloc --size 1M --allocate
expect_eq "$(cat "$TEST_TMP/out")" "posix:/alloc" "stdout"
read -r blocks unit size < <(stat -c '%b %B %s' /dev/shm/alloc)
((blocks * unit >= size)) || fail "posix: $blocks blocks of $unit do not cover $size"
expect_eq "$size" 1048576 "posix size"

expect_status 0 "$SHMKIT" create "$TEST_TMP/alloc.bin" --size 100K --allocate --mode 640
read -r blocks unit size < <(stat -c '%b %B %s' "$TEST_TMP/alloc.bin")
((blocks * unit >= size)) || fail "file: $blocks blocks of $unit do not cover $size"
expect_eq "$(stat -c %a "$TEST_TMP/alloc.bin")" 640 "file mode"

# Without --allocate the object is sparse.
expect_status 0 "$SHMKIT" create posix:/sparse --size 1M
expect_eq "$(stat -c %b /dev/shm/sparse)" 0 "sparse without --allocate"

# The test tmpfs holds 256 MiB: a 300 MiB allocation fails (exit 1) and leaves nothing.
expect_error 1 "cannot allocate posix:/huge" "$SHMKIT" create posix:/huge --size 300M --allocate
[[ ! -e /dev/shm/huge ]] || fail "failed --allocate left /dev/shm/huge"
# ... while a sparse one of that size is created (writes to it could SIGBUS later).
expect_status 0 "$SHMKIT" create posix:/huge --size 300M
expect_status 0 "$SHMKIT" rm posix:/huge

# SysV has no --allocate (usage error, nothing created).
expect_error 2 "--allocate applies only to posix and file segments" \
  "$SHMKIT" create key:0x10 --size 1 --allocate
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm)" "" "no sysv segment"

expect_status 0 "$SHMKIT" rm posix:/alloc posix:/sparse "$TEST_TMP/alloc.bin"
