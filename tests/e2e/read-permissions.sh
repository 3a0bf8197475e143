#!/usr/bin/env bash
# As nobody: root's 0644 SysV segment and POSIX object can be read (SysV is attached with
# SHM_RDONLY, so read permission is enough), a 0600 one cannot. Reading a SysV segment
# attaches it: lpid and atime change, and nattch is back to 0 afterwards.
source "$(dirname "$0")/common.sh"

head -c 5000 /dev/urandom >"$TEST_TMP/data"
id=$(ipcmk -M 5000 -p 0644 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
"$SHMKIT" write "id:$id" <"$TEST_TMP/data"
cp "$TEST_TMP/data" /dev/shm/pub
chmod 0644 /dev/shm/pub

lpid_before=$(sysv_field "$id" lpid)
atime_before=$(sysv_field "$id" atime)
sleep 1.1 # atime has a resolution of one second
as_nobody "$SHMKIT" read "id:$id" >"$TEST_TMP/out"
cmp "$TEST_TMP/out" "$TEST_TMP/data" || fail "nobody reads root's 0644 sysv segment"
as_nobody "$SHMKIT" read posix:/pub >"$TEST_TMP/out"
cmp "$TEST_TMP/out" "$TEST_TMP/data" || fail "nobody reads root's 0644 posix object"
expect_eq "$(as_nobody "$SHMKIT" read "id:$id" -s 4990 --format=hex)" \
  "$(xxd -p -s 4990 "$TEST_TMP/data")" "nobody's hex view"

[[ $(sysv_field "$id" lpid) != "$lpid_before" ]] || fail "read did not change lpid"
[[ $(sysv_field "$id" atime) -gt $atime_before ]] || fail "read did not change atime"
expect_eq "$(sysv_field "$id" nattch)" 0 "nattch after read"

# A read-only (0444) segment is readable by its owner and by others.
ro=$(ipcmk -M 16 -p 0444 | awk '{ print $NF }')
on_exit "ipcrm -m $ro"
expect_status 0 "$SHMKIT" read "id:$ro" --type u64 --count 2
expect_eq "$(cat "$TEST_TMP/out")" $'0\n0' "root reads a 0444 segment"
expect_status 0 as_nobody "$SHMKIT" read "id:$ro" --type u8
expect_eq "$(cat "$TEST_TMP/out")" 0 "nobody reads a 0444 segment"

# 0600: no read permission for nobody.
priv=$(ipcmk -M 16 -p 0600 | awk '{ print $NF }')
on_exit "ipcrm -m $priv"
printf 'secret' >/dev/shm/priv
chmod 0600 /dev/shm/priv
expect_error 1 "cannot attach id:$priv: permission denied" as_nobody "$SHMKIT" read "id:$priv"
expect_error 1 "cannot open posix:/priv: permission denied" as_nobody "$SHMKIT" read posix:/priv
