#!/usr/bin/env bash
# A SysV segment made by create shows in ipcs -m and lsipc -m with the right key, size and
# perms (mode applied exactly, even under umask 077); after rm it is gone from both.
source "$(dirname "$0")/common.sh"

umask 077
expect_status 0 "$SHMKIT" create key:0x2a --size 1000 --mode 644
seg=$(cat "$TEST_TMP/out")
[[ $seg =~ ^id:[0-9]+$ ]] || fail "stdout is not id:N: '$seg'"
expect_eq "$(wc -l <"$TEST_TMP/out")" 1 "one line on stdout"
[[ ! -s $TEST_TMP/err ]] || fail "stderr not empty: $(cat "$TEST_TMP/err")"
id=${seg#id:}

# /proc/sysvipc/shm: key (signed decimal), perms (octal), size.
expect_eq "$(sysv_field "$id" key)" 42 "/proc key"
expect_eq "$(sysv_field "$id" perms)" 644 "/proc perms"
expect_eq "$(sysv_field "$id" size)" 1000 "/proc size"
expect_eq "$(sysv_field "$id" nattch)" 0 "/proc nattch"

# ipcs -m: key shmid owner perms bytes nattch
row=$(ipcs -m | awk -v id="$id" '$2 == id { print $1, $2, $4, $5, $6 }')
expect_eq "$row" "0x0000002a $id 644 1000 0" "ipcs -m row"

# lsipc -m: same key, perms and size.
row=$(lsipc -m --raw --noheadings -b -o KEY,ID,PERMS,SIZE | awk -v id="$id" '$2 == id')
expect_eq "$row" "0x0000002a $id rw-r--r-- 1000" "lsipc -m row"

# Several modes, all exact despite the umask (shmget ignores it, create sets it).
for mode in 600 0640 0o604 0 777; do
  expect_status 0 "$SHMKIT" create key:auto --size 1 --mode "$mode"
  other=$(cat "$TEST_TMP/out")
  want=${mode#0o}
  want=$((8#$want))
  expect_eq "$(sysv_field "${other#id:}" perms)" "$(printf '%o' "$want")" "perms for --mode $mode"
  expect_status 0 "$SHMKIT" rm "$other"
done

# Default mode 0600.
expect_status 0 "$SHMKIT" create key:0x2b --size 1
plain=$(cat "$TEST_TMP/out")
expect_eq "$(sysv_field "${plain#id:}" perms)" 600 "default perms"
expect_status 0 "$SHMKIT" rm "$plain"

# rm by the printed address: gone from /proc, ipcs and lsipc; prints nothing.
expect_status 0 "$SHMKIT" rm "$seg"
[[ ! -s $TEST_TMP/out && ! -s $TEST_TMP/err ]] || fail "rm printed something"
expect_eq "$(sysv_field "$id" key)" "" "/proc after rm"
expect_eq "$(ipcs -m | awk -v id="$id" '$2 == id')" "" "ipcs -m after rm"
expect_eq "$(lsipc -m --raw --noheadings -o ID | awk -v id="$id" '$1 == id')" "" "lsipc -m after rm"
