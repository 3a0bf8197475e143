#!/usr/bin/env bash
# rm never touches POSIX semaphores (sem.*) or non-regular /dev/shm entries in bulk, even with
# --force; named, they are refused unless --force.
source "$(dirname "$0")/common.sh"

plant() {
  : >/dev/shm/sem.lock
  mkfifo /dev/shm/fifo
  ln -s target /dev/shm/link
  mkdir /dev/shm/dir
}
planted=$'dir\nfifo\nlink\nsem.lock'
plant
"$SHMKIT" create posix:/real --size 1 >/dev/null

# Bulk, with and without --force: only the real object goes.
expect_status 0 "$SHMKIT" rm --all --dry-run
expect_eq "$(cat "$TEST_TMP/out")" "posix:/real" "dry run selects only the object"
expect_status 0 "$SHMKIT" rm --all --yes --force -v
expect_eq "$(cat "$TEST_TMP/out")" "removed posix:/real" "bulk removal"
expect_eq "$(ls -A /dev/shm)" "$planted" "planted entries untouched"
expect_eq "$(stat -c %F /dev/shm/fifo /dev/shm/link /dev/shm/dir)" \
  $'fifo\nsymbolic link\ndirectory' "types unchanged"

# Named without --force: refused, exit 1, one line each.
expect_status 1 "$SHMKIT" rm posix:/sem.lock fifo /link posix:/dir
expect_eq "$(cat "$TEST_TMP/err")" \
  "shmkit: error: refusing to remove posix:/sem.lock: it is a POSIX semaphore (use --force)
shmkit: error: refusing to remove posix:/fifo: not a regular file (use --force)
shmkit: error: refusing to remove posix:/link: not a regular file (use --force)
shmkit: error: refusing to remove posix:/dir: not a regular file (use --force)" "refusals"
expect_eq "$(ls -A /dev/shm)" "$planted" "still untouched"

# Named with --force: semaphore, FIFO and symlink (not its target) go; a directory cannot.
touch "$TEST_TMP/target"
expect_status 1 "$SHMKIT" rm --force -v posix:/sem.lock fifo link dir
expect_eq "$(cat "$TEST_TMP/out")" $'removed posix:/sem.lock\nremoved posix:/fifo\nremoved posix:/link' \
  "forced removals"
expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: cannot remove posix:/dir: is a directory" "directory"
expect_eq "$(ls -A /dev/shm)" "dir" "only the directory is left"
