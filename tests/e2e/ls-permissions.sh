#!/usr/bin/env bash
# Listing needs no read permission: nobody sees root's 0600 segments, and listing changes
# nothing (no attach: lpid, atime and nattch stay as they were).
source "$(dirname "$0")/common.sh"

id=$(python3 -c '
import ctypes; libc = ctypes.CDLL(None)
print(libc.shmget(0x7777, 4096, 0o1000 | 0o600))')
on_exit "ipcrm -m $id"
head -c 10 /dev/zero >/dev/shm/rootonly
chmod 600 /dev/shm/rootonly
before=$(grep -E "^ *[-0-9]+ +$id " /proc/sysvipc/shm)
atime_before=$(stat -c %X /dev/shm/rootonly)

expect_status 0 as_nobody "$SHMKIT" ls --noheadings --raw -o segment,owner,perms
expect_eq "$(cat "$TEST_TMP/out")" "id:$id root rw-------
posix:/rootonly root rw-------" "nobody lists root's segments"
expect_status 0 as_nobody "$SHMKIT" ls --noheadings --raw -o segment "id:$id" key:0x7777 posix:/rootonly
expect_eq "$(cat "$TEST_TMP/out")" "id:$id
id:$id
posix:/rootonly" "named lookups as nobody"

expect_eq "$(grep -E "^ *[-0-9]+ +$id " /proc/sysvipc/shm)" "$before" "ls has no side effects"
expect_eq "$(stat -c %X /dev/shm/rootonly)" "$atime_before" "posix atime untouched"
