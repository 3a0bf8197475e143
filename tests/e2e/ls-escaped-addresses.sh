#!/usr/bin/env bash
# issue 8 defect 3: the address ls prints is the same escaped canonical form in every format
# (table, --raw, --export, --json) and in create's output; a literal backslash is \x5c, and
# every command decodes it back, so a JSON address never names another object.
source "$(dirname "$0")/common.sh"

head -c 4 /dev/zero >/dev/shm/aA
head -c 5 /dev/zero >'/dev/shm/a\x41'
head -c 6 /dev/zero >$'/dev/shm/bad\xff'

# issue 8 defect 3: tables, --raw and --export escape the backslash.
expect_status 0 "$SHMKIT" ls --noheadings --raw -o segment,size --bytes
expect_eq "$(cat "$TEST_TMP/out")" 'posix:/aA 4
posix:/a\x5cx41 5
posix:/bad\xff 6' "raw"
expect_status 0 "$SHMKIT" ls --noheadings -o segment
expect_eq "$(cat "$TEST_TMP/out")" 'posix:/aA
posix:/a\x5cx41
posix:/bad\xff' "table"
expect_status 0 "$SHMKIT" ls --export -o segment,name 'posix:/a\x5cx41'
expect_eq "$(cat "$TEST_TMP/out")" 'SEGMENT="posix:/a\x5cx41" NAME="/a\x5cx41"' "export"

# issue 8 defect 3: JSON's segment is the escaped address (always valid UTF-8, so no
# segment_hex); name stays readable, with the exact bytes in name_hex when needed.
"$SHMKIT" ls --json -o segment,name >"$TEST_TMP/json"
python3 - "$TEST_TMP/json" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
rows = json.loads(raw.decode("utf-8"))["segments"]
assert rows == [
    {"segment": "posix:/aA", "name": "/aA"},
    {"segment": "posix:/a\\x5cx41", "name": "/a\\x41"},
    {"segment": "posix:/bad\\xff", "name": "/bad\ufffd", "name_hex": b"/bad\xff".hex()},
], rows
PY

# issue 8 defect 3: the JSON address round-trips, invalid UTF-8 included.
expect_status 0 "$SHMKIT" ls --noheadings --raw -o size --bytes \
  "$(jq -r '.segments[2].segment' "$TEST_TMP/json")"
expect_eq "$(cat "$TEST_TMP/out")" "6" "invalid UTF-8 round trip"

# issue 8 defect 3: the pipeline from the issue removes the object it names, not posix:/aA.
"$SHMKIT" ls --json | jq -r '.segments[].segment' | grep x41 | xargs -d '\n' "$SHMKIT" rm
[[ -e /dev/shm/aA ]] || fail "posix:/aA was removed"
[[ ! -e '/dev/shm/a\x41' ]] || fail 'a\x41 was not removed'

# issue 8 defect 3: create prints the same escaped canonical form, accepted back.
expect_status 0 "$SHMKIT" create 'posix:/c\x5cx41' --size 7
expect_eq "$(cat "$TEST_TMP/out")" 'posix:/c\x5cx41' "create output"
[[ -e '/dev/shm/c\x41' ]] || fail 'create did not make c\x41'
expect_status 0 "$SHMKIT" ls --json -o segment "$(cat "$TEST_TMP/out")"
expect_eq "$(jq -c . "$TEST_TMP/out")" '{"segments":[{"segment":"posix:/c\\x5cx41"}]}' "create -> ls"
