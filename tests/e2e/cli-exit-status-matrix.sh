#!/usr/bin/env bash
# The exit-status contract of shmkit(1), EXIT STATUS (issue 9): every subcommand x every class
# of error gives the documented status, one "shmkit: error:" line (plus the Try line for usage
# errors), nothing on stdout, and leaves every segment as it was.
#   2: found from the command line's text alone (malformed address, bad number, unknown option,
#      conflicting options)
#   1: needed the system (missing segment, permission, output that goes nowhere)
source "$(dirname "$0")/common.sh"

f=$TEST_TMP/f.bin
sid=$("$SHMKIT" create key:0x2c --size 64)
"$SHMKIT" create posix:/p --size 64 >/dev/null
"$SHMKIT" create "$f" --size 64 >/dev/null
"$SHMKIT" write posix:/p --data posix >/dev/null
"$SHMKIT" create posix:/secret --size 64 >/dev/null # 0600, root's
mkdir -m 700 "$TEST_TMP/private"
state() {
  for o in /dev/shm/*; do printf '%s %s %s\n' "$o" "$(stat -c '%s %a %U' "$o")" "$(sha1sum <"$o")"; done
  printf '%s %s\n' "$(stat -c '%s' "$f")" "$(sha1sum <"$f")"
  awk 'NR > 1 { print $1, $2, $3, $4, $5 }' /proc/sysvipc/shm
  ls -A "$TEST_TMP"
}
: >"$TEST_TMP/out"
: >"$TEST_TMP/err"
before=$(state)

# check STATUS CMD...: the status, the message shape, and the unchanged state. With
# MATRIX_KEEP_GOING=1 every failing cell is listed, and the script fails at the end.
failures=0
cell_fail() {
  if [[ -n ${MATRIX_KEEP_GOING:-} ]]; then
    echo "CELL: $*" >&2
    failures=$((failures + 1))
    return 0
  fi
  fail "$@"
}
check() {
  local want=$1 how=plain
  shift
  [[ $1 == nobody || $1 == full ]] && { how=$1; shift; }
  local got=0
  case $how in
  plain) timeout 10 "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null || got=$? ;;
  nobody) timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@" \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null || got=$? ;;
  full) timeout 10 "$@" >/dev/full 2>"$TEST_TMP/err" </dev/null || got=$? ;;
  esac
  local what
  what=$(printf '%q ' "$@")
  if [[ $got -ne $want ]]; then
    cell_fail "status $got (wanted $want): $what: $(head -n 1 "$TEST_TMP/err")"
    return 0
  fi
  local first lines
  first=$(head -n 1 "$TEST_TMP/err")
  [[ $first == "shmkit: error: "* ]] || cell_fail "stderr of $what: $(cat "$TEST_TMP/err")"
  lines=$(wc -l <"$TEST_TMP/err")
  if [[ $want -eq 2 ]]; then
    [[ $lines -eq 2 && $(sed -n 2p "$TEST_TMP/err") == "Try 'shmkit"*"--help' for more information." ]] ||
      cell_fail "usage error of $what is not one line plus the Try line: $(cat "$TEST_TMP/err")"
  else
    [[ $lines -eq 1 ]] || cell_fail "stderr lines of $what: $(cat "$TEST_TMP/err")"
  fi
  [[ ! -s $TEST_TMP/out ]] || cell_fail "stdout not empty for $what"
  [[ $(state) == "$before" ]] || cell_fail "state changed by $what"$'\n'"$(diff <(echo "$before") <(state))"
}

# A malformed address: 2, for every subcommand.
for sub in ls create rm read write attach watch; do
  extra=()
  [[ $sub == create ]] && extra=(--size 1)
  [[ $sub == write ]] && extra=(--data x)
  check 2 "$SHMKIT" "$sub" key:0x100000000 "${extra[@]}"
  check 2 "$SHMKIT" "$sub" 'posix:/a/b' "${extra[@]}"
  check 2 "$SHMKIT" "$sub" memfd:12: "${extra[@]}"
done
# create refuses a well-formed memfd: address from its text alone: 2.
check 2 "$SHMKIT" create memfd:1:3 --size 1

# A well-formed address of a missing segment: 1.
for seg in posix:/nope id:999999 ftok:/nonexistent "file:$TEST_TMP/nope" memfd:99999:3; do
  for sub in ls rm read attach watch; do
    check 1 "$SHMKIT" "$sub" "$seg"
  done
  check 1 "$SHMKIT" write "$seg" --data x
done
check 1 "$SHMKIT" create ftok:/nonexistent --size 1
# Input larger than the segment needs the file or the segment to know: 1, in create and write.
check 1 "$SHMKIT" create posix:/n --size 4 --from "$f"
check 1 "$SHMKIT" write posix:/p --offset 60 --data toolong
check 1 "$SHMKIT" write posix:/p --offset 64 --type u8 1
check 1 "$SHMKIT" read posix:/p --offset 65
check 1 "$SHMKIT" create "file:$TEST_TMP/nodir/x" --size 1

# A bad number for an option: 2.
check 2 "$SHMKIT" ls --sort NOSUCH
check 2 "$SHMKIT" create posix:/n --size -1
check 2 "$SHMKIT" create posix:/n --size 1 --mode 8
check 2 "$SHMKIT" rm --all --older-than 5parsecs --yes
check 2 "$SHMKIT" read posix:/p --offset 0x
check 2 "$SHMKIT" read posix:/p --type u8 --count 010x
check 2 "$SHMKIT" write posix:/p --offset 1e3 --data x
check 2 "$SHMKIT" write posix:/p --type u8 256
check 2 "$SHMKIT" attach posix:/p --timeout 1x
check 2 "$SHMKIT" watch posix:/p --interval 0ms

# An unknown option: 2.
for sub in ls create rm read write attach watch; do
  check 2 "$SHMKIT" "$sub" posix:/p --bogus
done
check 2 "$SHMKIT" --bogus
check 2 "$SHMKIT" nosuchcommand

# Conflicting options: 2.
check 2 "$SHMKIT" ls --json --raw
check 2 "$SHMKIT" create posix:/n --size 1 --hugetlb --allocate
check 2 "$SHMKIT" rm posix:/p --all --yes
check 2 "$SHMKIT" read posix:/p --type u8 --format hex
check 2 "$SHMKIT" write posix:/p --data x --hex 00
# (attach has no options that exclude each other)
check 2 "$SHMKIT" watch posix:/p --count 2 --length 2

# --target PID (issue 11): a PID that is no number from 1 is a usage error (2), a process that
# does not exist a runtime failure (1), and as nobody root's process is refused (1).
sleep 0 &
gone=$!
wait "$gone"
sleep 60 &
root_pid=$!
on_exit "kill $root_pid"
for sub in ls create rm read write attach watch; do
  extra=()
  [[ $sub == create ]] && extra=(--size 1)
  [[ $sub == write ]] && extra=(--data x)
  seg=posix:/p
  [[ $sub == create ]] && seg=posix:/n
  check 2 "$SHMKIT" --target 0 "$sub" "$seg" "${extra[@]}"
  check 2 "$SHMKIT" --target abc "$sub" "$seg" "${extra[@]}"
  check 1 "$SHMKIT" --target "$gone" "$sub" "$seg" "${extra[@]}"
  check 1 nobody "$SHMKIT" --target "$root_pid" "$sub" "$seg" "${extra[@]}"
done

# Permission denied, as nobody: 1.
check 1 nobody "$SHMKIT" ls "file:$TEST_TMP/private/x"
check 1 nobody "$SHMKIT" create "file:$TEST_TMP/private/x" --size 1
check 1 nobody "$SHMKIT" rm posix:/secret
check 1 nobody "$SHMKIT" rm "$sid"
check 1 nobody "$SHMKIT" read posix:/secret
check 1 nobody "$SHMKIT" read "$sid"
check 1 nobody "$SHMKIT" write posix:/secret --data x
check 1 nobody "$SHMKIT" write "$sid" --data x
check 1 nobody "$SHMKIT" attach posix:/secret --timeout 50ms
check 1 nobody "$SHMKIT" watch posix:/secret --timeout 50ms

# Output to /dev/full: 1.
[[ -w /dev/full ]] || skip "no /dev/full"
check 1 full "$SHMKIT" ls
check 1 full "$SHMKIT" ls --json
check 1 full "$SHMKIT" read posix:/p
check 1 full "$SHMKIT" read posix:/p --format hexdump
check 1 full "$SHMKIT" read "$sid" --type u32
check 1 full "$SHMKIT" write posix:/p --data posix --verbose
check 1 full "$SHMKIT" attach posix:/p --timeout 50ms
check 1 full "$SHMKIT" rm posix:/nothing-there-so-nothing-printed --verbose
# watch with a writer that changes the region once and then restores it.
# shellcheck disable=SC2016 # expanded by the inner shell
check 1 full bash -c '("$1" write posix:/p --data POSIX && sleep 0.3 && "$1" write posix:/p --data posix) &
  st=0; "$1" watch posix:/p --changes 1 --timeout 5s || st=$?; wait; exit $st' bash "$SHMKIT"
# create prints the address; when it cannot, the segment it made is removed again.
check 1 full "$SHMKIT" create posix:/new --size 1
# An atomic operation is done before it prints the value it found: with /dev/full the status
# is 1 and the operation stands (as mv -v's move stands when its report fails).
"$SHMKIT" create posix:/counter --size 8 >/dev/null
"$SHMKIT" write posix:/counter --type u64 41
status=0
"$SHMKIT" write posix:/counter --type u64 --add 1 >/dev/full 2>"$TEST_TMP/err" || status=$?
expect_eq "$status" 1 "--add with /dev/full"
expect_eq "$("$SHMKIT" read posix:/counter --type u64)" 42 "--add done although its output failed"
[[ $failures -eq 0 ]] || fail "$failures cells failed"
echo ok
