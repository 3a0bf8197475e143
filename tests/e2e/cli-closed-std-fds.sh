#!/usr/bin/env bash
# issue 8 defect 2: a command started with fd 0, 1 or 2 closed must never read or write a
# segment through that fd. Every subcommand is run with each standard fd closed, against
# segments of every kind, and every segment must be exactly as before (size and checksum).
source "$(dirname "$0")/common.sh"

f=$TEST_TMP/f.bin
"$SHMKIT" create posix:/p --size 64 >/dev/null
"$SHMKIT" create "$f" --size 64 >/dev/null
sid=$("$SHMKIT" create key:0x2a --size 64)
"$SHMKIT" write posix:/p --data "posix-pattern" >/dev/null
"$SHMKIT" write "$f" --data "file-pattern" >/dev/null
"$SHMKIT" write "$sid" --data "sysv-pattern" >/dev/null

state() {
  printf '%s %s\n' "$(stat -c %s /dev/shm/p)" "$(sha1sum </dev/shm/p)"
  printf '%s %s\n' "$(stat -c %s "$f")" "$(sha1sum <"$f")"
  "$SHMKIT" read "$sid" | sha1sum
  ls -A /dev/shm | tr '\n' ' '
  awk 'NR > 1 { print $1, $2, $4 }' /proc/sysvipc/shm
}
before=$(state)

# Each line: one command; {} becomes each segment address in turn. Those that fail
# (on purpose) would print an error that, without the fix, lands in the segment.
commands=(
  'ls'
  'ls {}'
  'ls --json {}'
  'read {}'
  'read {} --format hexdump'
  'read {} --offset 1000'
  'write {} --offset 100 --data x'
  'write {} --data'
  'write {} --offset 60 --data toolongforthesegment'
  'write {} --grow --offset 16'
  'write {} --offset 100'
  'watch {} --timeout 50ms'
  'watch {} --until zzz'
  'attach {} --timeout 50ms'
  'rm {} --dry-run'
  'rm {} --bogus'
  'create {} --size 64'
  'create posix:/new --size 0'
  'nosuchsub {}'
)
for seg in posix:/p "$f" "$sid"; do
  for cmd in "${commands[@]}"; do
    line=${cmd//\{\}/$seg}
    for fd in 0 1 2; do
      got=0
      # shellcheck disable=SC2086 # the command line is split on purpose
      case $fd in
      0) timeout 10 "$SHMKIT" $line <&- >/dev/null 2>&1 || got=$? ;;
      1) timeout 10 "$SHMKIT" $line >&- 2>/dev/null || got=$? ;;
      2) timeout 10 "$SHMKIT" $line 2>&- >/dev/null || got=$? ;;
      esac
      [[ $got -le 2 || $got -eq 124 ]] || fail "'$line' with fd $fd closed: status $got"
      expect_eq "$(state)" "$before" "segments after '$line' with fd $fd closed"
    done
  done
done

# The cases the defect named, exactly.
got=0
"$SHMKIT" write posix:/p --offset 100 --data x 2>&- || got=$?
expect_eq "$got" 1 "write --offset 100 with stderr closed"
expect_eq "$(stat -c %s /dev/shm/p)" 64 "size after the failed write"
# A closed stdout stays closed: what would be printed fails with EBADF and status 1, and
# the status line of attach never lands in the segment.
got=0
"$SHMKIT" attach posix:/p --timeout 50ms >&- 2>"$TEST_TMP/err" || got=$?
expect_eq "$got" 1 "attach with stdout closed"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: write error: bad file descriptor" "attach stderr"
expect_eq "$(state)" "$before" "segments after attach >&-"
# A closed stdin is an input that cannot be read, not the segment.
got=0
"$SHMKIT" write posix:/p --offset 16 --grow <&- 2>"$TEST_TMP/err" || got=$?
expect_eq "$got" 1 "write from a closed stdin"
grep -q "bad file descriptor" "$TEST_TMP/err" || fail "stderr: $(cat "$TEST_TMP/err")"
expect_eq "$(state)" "$before" "segments after write <&-"
echo ok
