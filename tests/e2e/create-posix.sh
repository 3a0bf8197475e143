#!/usr/bin/env bash
# create posix: stdout is exactly the canonical address, mode and size applied exactly even
# under umask 077, shorthands accepted, creation is exclusive.
source "$(dirname "$0")/common.sh"

umask 077
expect_status 0 "$SHMKIT" create posix:/demo --size 4K --mode 0644
expect_eq "$(cat "$TEST_TMP/out")" "posix:/demo" "stdout"
[[ ! -s $TEST_TMP/err ]] || fail "stderr not empty: $(cat "$TEST_TMP/err")"
expect_eq "$(stat -c '%a %s %F' /dev/shm/demo)" "644 4096 regular file" "stat demo"
# shellcheck disable=SC2012 # ls -l is the cross-check here
expect_eq "$(ls -l /dev/shm | awk '$NF == "demo" { print $1, $5 }')" "-rw-r--r-- 4096" "ls -l"

# Shorthands: /NAME and a bare NAME are posix; the printed address is canonical.
expect_status 0 "$SHMKIT" create /short --size 10 --mode 640
expect_eq "$(cat "$TEST_TMP/out")" "posix:/short" "stdout for /short"
expect_status 0 "$SHMKIT" create bare --size 0x10 --mode 0o666
expect_eq "$(cat "$TEST_TMP/out")" "posix:/bare" "stdout for bare"
expect_eq "$(stat -c '%a %s' /dev/shm/short /dev/shm/bare)" $'640 10\n666 16' "modes and sizes"

# Default mode 0600 despite umask 077 (and also with a permissive umask).
umask 000
expect_status 0 "$SHMKIT" create posix:default --size 1KB
expect_eq "$(stat -c '%a %s' /dev/shm/default)" "600 1000" "default mode, KB = 1000"
umask 077

# Sparse without --allocate.
expect_eq "$(stat -c %b /dev/shm/demo)" 0 "not allocated"

# Exclusive: an existing name is an error (exit 1), the object unchanged.
expect_error 1 "cannot create posix:/demo: already exists" "$SHMKIT" create posix:/demo --size 1
expect_eq "$(stat -c '%a %s' /dev/shm/demo)" "644 4096" "unchanged after failed create"

# Removing by the printed address.
expect_status 0 "$SHMKIT" rm posix:/demo /short bare posix:/default
expect_eq "$(ls -A /dev/shm)" "" "all removed"
