#!/usr/bin/env bash
# --prefault makes the whole segment resident; --lock pins it: SysV segments show as `locked`
# in ls and ipcs while held (and are unlocked again after, unless someone else had locked
# them), POSIX objects count in the holder's VmLck.
source "$(dirname "$0")/common.sh"

# hold ARGS...: starts attach in the background (pid in $attach) and waits for its line.
hold() {
  : >"$TEST_TMP/line"
  "$SHMKIT" attach "$@" >"$TEST_TMP/line" 2>"$TEST_TMP/err" &
  attach=$!
  on_exit "kill $attach"
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -s $TEST_TMP/line ]] && return 0
    sleep 0.02
  done
  fail "attach printed nothing: $(cat "$TEST_TMP/err")"
}

release() {
  kill -TERM "$attach"
  local status=0
  wait "$attach" || status=$?
  expect_eq "$status" 0 "status after SIGTERM"
  [[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"
}

status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# SysV --prefault: RSS goes from 0 to the full size.
seg=$("$SHMKIT" create key:auto --size 2M)
id=${seg#id:}
expect_eq "$(sysv_field "$id" rss)" 0 "rss before"
hold "$seg" --prefault --readonly
expect_eq "$(sysv_field "$id" rss)" 2097152 "rss with --prefault"
expect_eq "$("$SHMKIT" ls --noheadings --raw --bytes -o segment,rss | awk -v s="$seg" '$1 == s { print $2 }')" \
  2097152 "ls RSS"
release

# SysV --lock: locked while held, resident, unlocked after.
seg=$("$SHMKIT" create key:auto --size 1M)
id=${seg#id:}
hold "$seg" --lock
expect_eq "$("$SHMKIT" ls --noheadings --raw -o status "$seg")" locked "ls status while held"
ipcs -m | grep -Eq "^0x[0-9a-f]+ +$id .* locked" || fail "ipcs status: $(ipcs -m)"
expect_eq "$(sysv_field "$id" rss)" 1048576 "rss with --lock"
release
expect_eq "$("$SHMKIT" ls --noheadings --raw -o status "$seg")" - "ls status after"

# A segment someone else locked stays locked.
python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
assert libc.shmctl(int(sys.argv[1]), 11, None) == 0  # SHM_LOCK
' "$id"
hold "$seg" --lock --readonly
release
expect_eq "$("$SHMKIT" ls --noheadings --raw -o status "$seg")" locked "still locked by its owner"

# POSIX --lock: mlock'ed, counted in VmLck; --prefault alone: resident (RssShmem).
"$SHMKIT" create posix:pinned --size 1M >/dev/null
hold posix:pinned --lock
expect_eq "$(status_kb "$attach" VmLck)" 1024 "VmLck with --lock"
release
hold posix:pinned --prefault --readonly
expect_eq "$(status_kb "$attach" VmLck)" 0 "VmLck without --lock"
expect_eq "$(status_kb "$attach" RssShmem)" 1024 "RssShmem with --prefault"
release
