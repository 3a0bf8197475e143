#!/usr/bin/env bash
# ls --watch refuses what it cannot do, from the command line alone: one error line (plus the
# usage hint), status 2, nothing printed and nothing watched. Run-time errors are status 1.
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:small --size 1K >/dev/null

# Options it cannot be combined with: an order (--sort: events come as they happen) and the
# other views of ls.
expect_error 2 "--watch and --sort exclude each other" "$SHMKIT" ls --watch --sort size
expect_error 2 "--watch and --sort exclude each other" "$SHMKIT" ls -w --json --sort=id
for other in --summary --audit --openmetrics --limits; do
  expect_error 2 "--watch and $other exclude each other" "$SHMKIT" ls --watch "$other"
done
expect_error 2 "--watch and --detail exclude each other" "$SHMKIT" ls --watch --detail posix:small
expect_error 2 "--watch and --pid exclude each other" "$SHMKIT" ls --watch --pid 1

# Its options need it.
expect_error 2 "--interval needs --watch" "$SHMKIT" ls --interval 1s
expect_error 2 "--timeout needs --watch" "$SHMKIT" ls --timeout 1s
expect_error 2 "--changes needs --watch" "$SHMKIT" ls --changes 1

# Their values, as watch takes them.
expect_error 2 "invalid interval '0': must be positive" "$SHMKIT" ls --watch --interval 0
expect_error 2 "invalid interval '0ms': must be positive" "$SHMKIT" ls --watch --interval 0ms
expect_error 2 "invalid interval '-1s': a sign is not allowed" "$SHMKIT" ls --watch --interval=-1s
expect_error 2 "invalid interval '1x': unknown unit" "$SHMKIT" ls --watch --interval 1x
expect_error 2 "invalid interval '': empty" "$SHMKIT" ls --watch --interval ''
expect_error 2 "invalid timeout '0': must be positive" "$SHMKIT" ls --watch --timeout 0
expect_error 2 "invalid number of changes '0': must be positive" "$SHMKIT" ls --watch --changes 0
expect_error 2 "invalid number of changes '-1'" "$SHMKIT" ls --watch --changes=-1
expect_error 2 "invalid number of changes 'x'" "$SHMKIT" ls --watch --changes x
# The usual ls errors still come first and the same way.
expect_error 2 "unknown type 'nope'" "$SHMKIT" ls --watch --type nope
expect_error 2 "unknown column" "$SHMKIT" ls --watch -o nosuch

# At run time: an unknown --owner is status 1, before anything is printed.
expect_error 1 "nosuchuser" "$SHMKIT" ls --watch --owner nosuchuser --timeout 5s
# A named segment that exists but cannot be examined fails; one that does not exist is no
# error (it is watched until it appears).
mkdir -m 700 "$TEST_TMP/private"
: >"$TEST_TMP/private/x"
expect_error 1 "permission denied" as_nobody "$SHMKIT" ls --watch --timeout 5s \
  "file:$TEST_TMP/private/x"
expect_status 124 "$SHMKIT" ls --watch --timeout 100ms --noheadings posix:absent
[[ $(wc -l <"$TEST_TMP/out") -eq 1 ]] || fail "output: $(cat "$TEST_TMP/out")"

# Nothing was created or removed by any of it.
expect_eq "$(ls /dev/shm)" small "/dev/shm afterwards"
