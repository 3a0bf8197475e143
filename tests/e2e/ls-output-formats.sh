#!/usr/bin/env bash
# -o, +COLS, --raw, --export, --noheadings, --bytes, --numeric-perms, --sort, --type, --owner,
# and the errors of conflicting or unknown options.
source "$(dirname "$0")/common.sh"

a=$(python3 -c '
import ctypes; libc = ctypes.CDLL(None)
print(libc.shmget(0x1111, 1536, 0o1000 | 0o644))')
b=$(python3 -c '
import ctypes; libc = ctypes.CDLL(None)
print(libc.shmget(0x2222, 3 * 1048576, 0o1000 | 0o600))')
on_exit "ipcrm -m $a"
on_exit "ipcrm -m $b"
head -c 100 /dev/zero >/dev/shm/small
chmod 640 /dev/shm/small

expect_status 0 "$SHMKIT" ls --noheadings --raw -o segment,size,perms
expect_eq "$(cat "$TEST_TMP/out")" "id:$a 1.5K rw-r--r--
id:$b 3M rw-------
posix:/small 100B rw-r-----" "raw, human sizes, symbolic perms"

expect_status 0 "$SHMKIT" ls --raw --bytes --numeric-perms -o SEGMENT,Size,perms --sort size
expect_eq "$(cat "$TEST_TMP/out")" "SEGMENT SIZE PERMS
posix:/small 100 640
id:$a 1536 644
id:$b 3145728 600" "sorted by size, bytes, numeric perms, header"

expect_status 0 "$SHMKIT" ls --export -o segment,key,status --type posix
expect_eq "$(cat "$TEST_TMP/out")" 'SEGMENT="posix:/small" KEY="-" STATUS="-"' "export"

expect_status 0 "$SHMKIT" ls --noheadings -o segment,type --type sysv
expect_eq "$(cat "$TEST_TMP/out")" "id:$a sysv
id:$b sysv" "aligned table, --type"

# +COLS appends to the defaults.
expect_status 0 "$SHMKIT" ls -o +CTIME,ID
expect_eq "$(head -n 1 "$TEST_TMP/out" | tr -s ' ')" "SEGMENT TYPE KEY PERMS OWNER SIZE NATTCH CPID LPID STATUS CTIME ID" "+COLS"

# issue 8 defect 19b: a column named twice is shown once, at its first place, in every format
# (JSON object keys must be unique); +COLS naming a default column does not repeat it.
expect_status 0 "$SHMKIT" ls --json -o segment,size,SEGMENT,size "id:$a"
expect_eq "$(cat "$TEST_TMP/out")" "{\"segments\": [
  {\"segment\": \"id:$a\", \"size\": 1536}
]}" "json without duplicate keys"
expect_status 0 "$SHMKIT" ls --raw -o segment,segment,size "id:$a"
expect_eq "$(cat "$TEST_TMP/out")" "SEGMENT SIZE
id:$a 1.5K" "raw without duplicate columns"
expect_status 0 "$SHMKIT" ls --export -o segment,segment "id:$a"
expect_eq "$(cat "$TEST_TMP/out")" "SEGMENT=\"id:$a\"" "export without duplicate pairs"
expect_status 0 "$SHMKIT" ls -o +KEY,ID,id
expect_eq "$(head -n 1 "$TEST_TMP/out" | tr -s ' ')" "SEGMENT TYPE KEY PERMS OWNER SIZE NATTCH CPID LPID STATUS ID" "+COLS with a default column"

# A time of today shows as HH:MM in the short format (issue 9: "today" is read once by the work);
# an empty -o or --sort is as if not given.
expect_status 0 "$SHMKIT" ls --raw --noheadings -o ctime "id:$a"
[[ $(cat "$TEST_TMP/out") =~ ^[0-9][0-9]:[0-9][0-9]$ ]] || fail "ctime of today is not HH:MM: $(cat "$TEST_TMP/out")"
expect_status 0 "$SHMKIT" ls --raw --noheadings -o "" --sort "" "id:$a"
expect_eq "$(cut -d' ' -f1 "$TEST_TMP/out")" "id:$a" "empty -o and --sort"

expect_status 0 "$SHMKIT" ls --owner nobody --noheadings
expect_eq "$(cat "$TEST_TMP/out")" "" "nobody owns nothing"
expect_status 0 "$SHMKIT" ls --owner 0 --noheadings --raw -o segment --type posix
expect_eq "$(cat "$TEST_TMP/out")" "posix:/small" "owner by uid"

# JSON is typed.
"$SHMKIT" ls --json -o segment,key,id,size,perms,ctime,dtime "id:$a" >"$TEST_TMP/json"
python3 - "$TEST_TMP/json" "$a" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))["segments"][0]
assert d["segment"] == f"id:{sys.argv[2]}" and d["id"] == int(sys.argv[2]), d
assert d["key"] == "0x00001111" and d["size"] == 1536 and d["perms"] == "0644", d
assert d["dtime"] is None and d["dtime_epoch"] is None, d
assert abs(d["ctime_epoch"] - time.time()) < 60 and d["ctime"].endswith("Z"), d
PY

expect_error 2 "unknown column 'FOO'" "$SHMKIT" ls -o segment,foo
# issue 9: the rules between options are data in ls's option table, checked in one place.
expect_error 2 "--raw and --json exclude each other" "$SHMKIT" ls --json --raw
expect_error 2 "--limits and --output exclude each other" "$SHMKIT" ls --limits -o size
expect_error 2 "unknown type 'shm'" "$SHMKIT" ls --type shm
# issue 9: an unknown user name needs getpwnam to be found out: a runtime failure.
expect_error 1 "unknown user 'no-such-user-x'" "$SHMKIT" ls --owner no-such-user-x
expect_error 2 "unknown time format 'long'" "$SHMKIT" ls --time-format long
expect_error 2 "invalid key '0x100000000': larger than 4294967295" "$SHMKIT" ls key:0x100000000
expect_error 2 "key 0 is IPC_PRIVATE" "$SHMKIT" ls key:0
expect_error 2 "invalid id '-1'" "$SHMKIT" ls id:-1
expect_error 2 "invalid id '2147483648'" "$SHMKIT" ls id:2147483648
expect_error 1 "no sysv segment id:2147483647" "$SHMKIT" ls id:2147483647
