#!/usr/bin/env bash
# rm usage errors: exit 2, one error line plus the "Try" line, nothing removed.
source "$(dirname "$0")/common.sh"

seg=$("$SHMKIT" create key:0xe1 --size 1)
"$SHMKIT" create posix:/keep --size 1 >/dev/null

bad() { # bad MESSAGE ARGS...
  local message=$1
  shift
  expect_error 2 "$message" "$SHMKIT" rm "$@"
  expect_eq "$(tail -n 1 "$TEST_TMP/err")" "Try 'shmkit rm --help' for more information." \
    "try line for: $*"
  expect_eq "$(sysv_field "${seg#id:}" key) $(ls -A /dev/shm)" "225 keep" "untouched by: $*"
}

bad "no segment given (name one or more, or use --all)"
# issue 9: the rule is a row of the option table; check_rules() words it.
bad "--all and SEGMENT exclude each other" --all --yes "$seg"
bad "--type needs --all" --type sysv "$seg"
bad "--owner needs --all" --owner root "$seg"
bad "--match needs --all" --match '*' "$seg"
bad "--older-than needs --all" --older-than 1s "$seg"
bad "--orphaned needs --all" --orphaned "$seg"
bad "--type file cannot be used with --all: files are never listed" --all --yes --type file
bad "--type file cannot be used with --all" --all --yes --type posix,file
bad "invalid --type 'shm'" --all --yes --type shm
bad "invalid --type ''" --all --yes --type ''
bad "invalid --type ''" --all --yes --type sysv,
bad "invalid user: empty" --all --yes --owner ''
bad "" --all --yes --older-than 5y
bad "" --all --yes --older-than -1s
bad "key 0 is IPC_PRIVATE" key:0 "$seg"
bad "" --no-such-option "$seg"
bad "" --all --yes --match
# issue 10: --keep GLOB, repeatable, never empty.
bad "invalid --keep: empty glob" --all --yes --keep ''
bad "invalid --keep: empty glob" --all --yes --keep 'x*' --keep ''
bad "--keep needs --all" --keep 'x*' "$seg"

# issue 9: an unknown user name takes getpwnam(3) to find: a runtime failure (was 2), still
# before anything is removed.
expect_error 1 "unknown user 'no-such-user'" "$SHMKIT" rm --all --yes --owner no-such-user
expect_eq "$(sysv_field "${seg#id:}" key) $(ls -A /dev/shm)" "225 keep" "untouched by an unknown user"
