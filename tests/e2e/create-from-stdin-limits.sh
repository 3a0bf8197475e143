#!/usr/bin/env bash
# create --from - reads its input as write does (Staging): under a small address space it
# stages what fits and names the limit when input does not (issue 8 defect 10, status 1, no
# abort, nothing created), and it never waits on a terminal (issue 8 defect 19d; status 1 since
# issue 9: it takes isatty(3), not the command line, to know).
source "$(dirname "$0")/common.sh"

no_leftovers() {
  expect_eq "$(ls -A /dev/shm)" "$1" "/dev/shm contents"
  expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm | wc -l)" "$2" "sysv segment count"
}

if command -v prlimit >/dev/null; then
  truncate -s 1 /dev/shm/probe
  "$SHMKIT" attach posix:/probe --readonly --timeout 5s >/dev/null &
  holder=$!
  on_exit "kill $holder"
  wait_open "$holder" /dev/shm/probe
  base_kb=$(awk '$1 == "VmSize:" { print $2 }' "/proc/$holder/status")
  kill "$holder"
  wait "$holder" || true
  rm /dev/shm/probe
  as=$(((base_kb + 24 * 1024) * 1024))

  # A little input into a large segment: fine.
  printf abc | prlimit --as="$as" "$SHMKIT" create posix:/a --from - --size 1G >"$TEST_TMP/out"
  expect_eq "$(cat "$TEST_TMP/out") $(head -c 3 /dev/shm/a)" "posix:/a abc" "small input"
  # issue 8 defect 10: more than memory holds, for every kind.
  for seg in posix:/b key:0x61 "$TEST_TMP/c.bin"; do
    status=0
    head -c 100M /dev/zero |
      prlimit --as="$as" "$SHMKIT" create "$seg" --from - --size 200M >"$TEST_TMP/out" \
        2>"$TEST_TMP/err" || status=$?
    expect_eq "$status" 1 "status for $seg"
    [[ ! -s $TEST_TMP/out ]] || fail "stdout: $(cat "$TEST_TMP/out")"
    grep -Eq "^shmkit: error: cannot stage more than [0-9]+ bytes of standard input in memory: the address space is limited to $as bytes \(RLIMIT_AS, ulimit -v\)$" \
      "$TEST_TMP/err" || fail "message for $seg: $(cat "$TEST_TMP/err")"
  done
  [[ ! -e $TEST_TMP/c.bin ]] || fail "file created"
  no_leftovers a 0
fi

# issue 8 defect 19d: a terminal on standard input is refused at once, as write refuses it.
if command -v script >/dev/null; then
  got=0
  SHELL=/bin/bash timeout 10 script -qec \
    "$(printf '%q ' "$SHMKIT" create posix:/t --from - --size 10)" /dev/null \
    </dev/null >"$TEST_TMP/tty" || got=$?
  # issue 9: a terminal on stdin needs the system to tell: a runtime failure (was 2).
  expect_eq "$got" 1 "exit status with stdin on a terminal"
  grep -q "^shmkit: error: --from -: standard input is a terminal (pipe the data in, or give --from FILE)" \
    "$TEST_TMP/tty" || fail "message on a terminal: $(cat "$TEST_TMP/tty")"
  # A terminal named as a file is refused too (a runtime failure: it needed the system).
  got=0
  SHELL=/bin/bash timeout 10 script -qec \
    "$(printf '%q ' "$SHMKIT" create posix:/t --from /dev/tty --size 10)" /dev/null \
    </dev/null >"$TEST_TMP/tty" || got=$?
  expect_eq "$got" 1 "exit status with --from /dev/tty"
  grep -q "^shmkit: error: cannot read /dev/tty: it is a terminal (pipe the data in, or name a file)" \
    "$TEST_TMP/tty" || fail "message for /dev/tty: $(cat "$TEST_TMP/tty")"
  [[ ! -e /dev/shm/t ]] || fail "created despite the terminal"
fi
