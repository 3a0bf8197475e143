#!/usr/bin/env bash
# Bad input: exit 2, one "shmkit: error:" line plus the "Try" line, nothing created.
source "$(dirname "$0")/common.sh"

nothing_created() {
  expect_eq "$(awk 'NR > 1' /proc/sysvipc/shm)" "" "no sysv segment after: $*"
  expect_eq "$(ls -A /dev/shm)" "" "no posix object after: $*"
}

bad() { # bad MESSAGE ARGS...
  local message=$1
  shift
  expect_error 2 "$message" "$SHMKIT" create "$@"
  expect_eq "$(tail -n 1 "$TEST_TMP/err")" "Try 'shmkit create --help' for more information." \
    "try line for: $*"
  nothing_created "$@"
}

for size in 1Q -1 0 "" 0x 1.5K 1e3 18446744073709551616 17E 4K1 " 12" "12 " +1 K; do
  bad "invalid size '$size'" posix:/x --size "$size"
  bad "invalid size '$size'" key:0x10 --size "$size"
done
bad "too large for a posix segment" posix:/x --size 8E
bad "invalid key '0x100000000'" key:0x100000000 --size 1
bad "invalid key '4294967296'" key:4294967296 --size 1
bad "invalid key '-1'" key:-1 --size 1
bad "key 0 is IPC_PRIVATE: use key:private" key:0 --size 1
bad "key 0 is IPC_PRIVATE: use key:private" 0x0 --size 1
bad "invalid address: empty" "" --size 1
bad "invalid posix name: empty" / --size 1
bad "invalid posix name: empty" posix: --size 1
bad "invalid posix name '.'" . --size 1
bad "invalid posix name '..'" .. --size 1
bad "invalid posix name '..'" posix:.. --size 1
bad "invalid posix name 'a/b': contains '/'" posix:/a/b --size 1
bad "invalid posix name 'a/b': contains '/'" 'posix:a\x2fb' --size 1
bad "invalid posix name: 256 bytes long, at most 255" "posix:$(printf 'n%.0s' {1..256})" --size 1
for mode in 4755 2700 1777 8 u=rw 0x1ff 1000 -600 ""; do
  bad "invalid mode '$mode'" posix:/x --size 1 --mode "$mode"
done
bad "cannot create id:5: the kernel chooses ids" id:5 --size 1
bad "cannot create id:7" 7 --size 1
bad "--size is required" posix:/x
bad "--hugetlb applies only to sysv segments" posix:/x --size 1 --hugetlb
bad "--noreserve applies only to sysv segments" "$TEST_TMP/f" --size 1 --noreserve
bad "--allocate applies only to posix and file segments" key:private --size 1 --allocate
bad "names starting with 'sem.' belong to POSIX semaphores" posix:/sem.x --size 1
bad "" --size 1
bad "" posix:/a posix:/b --size 1
bad "" posix:/x --size 1 --no-such-option
[[ ! -e $TEST_TMP/f ]] || fail "file created"

# A 255-byte name is fine.
long=$(printf 'n%.0s' {1..255})
expect_status 0 "$SHMKIT" create "posix:$long" --size 1
expect_eq "$(cat "$TEST_TMP/out")" "posix:/$long" "255-byte name"
