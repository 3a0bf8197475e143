#!/usr/bin/env bash
# Permissions: nobody cannot remove root's segments (exit 1, "operation not permitted"), and the
# others on the same command line are still removed.
source "$(dirname "$0")/common.sh"

as_nobody true 2>/dev/null || skip "cannot switch to nobody here (user namespace without it)"

roots=$("$SHMKIT" create key:0xd1 --size 1 --mode 666)
"$SHMKIT" create posix:/roots --size 1 --mode 666 >/dev/null
mine=$(as_nobody "$SHMKIT" create key:0xd2 --size 1)
as_nobody "$SHMKIT" create posix:/mine --size 1 >/dev/null

expect_error 1 "cannot remove $roots: operation not permitted" as_nobody "$SHMKIT" rm "$roots"
expect_error 1 "cannot remove posix:/roots: operation not permitted" \
  as_nobody "$SHMKIT" rm posix:/roots
# A 0600 segment cannot even be stat'ed by nobody; rm still names the right error.
private=$("$SHMKIT" create key:0xd3 --size 1)
expect_error 1 "cannot remove $private: operation not permitted" as_nobody "$SHMKIT" rm key:0xd3

expect_status 1 as_nobody "$SHMKIT" rm -v "$roots" "$mine" posix:/roots posix:/mine
expect_eq "$(cat "$TEST_TMP/out")" "removed $mine"$'\nremoved posix:/mine' "own ones removed"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: cannot remove $roots: operation not permitted
shmkit: error: cannot remove posix:/roots: operation not permitted" "errors for root's"
expect_eq "$(sysv_field "${roots#id:}" key) $(ls -A /dev/shm)" "209 roots" "root's kept"

# Bulk as nobody over every owner: root's segments fail, exit 1; nothing of root's is removed.
# (Without --any-owner nobody selects only its own: rm-all-own-default.sh, issue 8 defect 6.)
as_nobody "$SHMKIT" create posix:/mine2 --size 1 >/dev/null
expect_status 1 as_nobody "$SHMKIT" rm --all --yes --any-owner
expect_eq "$(ls -A /dev/shm)" "roots" "nobody's removed, root's kept"
expect_status 0 as_nobody "$SHMKIT" rm --all --yes --owner nobody
