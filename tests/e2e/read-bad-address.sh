#!/usr/bin/env bash
# Addresses are checked from their text before anything is looked up: a bad \x escape
# (issue 8 defect 19f) and a bad ftok project id (issue 8 defect 19e) are usage errors
# (status 2) naming the culprit, also when the file does not exist.
source "$(dirname "$0")/common.sh"

printf 'data' >/dev/shm/x
tail=': \x needs two hex digits (a backslash is \x5c)'
for sub in read write rm; do
  args=()
  [[ $sub == write ]] && args=(--data y)
  # issue 8 defect 19f
  expect_error 2 "invalid escape '\x' in address$tail" "$SHMKIT" "$sub" 'x\x' "${args[@]}"
  expect_error 2 "invalid escape '\x4' in address$tail" "$SHMKIT" "$sub" 'posix:/x\x4' "${args[@]}"
  expect_error 2 "invalid escape '\xZZ' in address$tail" "$SHMKIT" "$sub" 'x\xZZ' "${args[@]}"
  expect_error 2 "invalid escape '\xZZ' in address$tail" "$SHMKIT" "$sub" "file:$TEST_TMP/a\\xZZ" "${args[@]}"
  # issue 8 defect 19e
  expect_error 2 "invalid ftok project id '0x41': must be 1..255 or one character" \
    "$SHMKIT" "$sub" ftok:/etc/hostname:0x41 "${args[@]}"
  expect_error 2 "invalid ftok project id '0x41': must be 1..255 or one character" \
    "$SHMKIT" "$sub" "ftok:$TEST_TMP/missing:0x41" "${args[@]}"
done
expect_error 2 "invalid escape '\xZZ' in address$tail" "$SHMKIT" create 'posix:/x\xZZ' -s 1
expect_error 2 "invalid ftok project id 'AB': must be 1..255 or one character" \
  "$SHMKIT" create "ftok:$TEST_TMP/missing:AB" -s 1
expect_eq "$(cat /dev/shm/x)" data "untouched"
# A good escape still decodes: \x78 is 'x'.
expect_eq "$("$SHMKIT" read 'posix:/\x78')" data "escaped name"
