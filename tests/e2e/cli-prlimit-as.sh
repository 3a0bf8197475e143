#!/usr/bin/env bash
# issue 8 defect 10: no allocation failure may reach std::terminate (status 134). Every
# subcommand runs under a tight address-space limit (prlimit --as); what cannot be done in it
# is a one-line "shmkit: error:" and status 1, and what can be done still works.
source "$(dirname "$0")/common.sh"

command -v prlimit >/dev/null || skip "no prlimit"
# Every case here runs under the limit, and a sanitized binary cannot run under one at all:
# AddressSanitizer reserves terabytes of address space for its shadow memory at start-up and
# dies of SIGSEGV (status 139) before main, even for --version. Asked of the runtime itself
# (help=1 prints its flags), so a statically linked sanitizer (clang) is recognised too.
if [[ $(ASAN_OPTIONS=help=1 "$SHMKIT" --version 2>&1 >/dev/null) == *AddressSanitizer* ]]; then
  skip "sanitized binary: AddressSanitizer cannot run under an address space limit"
fi
limit=$((64 << 20))
lim() { timeout 30 prlimit --as=$limit -- "$SHMKIT" "$@"; }

# expect_ok_or_error CMD...: status 0, or 1 with exactly one "shmkit: error:" line; never a
# signal. Sets $status.
expect_ok_or_error() {
  status=0
  "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
  case $status in
  0) ;;
  1)
    expect_eq "$(wc -l <"$TEST_TMP/err")" 1 "one stderr line for: $*"
    [[ $(cat "$TEST_TMP/err") == "shmkit: error: "* ]] || fail "stderr of $*: $(cat "$TEST_TMP/err")"
    ;;
  *) fail "status $status for: $* ($(cat "$TEST_TMP/err"))" ;;
  esac
}

sid=$("$SHMKIT" create key:0x2b --size 1M)
"$SHMKIT" create posix:/big --size 300G >/dev/null
"$SHMKIT" create posix:/small --size 4K >/dev/null

# What fits in the limit works.
expect_status 0 lim ls
expect_status 0 lim ls --json
expect_status 0 lim ls --limits
expect_status 0 lim create posix:/made --size 1M
expect_status 0 lim write posix:/small --data hello
expect_status 0 lim read posix:/small --length 5
expect_eq "$(cat "$TEST_TMP/out")" "hello" "read under the limit"
expect_status 0 lim read posix:/big --length 1M --format hexdump
expect_status 0 lim read "$sid" --format hex
expect_status 124 lim watch posix:/small --timeout 100ms
expect_status 0 lim attach posix:/small --timeout 50ms
expect_status 0 lim rm posix:/made

# What does not fit is an error, never an abort.
expect_ok_or_error lim watch posix:/big --timeout 200ms
expect_eq "$status" 1 "watch of a 300G region under the limit"
expect_ok_or_error lim attach posix:/big --timeout 50ms
expect_eq "$status" 1 "attach of a 300G region under the limit"
expect_ok_or_error lim read posix:/big --length 300G --format hexdump --offset 299G
head -c $((100 << 20)) /dev/zero >"$TEST_TMP/100M"
expect_ok_or_error lim create posix:/from --from - <"$TEST_TMP/100M"
expect_ok_or_error lim create posix:/from2 --size 100M --from - < <(cat "$TEST_TMP/100M")
expect_eq "$status" 1 "create --from a 100M pipe under the limit"
[[ ! -e /dev/shm/from2 ]] || fail "a failed create --from left its object behind"
before=$(sha1sum </dev/shm/small)
expect_ok_or_error lim write posix:/small --grow < <(cat "$TEST_TMP/100M")
expect_eq "$status" 1 "write --grow of a 100M pipe under the limit"
expect_eq "$(sha1sum </dev/shm/small)" "$before" "the failed write left the object as it was"
expect_ok_or_error lim rm posix:/big
expect_eq "$status" 0 "rm under the limit"
echo ok
