#!/usr/bin/env bash
# SysV key forms: key:N (decimal and hex, 0x shorthand), key:auto, key:private, ftok:PATH[:PROJ];
# --noreserve and --hugetlb.
source "$(dirname "$0")/common.sh"

key_of() { sysv_field "${1#id:}" key; }

expect_status 0 "$SHMKIT" create key:4294967295 --size 1
expect_eq "$(key_of "$(cat "$TEST_TMP/out")")" -1 "key 0xffffffff (signed in /proc)"
expect_status 0 "$SHMKIT" create 0x00abcdef --size 1
expect_eq "$(key_of "$(cat "$TEST_TMP/out")")" $((0xabcdef)) "0x shorthand"

# key:auto: random, non-zero, distinct.
expect_status 0 "$SHMKIT" create key:auto --size 1
a=$(cat "$TEST_TMP/out")
expect_status 0 "$SHMKIT" create key:auto --size 1
b=$(cat "$TEST_TMP/out")
[[ $a =~ ^id:[0-9]+$ && $b =~ ^id:[0-9]+$ && $a != "$b" ]] || fail "key:auto ids: $a $b"
[[ $(key_of "$a") != 0 && $(key_of "$b") != 0 && $(key_of "$a") != "$(key_of "$b")" ]] ||
  fail "key:auto keys: $(key_of "$a") $(key_of "$b")"

# key:private: key 0, and a second one is a new segment.
expect_status 0 "$SHMKIT" create key:private --size 2
p1=$(cat "$TEST_TMP/out")
expect_status 0 "$SHMKIT" create key:private --size 2 --exist-ok
p2=$(cat "$TEST_TMP/out")
[[ $p1 != "$p2" ]] || fail "key:private reused $p1"
expect_eq "$(key_of "$p1") $(key_of "$p2")" "0 0" "private keys"

# ftok: the key is ftok(3)'s: proj << 24 | (st_dev & 0xff) << 16 | (st_ino & 0xffff).
touch "$TEST_TMP/anchor"
read -r dev ino < <(stat -c '%d %i' "$TEST_TMP/anchor")
for spec in "" ":A" ":200"; do
  case $spec in
  "") proj=1 ;;
  :A) proj=65 ;;
  *) proj=${spec#:} ;;
  esac
  want=$(((proj << 24) | ((dev & 0xff) << 16) | (ino & 0xffff)))
  ((want < 2147483648)) || want=$((want - 4294967296))
  expect_status 0 "$SHMKIT" create "ftok:$TEST_TMP/anchor$spec" --size 1
  expect_eq "$(key_of "$(cat "$TEST_TMP/out")")" "$want" "ftok key for '$spec'"
done
expect_error 1 "cannot compute ftok key of $TEST_TMP/missing" \
  "$SHMKIT" create "ftok:$TEST_TMP/missing" --size 1
expect_error 2 "invalid ftok project id" "$SHMKIT" create "ftok:$TEST_TMP/anchor:0" --size 1

# --noreserve works; --hugetlb needs reserved huge pages (else a runtime error, exit 1).
expect_status 0 "$SHMKIT" create key:0x300 --size 1M --noreserve
if [[ $(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0) -gt 0 ]]; then
  hp=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
  expect_status 0 "$SHMKIT" create key:0x301 --size "${hp}K" --hugetlb
else
  expect_error 1 "cannot create key:0x00000301" "$SHMKIT" create key:0x301 --size 2M --hugetlb
  expect_eq "$(awk 'NR > 1 && $1 == 769' /proc/sysvipc/shm)" "" "no hugetlb segment left"
fi
