#!/usr/bin/env bash
# issue 8 defect 14: rows of /proc/sysvipc/shm that do not parse no longer make SysV segments
# vanish silently: ls warns with their count and lists through shmctl(SHM_STAT_ANY) instead.
# Since issue 10 only a listing with RSS or SWAP reads /proc/sysvipc/shm (the others read
# shmctl(SHM_STAT_ANY) alone), so the listings below ask for RSS. The fixture is bind-mounted over /proc/sysvipc/shm inside common.sh's private namespaces.
source "$(dirname "$0")/common.sh"

mkseg() {
  python3 -c '
import ctypes, sys; libc = ctypes.CDLL(None)
print(libc.shmget(int(sys.argv[1], 0), int(sys.argv[2]), 0o1000 | 0o600))' "$@"
}
a=$(mkseg 0x4444 4096)
b=$(mkseg 0x5555 8192)
c=$(mkseg 0x6666 12288)
on_exit "ipcrm -m $a"
on_exit "ipcrm -m $b"
on_exit "ipcrm -m $c"

# The real table with the rows of b and c damaged (a size with trailing junk).
awk -v b="$b" -v c="$c" 'NR > 1 && ($2 == b || $2 == c) { $4 = $4 "x" } { print }' \
  /proc/sysvipc/shm >"$TEST_TMP/rows"
mount --bind "$TEST_TMP/rows" /proc/sysvipc/shm 2>/dev/null ||
  skip "cannot bind-mount over /proc/sysvipc/shm"
on_exit "umount /proc/sysvipc/shm"
[[ $(grep -c x /proc/sysvipc/shm) -eq 2 ]] || fail "fixture not in place"

# issue 8 defect 14: every segment is listed, with one warning that counts the bad rows.
expect_status 0 "$SHMKIT" ls --noheadings --raw -o segment,key,size,rss --bytes --type sysv
expect_eq "$(cat "$TEST_TMP/out")" "id:$a 0x00004444 4096 0
id:$b 0x00005555 8192 -
id:$c 0x00006666 12288 -" "all segments listed (no RSS through shmctl)"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: warning: /proc/sysvipc/shm: 2 rows could not be parsed; listed through shmctl instead" \
  "warning"

# The same in JSON; stdout stays pure data.
expect_status 0 "$SHMKIT" ls --json -o id,rss --type sysv
expect_eq "$(jq -c '[.segments[].id]' "$TEST_TMP/out")" "[$a,$b,$c]" "json ids"
expect_eq "$(wc -l <"$TEST_TMP/err")" "1" "one warning"

# A named segment whose row is damaged is still found.
expect_status 0 "$SHMKIT" ls --noheadings --raw -o segment,size,rss --bytes "id:$c"
expect_eq "$(cat "$TEST_TMP/out")" "id:$c 12288 -" "named"

# issue 10: without RSS or SWAP the damaged table is not read at all: no warning.
expect_status 0 "$SHMKIT" ls --noheadings --raw -o segment,key,size --bytes --type sysv
expect_eq "$(cat "$TEST_TMP/out")" "id:$a 0x00004444 4096
id:$b 0x00005555 8192
id:$c 0x00006666 12288" "listed through SHM_STAT_ANY"
expect_eq "$(cat "$TEST_TMP/err")" "" "no warning without RSS"

# issue 8 defect 14: a header that does not parse falls back too (it was a hard error).
sed '1s/key/kee/' "$TEST_TMP/rows" >"$TEST_TMP/header"
mount --bind "$TEST_TMP/header" /proc/sysvipc/shm
on_exit "umount /proc/sysvipc/shm"
expect_status 0 "$SHMKIT" ls --noheadings --raw -o segment,swap --type sysv
expect_eq "$(cat "$TEST_TMP/out")" "id:$a -
id:$b -
id:$c -" "header fallback"
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: warning: /proc/sysvipc/shm: cannot parse sysvipc shm table: missing column 'key'; listed through shmctl instead" \
  "header warning"
