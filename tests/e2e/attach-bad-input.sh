#!/usr/bin/env bash
# Bad input and refused holds: one error line, nothing on stdout, status 2 for the command
# line and 1 for what the system refuses. --lock that is not permitted fails (status 1) before
# anything is printed, and nothing stays attached.
source "$(dirname "$0")/common.sh"

seg=$("$SHMKIT" create key:auto --size 1M --mode 666)
id=${seg#id:}
"$SHMKIT" create posix:shared --size 1M --mode 644 >/dev/null

expect_error 2 "invalid timeout '0': must be positive" "$SHMKIT" attach "$seg" --timeout 0
expect_error 2 "invalid timeout '-1s': a sign is not allowed" "$SHMKIT" attach "$seg" --timeout=-1s
expect_error 2 "invalid timeout '1x': unknown unit" "$SHMKIT" attach "$seg" --timeout 1x
expect_error 2 "" "$SHMKIT" attach
expect_error 2 "" "$SHMKIT" attach "$seg" --nosuch
expect_error 2 "" "$SHMKIT" attach key:auto
expect_error 1 "no sysv segment with key 0x00001234" "$SHMKIT" attach key:0x1234
expect_error 1 "cannot open posix:/missing" "$SHMKIT" attach posix:missing

# Permissions: nobody may map the 0644 object read-only, not read-write.
expect_error 1 "permission denied" as_nobody "$SHMKIT" attach posix:shared --timeout 100ms
expect_status 0 as_nobody "$SHMKIT" attach posix:shared --readonly --timeout 100ms

# --lock without permission. SysV: SHM_LOCK needs CAP_IPC_LOCK or owning the segment.
expect_error 1 "cannot lock $seg: permission denied (SHM_LOCK needs CAP_IPC_LOCK" \
  as_nobody "$SHMKIT" attach "$seg" --lock --timeout 5s
expect_eq "$(sysv_field "$id" nattch)" 0 "nothing stays attached"
expect_eq "$("$SHMKIT" ls --noheadings --raw -o status "$seg")" - "not locked"
# POSIX: mlock needs CAP_IPC_LOCK or room in RLIMIT_MEMLOCK; a zero limit is named (issue 8
# defect 16).
expect_error 1 "cannot lock posix:/shared: RLIMIT_MEMLOCK is 0 (ulimit -l); raise it, or lock with CAP_IPC_LOCK" \
  as_nobody prlimit --memlock=0:0 "$SHMKIT" attach posix:shared --readonly --lock --timeout 5s
expect_error 1 "cannot lock posix:/shared: 1048576 bytes exceed RLIMIT_MEMLOCK (65536 bytes)" \
  as_nobody prlimit --memlock=65536:65536 "$SHMKIT" attach posix:shared --readonly --lock \
  --timeout 5s

# What the system holds is never a usage error: an empty object, a FIFO planted in /dev/shm.
: >/dev/shm/empty
mkfifo /dev/shm/fifo
expect_error 1 "cannot map posix:/empty: it is empty" "$SHMKIT" attach posix:empty --timeout 1s
expect_error 1 "cannot open posix:/fifo: not a regular file" "$SHMKIT" attach posix:fifo
