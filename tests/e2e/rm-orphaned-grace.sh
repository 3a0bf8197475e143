#!/usr/bin/env bash
# issue 8 defect 4: --orphaned also needs the segment idle for a grace period (default 1h,
# --grace DUR): SysV last activity is the newest of ctime, atime and dtime; POSIX the newest of
# mtime and ctime. A start-up script's fresh segment survives a cron job's
# `rm --all --orphaned --yes`. --dry-run says why such a segment is kept; --grace 0s is the
# old rule.
source "$(dirname "$0")/common.sh"

fresh=$("$SHMKIT" create key:0x1234 --size 1M)
made_by_ipcmk=id:$(ipcmk -M 4096 | awk '{ print $NF }')
"$SHMKIT" create posix:/fresh --size 1 >/dev/null

# The cron job right after start-up: nothing goes, and it is no error.
expect_status 0 "$SHMKIT" rm --all --orphaned --yes -v
expect_eq "$(cat "$TEST_TMP/out")" "" "nothing removed"
expect_eq "$(wc -l </proc/sysvipc/shm) $(ls -A /dev/shm)" "3 fresh" "all still there"

# --dry-run says why, on standard error; standard output stays the list (empty).
expect_status 0 "$SHMKIT" rm --all --orphaned --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "" "dry run lists nothing"
expect_eq "$(sed 's/active [0-9]s ago/active Ns ago/' "$TEST_TMP/err")" \
  "shmkit: warning: not orphaned: $fresh was last active Ns ago, within the grace period of 1h (--grace)
shmkit: warning: not orphaned: $made_by_ipcmk was last active Ns ago, within the grace period of 1h (--grace)
shmkit: warning: not orphaned: posix:/fresh was last active Ns ago, within the grace period of 1h (--grace)" \
  "reasons"
# Without --dry-run the reasons are not printed.
expect_status 0 "$SHMKIT" rm --all --orphaned --yes
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"

# --grace 0s: the old rule, they are orphans at once.
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 0s --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$fresh orphaned no-users,creator-dead
$made_by_ipcmk orphaned no-users,creator-dead
posix:/fresh orphaned no-users" "--grace 0s"
[[ ! -s $TEST_TMP/err ]] || fail "stderr: $(cat "$TEST_TMP/err")"

# Idle long enough for --grace 1s (timestamps count as the end of their second) ...
sleep 2.2
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 1s --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$fresh orphaned no-users,creator-dead
$made_by_ipcmk orphaned no-users,creator-dead
posix:/fresh orphaned no-users" "idle for 2s"
# ... but an attach and detach (atime, dtime), or a write to the POSIX object (mtime), is
# activity.
expect_status 0 "$SHMKIT" read "$fresh" --length 1
expect_status 0 "$SHMKIT" write posix:/fresh --data x
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 1s --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "$made_by_ipcmk orphaned no-users,creator-dead" \
  "activity restarts the grace period"
expect_eq "$(sed 's/active [0-9]s ago/active Ns ago/' "$TEST_TMP/err")" \
  "shmkit: warning: not orphaned: $fresh was last active Ns ago, within the grace period of 1s (--grace)
shmkit: warning: not orphaned: posix:/fresh was last active Ns ago, within the grace period of 1s (--grace)" \
  "reasons for --grace 1s"
expect_status 0 "$SHMKIT" rm --all --orphaned --grace 1s --yes -v
expect_eq "$(cat "$TEST_TMP/out")" "removed $made_by_ipcmk" "only the idle one removed"
expect_eq "$(awk 'NR > 1 { print "id:" $2 }' /proc/sysvipc/shm) $(ls -A /dev/shm)" "$fresh fresh" \
  "active ones kept"

# Usage errors.
expect_error 2 "--grace needs --orphaned" "$SHMKIT" rm --all --grace 1s --yes
expect_error 2 "--grace needs --orphaned" "$SHMKIT" rm --grace 1s "$fresh"
expect_error 2 "" "$SHMKIT" rm --all --orphaned --grace 1y --yes
expect_error 2 "" "$SHMKIT" rm --all --orphaned --grace -1s --yes
expect_eq "$(awk 'NR > 1 { print "id:" $2 }' /proc/sysvipc/shm) $(ls -A /dev/shm)" "$fresh fresh" \
  "usage errors removed nothing"
