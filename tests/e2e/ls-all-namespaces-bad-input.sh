#!/usr/bin/env bash
# ls --all-namespaces (issue 11), bad input: with --target (before or after the subcommand),
# with the modes that are views of one namespace, with SEGMENT arguments and with --type file
# alone: a one-line usage error, status 2, nothing listed and nothing changed.
source "$(dirname "$0")/common.sh"

"$SHMKIT" create key:0x7e5c0001 --size 4K >/dev/null
before=$(ipcs -m)
self=$$

expect_error 2 "--all-namespaces lists every namespace: it cannot be combined with --target" \
  "$SHMKIT" --target "$self" ls -A
expect_error 2 "--all-namespaces lists every namespace: it cannot be combined with --target" \
  "$SHMKIT" --target="$self" ls --all-namespaces --json
expect_error 2 "--target goes before the subcommand" "$SHMKIT" ls -A --target "$self"
expect_error 2 "--target goes before the subcommand" "$SHMKIT" ls --target="$self" -A
for mode in --watch --summary --audit --openmetrics --limits; do
  expect_error 2 "--all-namespaces and $mode exclude each other" "$SHMKIT" ls -A "$mode"
done
expect_error 2 "--all-namespaces and --detail exclude each other" "$SHMKIT" ls -A --detail key:0x7e5c0001
expect_error 2 "--all-namespaces and --pid exclude each other" "$SHMKIT" ls -A --pid "$self"
expect_error 2 "--all-namespaces takes no SEGMENT" "$SHMKIT" ls -A key:0x7e5c0001
expect_error 2 "--all-namespaces lists sysv and posix segments: --type names none of them" \
  "$SHMKIT" ls -A --type file
expect_error 2 "unknown column 'NOPE'" "$SHMKIT" ls -A -o +NOPE
expect_eq "$(ipcs -m)" "$before" "nothing changed"

# What is allowed: --type with a namespaced kind, -o +COLS appends to -A's default columns.
expect_status 0 "$SHMKIT" ls -A --type file,sysv --noheadings --raw -o SEGMENT,IPCNS
expect_eq "$(cat "$TEST_TMP/out")" "id:0 $(readlink /proc/self/ns/ipc | tr -dc 0-9)" "--type file,sysv"
expect_status 0 "$SHMKIT" ls -A -o +PIDS --type sysv
expect_eq "$(head -n 1 "$TEST_TMP/out" | tr -s ' ')" \
  "SEGMENT TYPE KEY PERMS OWNER SIZE NATTCH CPID LPID STATUS IPCNS SHMDEV NSPID NSCOMM CONTAINER PIDS" \
  "-o + appends to the -A columns"
echo ok
