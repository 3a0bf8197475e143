#!/usr/bin/env bash
# issue 10: --keep GLOB (repeatable) protects segments from bulk removal. A glob matches the
# canonical address (posix:/pulse-*) or the --match text: the POSIX name without its '/'
# (PostgreSQL.*) or the SysV key as 0x%08x. --dry-run names what --keep protects, on stderr.
source "$(dirname "$0")/common.sh"

pg=$("$SHMKIT" create key:0x0052e2c1 --size 1)
other=$("$SHMKIT" create key:0x77 --size 1)
for name in pulse-shm-1 pulse-shm-2 PostgreSQL.1804289383 app-1 'with space'; do
  "$SHMKIT" create "posix:/$name" --size 1 >/dev/null
done
keeps=(--keep 'posix:/pulse-*' --keep 'PostgreSQL.*' --keep 0x0052e2c1)

expect_status 0 "$SHMKIT" rm --all --dry-run "${keeps[@]}"
expect_eq "$(cat "$TEST_TMP/out")" "$other
posix:/app-1
posix:/with\x20space" "dry run"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: warning: not removing $pg: it matches --keep '0x0052e2c1'
shmkit: warning: not removing posix:/PostgreSQL.1804289383: it matches --keep 'PostgreSQL.*'
shmkit: warning: not removing posix:/pulse-shm-1: it matches --keep 'posix:/pulse-*'
shmkit: warning: not removing posix:/pulse-shm-2: it matches --keep 'posix:/pulse-*'" \
  "dry run names what --keep protects"

# With --orphaned: the candidates carry their STATE and REASON, space-separated (the address
# escapes its own spaces).
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0s -n "${keeps[@]}" --keep 'id:*'
expect_eq "$(cat "$TEST_TMP/out")" "posix:/app-1 orphaned no-users
posix:/with\x20space orphaned no-users" "orphaned dry run"
expect_eq "$(awk '{ print $(NF - 1) }' "$TEST_TMP/out" | sort -u)" "orphaned" "STATE word"

# The real run: silent about what it keeps, removes exactly the rest.
expect_status 0 "$SHMKIT" rm --all --yes -v "${keeps[@]}"
expect_eq "$(cat "$TEST_TMP/out")" "removed $other
removed posix:/app-1
removed posix:/with\x20space" "removed"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"
expect_eq "$(ipcs -m | awk '$1 ~ /^0x/ { print $1 }')" "0x0052e2c1" "ipcs: the kept key"
expect_eq "$(ls -A /dev/shm | LC_ALL=C sort)" "PostgreSQL.1804289383
pulse-shm-1
pulse-shm-2" "/dev/shm: the kept objects"
