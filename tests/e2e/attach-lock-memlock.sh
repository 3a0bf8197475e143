#!/usr/bin/env bash
# attach --lock under RLIMIT_MEMLOCK=0 by the segment's owner names the limit, not the
# capability (issue 8 defect 16); a caller who is not the owner is still told about
# CAP_IPC_LOCK and ownership. Runs as nobody (root has CAP_IPC_LOCK).
source "$(dirname "$0")/common.sh"

command -v prlimit >/dev/null || skip "no prlimit"
[[ $(id -u) -eq 0 ]] || skip "needs root to run as nobody"

seg=$(as_nobody "$SHMKIT" create key:auto --size 4K)
other=$("$SHMKIT" create key:auto --size 4K --mode 666)
as_nobody "$SHMKIT" create posix:/mine --size 8K >/dev/null

# issue 8 defect 16
expect_error 1 "cannot lock $seg: RLIMIT_MEMLOCK is 0 (ulimit -l); raise it, or lock with CAP_IPC_LOCK" \
  prlimit --memlock=0 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
  "$SHMKIT" attach "$seg" --lock --timeout 1s
expect_error 1 "cannot lock posix:/mine: RLIMIT_MEMLOCK is 0 (ulimit -l); raise it, or lock with CAP_IPC_LOCK" \
  prlimit --memlock=0 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
  "$SHMKIT" attach posix:/mine --lock --timeout 1s
expect_error 1 "cannot lock $other: permission denied (SHM_LOCK needs CAP_IPC_LOCK, or the owner or creator of the segment)" \
  prlimit --memlock=0 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
  "$SHMKIT" attach "$other" --lock --timeout 1s
# A limit that is too small (not zero) is named with its value.
expect_error 1 "cannot lock posix:/mine: 8192 bytes exceed RLIMIT_MEMLOCK (4096 bytes)" \
  prlimit --memlock=4096 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
  "$SHMKIT" attach posix:/mine --lock --timeout 1s
# With room, the owner locks fine.
expect_status 0 prlimit --memlock=65536 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
  "$SHMKIT" attach "$seg" --lock --timeout 100ms
