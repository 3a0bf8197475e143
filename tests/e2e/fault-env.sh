#!/usr/bin/env bash
# Fault matrix (issue 13), family "environment": the system around shmkit is not as expected.
# /dev/shm read-only, /dev/shm absent, /proc/sysvipc/shm unreadable (an empty file bound over
# it: the shmctl fallback), RLIMIT_MEMLOCK 0 with attach --lock, an address-space limit too
# small for write's staging buffer, and RLIMIT_NOFILE 3 (and 4). All in the test's private
# mount and IPC namespaces. Every case asserts: no signal and no hang (timeout), the exit status
# with its exact message, and the state afterwards.
source "$(dirname "$0")/common.sh"

sk() { timeout 20 "$SHMKIT" "$@"; }

# fault STATUS MESSAGE CMD...: status, nothing on stdout, exactly one line on stderr.
fault() {
  local want=$1 message=$2
  shift 2
  expect_status "$want" "$@"
  expect_eq "$(cat "$TEST_TMP/out")" "" "stdout of: $*"
  expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: $message" "stderr of: $*"
}
# A sanitized binary cannot run under an address-space limit, and loads more libraries.
sanitized=
[[ $(ASAN_OPTIONS=help=1 "$SHMKIT" --version 2>&1 >/dev/null) == *AddressSanitizer* ]] &&
  sanitized=1

seg=$(sk create key:0x3131 --size 64K)
id=${seg#id:}
sk write "$seg" --data sysv-data
sk create posix:/p --size 8K >/dev/null
sk write posix:/p --data posix-data
state() {
  local f
  for f in /dev/shm/*; do
    [[ -e $f ]] && printf '%s %s %s\n' "$f" "$(stat -c %s "$f")" "$(sha1sum <"$f" | cut -c1-40)"
  done
  awk 'NR > 1 { print $1, $2, $3, $4, $7 }' /proc/sysvipc/shm
  timeout 20 "$SHMKIT" read "$seg" | sha1sum
}
before=$(state)
listing=$(printf '%s\n' "$seg 65536" "posix:/p 8192")

# --- /dev/shm read-only -------------------------------------------------------------------
mount -o remount,ro /dev/shm || skip "cannot remount the test's /dev/shm read-only"
# 1-4. Everything that changes a POSIX object is refused, naming the file system.
fault 1 "cannot create posix:/q: read-only file system" sk create posix:/q --size 4K
fault 1 "cannot open posix:/p for writing: read-only file system" sk write posix:/p --data x
fault 1 "cannot remove posix:/p: read-only file system" sk rm posix:/p
fault 1 "cannot open posix:/p for writing: read-only file system" \
  sk attach posix:/p --timeout 100ms
# 5-7. What only reads still works.
expect_status 0 sk read posix:/p --format string
expect_eq "$(cat "$TEST_TMP/out")" "posix-data" "read on a read-only /dev/shm"
expect_status 0 sk attach posix:/p --readonly --timeout 100ms
expect_status 0 sk ls --noheadings --raw -o SEGMENT,SIZE --bytes
expect_eq "$(cat "$TEST_TMP/out")" "$listing" "ls on a read-only /dev/shm"
expect_eq "$(state)" "$before" "state after the read-only cases"
mount -o remount,rw /dev/shm

# --- /dev/shm absent ------------------------------------------------------------------------
# A /dev of our own (this mount namespace only) with the devices shmkit and the test use, and
# no shm in it.
mkdir "$TEST_TMP/dev"
mount -t tmpfs -o mode=755 shmkit-dev "$TEST_TMP/dev"
for d in null zero full urandom; do
  touch "$TEST_TMP/dev/$d"
  mount --bind "/dev/$d" "$TEST_TMP/dev/$d"
done
mount --move "$TEST_TMP/dev" /dev
[[ ! -e /dev/shm ]] || fail "/dev/shm still there"
# 8. ls lists the SysV segments, and fails for the POSIX directory (status 1).
expect_status 1 sk ls --noheadings --raw -o SEGMENT,SIZE --bytes
expect_eq "$(cat "$TEST_TMP/out")" "$seg 65536" "ls without /dev/shm"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: cannot list /dev/shm: no such file or directory" \
  "ls stderr without /dev/shm"
# 9-11. POSIX commands name the missing directory's error.
fault 1 "cannot create posix:/q: no such file or directory" sk create posix:/q --size 4K
fault 1 "cannot open posix:/p: no such file or directory" sk read posix:/p
fault 1 "cannot open posix:/p for writing: no such file or directory" sk write posix:/p --data x
# 12. SysV works as before.
expect_status 0 sk read "$seg" --format string
expect_eq "$(cat "$TEST_TMP/out")" "sysv-data" "sysv read without /dev/shm"
umount /dev/null /dev/zero /dev/full /dev/urandom
umount /dev # the /dev below, with the test's /dev/shm, is back
[[ -d /dev/shm ]] || fail "/dev/shm did not come back"
expect_eq "$(state)" "$before" "state after the absent-/dev/shm cases"

# --- /proc/sysvipc/shm unreadable: the shmctl fallback ----------------------------------------
sk create key:0x3132 --size 8K --mode 640 >/dev/null
"$SHMKIT" attach "$seg" --timeout 30s >/dev/null &
holder=$!
on_exit "kill $holder"
for ((i = 0; i < 500; i++)); do
  [[ $(sysv_field "$id" nattch) == 1 ]] && break
  sleep 0.02
done
# RSS is what only /proc/sysvipc/shm has: asking for it makes ls read the file.
cols=SEGMENT,KEY,SIZE,PERMS,OWNER,NATTCH,CPID,LPID,STATUS,RSS
expect_status 0 sk ls -t sysv --noheadings --raw -o $cols --bytes
from_proc=$(awk '{ $NF = "-"; print }' "$TEST_TMP/out")
expect_status 0 sk ls -t sysv --json -o $cols
json_from_proc=$(jq -c '[.segments[] | .rss = null]' "$TEST_TMP/out")
: >"$TEST_TMP/empty"
mount --bind "$TEST_TMP/empty" /proc/sysvipc/shm
on_exit "umount /proc/sysvipc/shm"
warning="shmkit: warning: /proc/sysvipc/shm: cannot parse sysvipc shm table: missing header; listed through shmctl instead"
# 13. The table: every field the same, RSS unknown (-), and one warning.
expect_status 0 sk ls -t sysv --noheadings --raw -o $cols --bytes
expect_eq "$(cat "$TEST_TMP/out")" "$from_proc" "ls through shmctl"
expect_eq "$(cat "$TEST_TMP/err")" "$warning" "ls warning"
# 14. The JSON too (rss null).
expect_status 0 sk ls -t sysv --json -o $cols
expect_eq "$(jq -c '.segments' "$TEST_TMP/out")" "$json_from_proc" "ls --json through shmctl"
expect_eq "$(cat "$TEST_TMP/err")" "$warning" "ls --json warning"
kill "$holder"
wait "$holder" || true
umount /proc/sysvipc/shm
ipcrm -M 0x3132

# --- RLIMIT_MEMLOCK 0 and attach --lock (as nobody: root has CAP_IPC_LOCK) -------------------
if [[ $(id -u) -eq 0 ]]; then
  mine=$(as_nobody "$SHMKIT" create key:0x3133 --size 4K)
  as_nobody "$SHMKIT" create posix:/mine --size 4K >/dev/null
  # 15. SysV: refused, naming the limit; not locked, not attached afterwards.
  fault 1 "cannot lock $mine: RLIMIT_MEMLOCK is 0 (ulimit -l); raise it, or lock with CAP_IPC_LOCK" \
    timeout 20 prlimit --memlock=0 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
    "$SHMKIT" attach "$mine" --lock --timeout 5s
  expect_eq "$(sysv_field "${mine#id:}" perms) $(sysv_field "${mine#id:}" nattch)" "600 0" \
    "not locked, detached"
  # 16. POSIX: the same for mlock(2).
  fault 1 "cannot lock posix:/mine: RLIMIT_MEMLOCK is 0 (ulimit -l); raise it, or lock with CAP_IPC_LOCK" \
    timeout 20 prlimit --memlock=0 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
    "$SHMKIT" attach posix:/mine --lock --timeout 5s
  ipcrm -m "${mine#id:}"
  rm /dev/shm/mine
else
  echo "note: not root; RLIMIT_MEMLOCK cases not run" >&2
fi

# --- an address space too small for write's staging buffer ---------------------------------
# 17. 100 MiB from a pipe into a POSIX object of 128 MiB (written with pwrite, not mapped)
#     under a 64 MiB address-space limit: the input is staged before anything is written, and
#     memory runs out first. How much was staged when it did depends on the layout of the
#     address space, so only that number is not fixed.
if [[ -z $sanitized ]]; then
  sk create posix:/big --size 128M >/dev/null
  sk write posix:/big --fill 0x5a --length 128M
  big_sum=$(cksum </dev/shm/big)
  expect_status 1 timeout 20 prlimit --as=$((64 << 20)) "$SHMKIT" write posix:/big \
    < <(head -c 100M /dev/zero)
  [[ $(cat "$TEST_TMP/err") =~ ^"shmkit: error: cannot stage more than "[0-9]+" bytes of standard input in memory: the address space is limited to 67108864 bytes (RLIMIT_AS, ulimit -v)"$ ]] ||
    fail "message under RLIMIT_AS: $(cat "$TEST_TMP/err")"
  expect_eq "$(cksum </dev/shm/big)" "$big_sum" "object unchanged after the staging failed"
  rm /dev/shm/big
else
  echo "note: sanitized binary; the address-space case is not run (see cli-prlimit-as.sh)" >&2
fi

# --- RLIMIT_NOFILE -----------------------------------------------------------------------------
if [[ -z $sanitized ]]; then
  # 18. 3: only the standard descriptors. Not survivable: the dynamic loader needs a descriptor
  #     to open the C library before shmkit runs (status 127, its message; shmkit(1) SAFETY
  #     NOTES). Nothing changes.
  expect_status 127 timeout 20 prlimit --nofile=3 "$SHMKIT" write posix:/p --data x 3>&-
  [[ $(cat "$TEST_TMP/err") == *"error while loading shared libraries"* ]] ||
    fail "loader message: $(cat "$TEST_TMP/err")"
  # 19. 4: every command runs. The ones that need a fourth descriptor besides the segment's
  #     (watch and attach of a POSIX object: the object and a signalfd) say so.
  # nofile4 CMD...: shmkit CMD under RLIMIT_NOFILE 4, with only fds 0-2 open (whatever runs
  # the test may have left others open to it).
  nofile4() {
    local fd closes=
    for fd in "/proc/$$/fd/"*; do
      fd=${fd##*/}
      ((fd > 2)) && closes+=" $fd>&-"
    done
    eval 'timeout 20 prlimit --nofile=4 "$SHMKIT" "$@" </dev/null'"$closes"
  }
  expect_status 0 nofile4 ls --noheadings --raw -o SEGMENT,SIZE --bytes
  expect_eq "$(cat "$TEST_TMP/out")" "$listing" "ls under RLIMIT_NOFILE 4"
  expect_status 0 nofile4 read posix:/p --format string
  expect_eq "$(cat "$TEST_TMP/out")" "posix-data" "read under RLIMIT_NOFILE 4"
  expect_status 0 nofile4 write "$seg" --data sysv-data
  expect_status 124 nofile4 watch "$seg" --timeout 100ms
  expect_status 0 nofile4 attach "$seg" --timeout 100ms
  fault 1 "cannot open posix:/p: too many open files" nofile4 watch posix:/p --timeout 100ms
  fault 1 "cannot open posix:/p for writing: too many open files" \
    nofile4 attach posix:/p --timeout 100ms
  expect_status 0 nofile4 create posix:/n --size 1
  expect_status 0 nofile4 rm posix:/n
else
  echo "note: sanitized binary; the RLIMIT_NOFILE cases are not run" >&2
fi
expect_eq "$(state)" "$before" "state at the end"
