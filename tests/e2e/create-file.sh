#!/usr/bin/env bash
# create file: the address printed is file:/absolute/path; mode exact under umask 077;
# exclusive; never follows a symbolic link.
source "$(dirname "$0")/common.sh"

umask 077
cd "$TEST_TMP"
expect_status 0 "$SHMKIT" create ./ring.bin --size 8K --mode 0604
expect_eq "$(cat "$TEST_TMP/out")" "file:$TEST_TMP/ring.bin" "stdout"
expect_eq "$(stat -c '%a %s %F' ring.bin)" "604 8192 regular file" "stat"

expect_status 0 "$SHMKIT" create "file:sub.bin" --size 1
expect_eq "$(cat "$TEST_TMP/out")" "file:$TEST_TMP/sub.bin" "relative file: made absolute"
expect_eq "$(stat -c %a sub.bin)" 600 "default mode"

expect_status 0 "$SHMKIT" create "$TEST_TMP/abs.bin" --size 2 --mode 666
expect_eq "$(cat "$TEST_TMP/out")" "file:$TEST_TMP/abs.bin" "absolute path shorthand"
expect_eq "$(stat -c '%a %s' abs.bin)" "666 2" "mode applied"

# Exclusive, and a symlink is never followed (its target stays untouched).
expect_error 1 "already exists" "$SHMKIT" create ./ring.bin --size 1
ln -s target link.bin
expect_error 1 "" "$SHMKIT" create ./link.bin --size 1
[[ ! -e target ]] || fail "create followed a symlink"

# A missing directory is a runtime error and creates nothing.
expect_error 1 "cannot create file:$TEST_TMP/no/such" "$SHMKIT" create ./no/such --size 1
[[ ! -e no ]] || fail "created the directory"

expect_status 0 "$SHMKIT" rm ./ring.bin "file:$TEST_TMP/sub.bin" "$TEST_TMP/abs.bin"
[[ ! -e ring.bin && ! -e sub.bin && ! -e abs.bin ]] || fail "rm left files"
