#!/usr/bin/env bash
# Hostile names unlinked while mapped: a POSIX name with a newline, $(...) and an escape byte
# shows escaped in NAME (as before it was unlinked), and SEGMENT round-trips as an address.
source "$(dirname "$0")/common.sh"

holder=$SHMKIT_SOURCE_DIR/tests/e2e/unlinked-holder.py
name=$'a\nb$(id>pwned)\e[31m'
hex=$(printf '/dev/shm/%s' "$name" | od -An -tx1 -v | tr -d ' \n')
fifo=$TEST_TMP/ready
mkfifo "$fifo"
python3 "$holder" shm "$hex" 4096 "$fifo" &
on_exit "kill $!"
read_fifo "$fifo" pid fd _ _ || fail "holder did not start"
cd "$TEST_TMP" || exit 1

shown=$("$SHMKIT" ls --noheadings --raw -o name)
# shellcheck disable=SC2016 # the $(...) is the name's own text
expect_eq "$shown" '/a\x0ab$(id>pwned)\x1b[31m' "escaped name while linked"
seg=$("$SHMKIT" ls --noheadings --raw -o segment)
expect_status 0 "$SHMKIT" rm --force "$seg"
expect_eq "$(ls -A /dev/shm)" "" "removed"
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment,name,status)" \
  "file:/proc/$pid/fd/$fd /a\\x0ab\$(id>pwned)\\x1b[31m unlinked" "escaped name once unlinked"
json=$("$SHMKIT" ls --json -o name)
expect_eq "$(jq -r '.segments[0].name_hex // .segments[0].name' <<<"$json" | od -An -c | tr -s ' ')" \
  "$(printf '/%s\n' "$name" | od -An -c | tr -s ' ')" "exact bytes in JSON"
# The SEGMENT, as printed, is an address: read and ls take it back.
useg=$("$SHMKIT" ls --noheadings --raw -o segment)
expect_eq "$("$SHMKIT" read "$useg" --length 18)" "unlinked but alive" "read by SEGMENT"
expect_eq "$("$SHMKIT" ls --noheadings --raw -o segment "$useg")" "$useg" "ls by SEGMENT"
[[ ! -e $TEST_TMP/pwned ]] || fail "a name was run"
