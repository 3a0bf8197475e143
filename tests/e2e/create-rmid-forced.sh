#!/usr/bin/env bash
# With kernel.shm_rmid_forced=1 (per IPC namespace) create warns that the new SysV segment
# will vanish once shmkit exits; it still prints the address and exits 0.
source "$(dirname "$0")/common.sh"

knob=/proc/sys/kernel/shm_rmid_forced
expect_status 0 "$SHMKIT" create key:0x5 --size 1
[[ ! -s $TEST_TMP/err ]] || fail "warning with shm_rmid_forced=$(cat $knob)"
id=$(cut -d: -f2 "$TEST_TMP/out")
expect_eq "$(sysv_field "$id" key)" 5 "segment kept with shm_rmid_forced=0"

echo 1 >"$knob" 2>/dev/null || skip "cannot set $knob in this IPC namespace"
expect_status 0 "$SHMKIT" create key:0x6 --size 1
seg=$(cat "$TEST_TMP/out")
[[ $seg =~ ^id:[0-9]+$ ]] || fail "stdout: $seg"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: warning: kernel.shm_rmid_forced=1: $seg will be destroyed when shmkit exits, since nothing is attached to it" \
  "warning"
expect_eq "$(sysv_field "${seg#id:}" key)" "" "segment destroyed at exit"
# POSIX objects are not affected and get no warning.
expect_status 0 "$SHMKIT" create posix:/p --size 1
[[ ! -s $TEST_TMP/err ]] || fail "warning for posix: $(cat "$TEST_TMP/err")"
