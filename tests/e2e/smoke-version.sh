#!/usr/bin/env bash
# shmkit --version, --help, and the usage-error conventions of the top level.
source "$(dirname "$0")/common.sh"

expect_status 0 "$SHMKIT" --version
[[ $(cat "$TEST_TMP/out") =~ ^shmkit\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "version: $(cat "$TEST_TMP/out")"

expect_status 0 "$SHMKIT" --help
grep -q '^  ls ' "$TEST_TMP/out" || fail "--help lacks ls"
expect_eq "$(tail -n 1 "$TEST_TMP/out")" "See shmkit(1)." "help footer"

expect_error 2 "no subcommand given" "$SHMKIT"
expect_eq "$(tail -n 1 "$TEST_TMP/err")" "Try 'shmkit --help' for more information." "try line"
expect_error 2 "unknown subcommand 'frobnicate'" "$SHMKIT" frobnicate
expect_error 2 "" "$SHMKIT" ls --no-such-option
expect_eq "$(tail -n 1 "$TEST_TMP/err")" "Try 'shmkit ls --help' for more information." "try line"
