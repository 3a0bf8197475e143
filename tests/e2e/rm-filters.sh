#!/usr/bin/env bash
# --all selection: --type, --match (POSIX name without '/', SysV key as 0x%08x), --owner
# (name or uid); filters combine with AND; filters need --all.
source "$(dirname "$0")/common.sh"

mk() { "$SHMKIT" create "$@"; }
left() { # the SysV keys (hex) and POSIX names still there, on one line
  { awk 'NR > 1 { printf "0x%08x\n", $1 < 0 ? $1 + 4294967296 : $1 }' /proc/sysvipc/shm
    ls -A /dev/shm; } | sort | tr '\n' ' '
}

mk key:0xa001 --size 1 >/dev/null
mk key:0xa002 --size 1 >/dev/null
mk key:0xb001 --size 1 >/dev/null
mk posix:/app-1 --size 1 >/dev/null
mk posix:/app-2 --size 1 >/dev/null
mk posix:/other --size 1 >/dev/null
expect_eq "$(left)" "0x0000a001 0x0000a002 0x0000b001 app-1 app-2 other " "start"

# --type
expect_status 0 "$SHMKIT" rm --all --type posix --dry-run
expect_eq "$(cat "$TEST_TMP/out")" $'posix:/app-1\nposix:/app-2\nposix:/other' "--type posix"
expect_status 0 "$SHMKIT" rm --all -t sysv -n
expect_eq "$(wc -l <"$TEST_TMP/out")" 3 "--type sysv"
expect_status 0 "$SHMKIT" rm --all -t posix,sysv -n
expect_eq "$(wc -l <"$TEST_TMP/out")" 6 "--type posix,sysv"

# --match on POSIX names (no leading /) and on SysV keys as 0x%08x.
expect_status 0 "$SHMKIT" rm --all --match 'app-*' --yes -v
expect_eq "$(cat "$TEST_TMP/out")" $'removed posix:/app-1\nremoved posix:/app-2' "--match app-*"
expect_status 0 "$SHMKIT" rm --all --match '0x0000a*' --yes
expect_eq "$(left)" "0x0000b001 other " "--match 0x0000a*"
expect_status 0 "$SHMKIT" rm --all --match '/other' --yes
expect_eq "$(left)" "0x0000b001 other " "a leading / never matches"
expect_status 0 "$SHMKIT" rm --all --match '0x0000B001' --yes
expect_eq "$(left)" "0x0000b001 other " "keys are lowercase hex"
expect_status 0 "$SHMKIT" rm --all --match '0x*' --type posix --yes
expect_eq "$(left)" "0x0000b001 other " "--type and --match combine"

# --owner by name and by uid.
if as_nobody true 2>/dev/null; then
  as_nobody "$SHMKIT" create key:0xc001 --size 1 >/dev/null
  as_nobody "$SHMKIT" create posix:/theirs --size 1 >/dev/null
  expect_status 0 "$SHMKIT" rm --all --owner root -n
  expect_eq "$(sed 's/^id:[0-9]*$/id/' "$TEST_TMP/out")" $'id\nposix:/other' "--owner root"
  expect_status 0 "$SHMKIT" rm --all --owner 65534 --type posix --yes -v
  expect_eq "$(cat "$TEST_TMP/out")" "removed posix:/theirs" "--owner 65534"
  expect_status 0 "$SHMKIT" rm --all --owner "$(id -nu 65534)" --yes
  expect_eq "$(left)" "0x0000b001 other " "--owner by name"
fi
expect_status 0 "$SHMKIT" rm --all --owner 12345 --yes
expect_eq "$(left)" "0x0000b001 other " "--owner of nobody's uid"
# issue 9: an unknown user name takes getpwnam(3) to find: a runtime failure (was 2).
expect_error 1 "unknown user 'no-such-user'" "$SHMKIT" rm --all --owner no-such-user --yes

expect_status 0 "$SHMKIT" rm --all --yes
expect_eq "$(left)" "" "rest removed"
