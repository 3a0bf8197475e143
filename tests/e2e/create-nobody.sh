#!/usr/bin/env bash
# As nobody, creating one's own segments works (owned by nobody, mode exact).
source "$(dirname "$0")/common.sh"

as_nobody true 2>/dev/null || skip "cannot switch to nobody here (user namespace without it)"

expect_status 0 as_nobody "$SHMKIT" create key:0x99 --size 10 --mode 640
seg=$(cat "$TEST_TMP/out")
id=${seg#id:}
expect_eq "$(sysv_field "$id" uid) $(sysv_field "$id" cuid) $(sysv_field "$id" perms)" \
  "65534 65534 640" "sysv owner and perms"

expect_status 0 as_nobody "$SHMKIT" create posix:/mine --size 10 --mode 604
expect_eq "$(cat "$TEST_TMP/out")" "posix:/mine" "posix address"
expect_eq "$(stat -c '%u %a %s' /dev/shm/mine)" "65534 604 10" "posix owner and mode"

mkdir -m 777 "$TEST_TMP/dir"
expect_status 0 as_nobody "$SHMKIT" create "$TEST_TMP/dir/nobody.bin" --size 1 --allocate
expect_eq "$(stat -c '%u %a' "$TEST_TMP/dir/nobody.bin")" "65534 600" "file owner and mode"

# Another user's object in the sticky /dev/shm is not touched (protected_regular too).
expect_status 0 "$SHMKIT" create posix:/roots --size 1
expect_error 1 "cannot create posix:/roots: already exists" as_nobody "$SHMKIT" create posix:/roots --size 1
expect_status 0 as_nobody "$SHMKIT" create posix:/roots --size 1 --exist-ok
expect_eq "$(stat -c '%u %a' /dev/shm/roots)" "0 600" "root's object unchanged"

# And nobody removes their own.
expect_status 0 as_nobody "$SHMKIT" rm "$seg" posix:/mine "$TEST_TMP/dir/nobody.bin"
expect_eq "$(sysv_field "$id" key)" "" "sysv removed"
expect_eq "$(ls -A /dev/shm)" "roots" "posix removed"
