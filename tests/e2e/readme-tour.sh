#!/usr/bin/env bash
# The README's "A short tour" runs as printed (issue 8 defect 19h: its `rm` used to fail
# because the `attach` started just before still held the segment). Every command must exit
# 0, and the output must be the README's, with keys, pids, addresses and times masked.
source "$(dirname "$0")/common.sh"

readme=$SHMKIT_SOURCE_DIR/README.md
awk '/^## A short tour/ { t = 1 } t && /^```console/ { c = 1; next } c && /^```/ { exit } c' \
  "$readme" >"$TEST_TMP/tour.txt"
[[ -s $TEST_TMP/tour.txt ]] || fail "no tour in README.md"

# The tour as a script: `shmkit` is the binary under test, and the one command that waits for
# "another process" gets that process.
{
  echo 'set -e'
  # A real command on PATH, not a function: `kill %1` must reach shmkit itself.
  printf 'PATH=%q:$PATH\n' "$TEST_TMP/bin"
  while IFS= read -r line; do
    [[ $line == '$ '* ]] || continue
    cmd=${line#\$ }
    cmd=${cmd%%  #*} # the README's comments
    if [[ $cmd == *"watch posix:/demo"*"--until 42"* ]]; then
      echo '(sleep 0.5; shmkit write posix:/demo --offset 16 --type u32 42) &'
    fi
    if [[ $cmd == "shmkit ls --limits"* ]]; then
      cmd="$cmd >/dev/null" # machine-specific figures; the README shows none
    fi
    printf '%s\n' "$cmd"
  done <"$TEST_TMP/tour.txt"
} >"$TEST_TMP/tour.sh"
grep -v '^\$ ' "$TEST_TMP/tour.txt" >"$TEST_TMP/expected"

mkdir "$TEST_TMP/bin"
ln -s "$SHMKIT" "$TEST_TMP/bin/shmkit"
got=0
(cd "$TEST_TMP" && timeout 30 bash "$TEST_TMP/tour.sh") >"$TEST_TMP/actual" 2>"$TEST_TMP/err" ||
  got=$?
[[ $got -eq 0 ]] || fail "the tour failed with status $got: $(cat "$TEST_TMP/err")"
expect_eq "$(cat "$TEST_TMP/err")" "" "the tour's stderr"

mask() {
  sed -E -e 's/0x[0-9a-f]{8}\b/KEY/g' -e 's/addr=0x[0-9a-f]+/addr=ADDR/' -e 's/pid=[0-9]+/pid=PID/' \
    -e 's/^[0-9]{4}-[0-9-]+T[0-9:.]+Z /TIME /' -e 's/^(id:0 +sysv +KEY .*) [0-9]+ +[0-9]+ +-$/\1 PID PID -/' \
    -e 's/ +/ /g' "$1"
}
expect_eq "$(mask "$TEST_TMP/actual")" "$(mask "$TEST_TMP/expected")" "the tour's output"
expect_eq "$(ls -A /dev/shm)" "" "the tour removes what it made"
expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm)" "" "no SysV segment left"
echo ok
