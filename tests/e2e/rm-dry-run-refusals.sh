#!/usr/bin/env bash
# issue 8 defect 7: --dry-run applies every check the real run applies (permission, in use,
# semaphore, identity) and reports refusals with the same messages and exit status. Permission
# is decided without acting: SysV owner/creator/CAP_SYS_ADMIN; POSIX and files write+search on
# the directory and the sticky-bit rule.
source "$(dirname "$0")/common.sh"

as_nobody true 2>/dev/null || skip "cannot switch to nobody here (user namespace without it)"

# same_as_real ARGS...: `rm --dry-run ARGS` as nobody gives the status and stderr of
# `rm ARGS` as nobody (run second; it is expected to remove nothing here).
same_as_real() {
  local dry_status=0 real_status=0
  as_nobody "$SHMKIT" rm --dry-run "$@" >"$TEST_TMP/dry.out" 2>"$TEST_TMP/dry.err" || dry_status=$?
  as_nobody "$SHMKIT" rm "$@" >"$TEST_TMP/real.out" 2>"$TEST_TMP/real.err" || real_status=$?
  expect_eq "$dry_status" "$real_status" "status of rm --dry-run $*"
  expect_eq "$(cat "$TEST_TMP/dry.err")" "$(cat "$TEST_TMP/real.err")" "stderr of rm --dry-run $*"
}

roots=$("$SHMKIT" create key:0xd1 --size 1 --mode 666)
private=$("$SHMKIT" create key:0xd3 --size 1)
"$SHMKIT" create posix:/p --size 1 --mode 666 >/dev/null
mkdir -m 755 "$TEST_TMP/closed"
"$SHMKIT" create "$TEST_TMP/closed/f" --size 1 --mode 666 >/dev/null
: >/dev/shm/sem.s
chmod 666 /dev/shm/sem.s

# Root's segments as nobody: refused in the dry run exactly as in the real run.
expect_status 1 as_nobody "$SHMKIT" rm --dry-run "$roots" posix:p
expect_eq "$(cat "$TEST_TMP/out")" "" "nothing listed"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: cannot remove $roots: operation not permitted
shmkit: error: cannot remove posix:/p: operation not permitted" "dry-run refusals"
same_as_real "$roots" posix:p
same_as_real "$private"
expect_eq "$(cat "$TEST_TMP/dry.err")" "shmkit: error: cannot remove $private: operation not permitted" \
  "0600 segment"
# A directory nobody may not write: EACCES, not the sticky rule's EPERM.
same_as_real "$TEST_TMP/closed/f"
expect_eq "$(cat "$TEST_TMP/dry.err")" \
  "shmkit: error: cannot remove file:$TEST_TMP/closed/f: permission denied" "closed directory"
# The semaphore check comes first, as in the real run.
same_as_real posix:/sem.s
expect_eq "$(cat "$TEST_TMP/dry.err")" \
  "shmkit: error: refusing to remove posix:/sem.s: it is a POSIX semaphore (use --force)" "semaphore"
same_as_real --force posix:/sem.s
expect_eq "$(cat "$TEST_TMP/dry.err")" "shmkit: error: cannot remove posix:/sem.s: operation not permitted" \
  "forced semaphore of root's"
expect_eq "$(awk 'NR > 1 { print "id:" $2 }' /proc/sysvipc/shm | tr '\n' ' ')$(ls -A /dev/shm | tr '\n' ' ')" \
  "$roots $private p sem.s " "nothing removed"
[[ -e $TEST_TMP/closed/f ]] || fail "file removed"

# What nobody may remove is listed: its own, and root's object in a sticky directory nobody owns.
mkdir -m 1777 "$TEST_TMP/sticky"
chown 65534:65534 "$TEST_TMP/sticky"
"$SHMKIT" create "$TEST_TMP/sticky/roots" --size 1 >/dev/null
mine=$(as_nobody "$SHMKIT" create key:0xd2 --size 1)
as_nobody "$SHMKIT" create posix:/mine --size 1 >/dev/null
expect_status 0 as_nobody "$SHMKIT" rm --dry-run "$mine" posix:/mine "$TEST_TMP/sticky/roots"
expect_eq "$(cat "$TEST_TMP/out")" "$mine"$'\nposix:/mine\nfile:'"$TEST_TMP/sticky/roots" "allowed"
expect_status 0 as_nobody "$SHMKIT" rm "$mine" posix:/mine "$TEST_TMP/sticky/roots"
[[ ! -e $TEST_TMP/sticky/roots && ! -e /dev/shm/mine ]] || fail "real run did not remove"

# Root (CAP_SYS_ADMIN, CAP_FOWNER) may remove the others' segments: listed.
theirs=$(as_nobody "$SHMKIT" create key:0xd4 --size 1)
expect_status 0 "$SHMKIT" rm --dry-run "$theirs" posix:/p
expect_eq "$(cat "$TEST_TMP/out")" "$theirs"$'\nposix:/p' "root"

# A missing POSIX object: the real run's message.
expect_error 1 "cannot stat posix:/gone: no such file or directory" "$SHMKIT" rm --dry-run posix:/gone
