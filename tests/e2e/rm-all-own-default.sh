#!/usr/bin/env bash
# issue 8 defect 6: `rm --all` by a user other than root selects only that user's segments, as
# --owner "$USER" would; --any-owner selects every owner's (and then fails on the others');
# root selects every owner's, as before.
source "$(dirname "$0")/common.sh"

as_nobody true 2>/dev/null || skip "cannot switch to nobody here (user namespace without it)"

roots=$("$SHMKIT" create key:0xd1 --size 1 --mode 666)
"$SHMKIT" create posix:/roots --size 1 --mode 666 >/dev/null
mine=$(as_nobody "$SHMKIT" create key:0xd2 --size 1)
as_nobody "$SHMKIT" create posix:/mine --size 1 >/dev/null

expect_status 0 as_nobody "$SHMKIT" rm --all --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$mine"$'\nposix:/mine' "nobody's dry run: its own"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"

# --any-owner: every owner's, refused where not permitted (the dry run says so too).
expect_status 1 as_nobody "$SHMKIT" rm --all --any-owner --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$mine"$'\nposix:/mine' "--any-owner dry run: removable ones"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: cannot remove $roots: operation not permitted
shmkit: error: cannot remove posix:/roots: operation not permitted" "--any-owner refusals"

# Root: every owner's, as before.
expect_status 0 "$SHMKIT" rm --all --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$roots"$'\n'"$mine"$'\nposix:/mine\nposix:/roots' "root: all"

# The real run: nobody's own go, without a single error.
expect_status 0 as_nobody "$SHMKIT" rm --all --yes -v
expect_eq "$(cat "$TEST_TMP/out")" "removed $mine"$'\nremoved posix:/mine' "own removed"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"
expect_eq "$(awk 'NR > 1 { print "id:" $2 }' /proc/sysvipc/shm) $(ls -A /dev/shm)" "$roots roots" \
  "root's kept"

# --owner still picks another owner; --any-owner with --owner, or without --all, is a usage error.
expect_status 1 as_nobody "$SHMKIT" rm --all --owner root --yes
# issue 9: the rule is a row of the option table; check_rules() words it.
expect_error 2 "--any-owner and --owner exclude each other" \
  as_nobody "$SHMKIT" rm --all --any-owner --owner root --yes
expect_error 2 "--any-owner needs --all" as_nobody "$SHMKIT" rm --any-owner "$roots"
expect_eq "$(awk 'NR > 1 { print "id:" $2 }' /proc/sysvipc/shm) $(ls -A /dev/shm)" "$roots roots" \
  "still kept"
