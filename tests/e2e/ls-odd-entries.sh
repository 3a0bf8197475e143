#!/usr/bin/env bash
# Semaphores and planted non-regular entries in /dev/shm are hidden unless --all, flagged when
# shown, and a FIFO never makes ls (or a named lookup) hang. Odd names are escaped and
# round-trip.
source "$(dirname "$0")/common.sh"

mkfifo /dev/shm/fifo
ln -s /etc/passwd /dev/shm/link
mkdir /dev/shm/dir
head -c 32 /dev/zero >/dev/shm/sem.counter
head -c 16 /dev/zero >/dev/shm/plain
name=$'odd\nname\e[31m\xff'
head -c 8 /dev/zero >"/dev/shm/$name"

expect_status 0 timeout 10 "$SHMKIT" ls --noheadings --raw -o segment
expect_eq "$(cat "$TEST_TMP/out")" 'posix:/odd\x0aname\x1b[31m\xff
posix:/plain' "default listing hides odd entries, escapes names"

expect_status 0 timeout 10 "$SHMKIT" ls --all --noheadings --raw -o segment,status
expect_eq "$(sort "$TEST_TMP/out")" 'posix:/dir not-regular
posix:/fifo not-regular
posix:/link not-regular
posix:/odd\x0aname\x1b[31m\xff -
posix:/plain -
posix:/sem.counter semaphore' "--all"

# The escaped address round-trips.
expect_status 0 "$SHMKIT" ls --noheadings --raw -o size --bytes 'posix:/odd\x0aname\x1b[31m\xff'
expect_eq "$(cat "$TEST_TMP/out")" "8" "round trip"

# JSON: valid UTF-8; segment is the escaped address as in tables (issue 8 defect 3), name is
# readable with the exact bytes in name_hex.
"$SHMKIT" ls --json -o segment,name 'posix:/odd\x0aname\x1b[31m\xff' >"$TEST_TMP/json"
python3 - "$TEST_TMP/json" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # valid UTF-8
d = json.loads(raw)["segments"][0]
assert d["segment"] == "posix:/odd\\x0aname\\x1b[31m\\xff", d
assert "segment_hex" not in d, d
assert d["name"] == "/odd\nname\x1b[31m\ufffd", d
assert bytes.fromhex(d["name_hex"]) == b"/odd\nname\x1b[31m\xff", d
PY
