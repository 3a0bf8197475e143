#!/usr/bin/env bash
# rm SEGMENT...: every address form, -v output, stale ids, key:0, files; silent on success.
source "$(dirname "$0")/common.sh"

mk() { "$SHMKIT" create "$@"; }

a=$(mk key:0x1001 --size 1)
mk key:0x1002 --size 1 >/dev/null
mk key:4099 --size 1 >/dev/null
d=$(mk key:private --size 1)
mk posix:/p1 --size 1 >/dev/null
mk posix:/p2 --size 1 >/dev/null
mk p3 --size 1 >/dev/null
mk "$TEST_TMP/f.bin" --size 1 >/dev/null
touch "$TEST_TMP/plain"

# By id, by key (key: and 0x shorthand), by bare number, each posix form, files.
expect_status 0 "$SHMKIT" rm "$a" key:0x1002 0x00001003 "${d#id:}" posix:/p1 /p2 p3 \
  "file:$TEST_TMP/f.bin" "$TEST_TMP/plain"
[[ ! -s $TEST_TMP/out && ! -s $TEST_TMP/err ]] || fail "rm printed: $(cat "$TEST_TMP/out" "$TEST_TMP/err")"
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm)" "" "sysv segments removed"
expect_eq "$(ls -A /dev/shm)" "" "posix objects removed"
[[ ! -e $TEST_TMP/f.bin && ! -e $TEST_TMP/plain ]] || fail "files not removed"

# -v: "removed SEGMENT" on stdout, canonical form whatever form was given.
e=$(mk key:0x2001 --size 1)
mk posix:/v --size 1 >/dev/null
expect_status 0 "$SHMKIT" rm -v key:0x2001 v
expect_eq "$(cat "$TEST_TMP/out")" $'removed '"$e"$'\nremoved posix:/v' "-v output"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"

# Stale or missing: exit 1 with a message naming it.
expect_error 1 "no sysv segment $a" "$SHMKIT" rm "$a"
expect_error 1 "no sysv segment id:2147483647" "$SHMKIT" rm 2147483647
expect_error 1 "no sysv segment with key 0x00001001" "$SHMKIT" rm key:0x1001
expect_error 1 "cannot stat posix:/p1: no such file or directory" "$SHMKIT" rm posix:/p1
expect_error 1 "no such file or directory" "$SHMKIT" rm "$TEST_TMP/nothing"

# Malformed addresses: exit 2.
expect_error 2 "key 0 is IPC_PRIVATE and names no segment: use id:N" "$SHMKIT" rm key:0
expect_error 2 "key:auto is only valid for create" "$SHMKIT" rm key:auto
expect_error 2 "invalid key '0x100000000'" "$SHMKIT" rm key:0x100000000
expect_error 2 "invalid posix name '..'" "$SHMKIT" rm posix:..
expect_error 2 "no segment given" "$SHMKIT" rm
