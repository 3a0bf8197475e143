#!/usr/bin/env bash
# As nobody, writing root's 0644 SysV segment or POSIX object fails with a clear message and
# status 1, and the contents are unchanged. The owner can write them.
source "$(dirname "$0")/common.sh"

id=$(ipcmk -M 4096 -p 0644 | awk '{ print $NF }')
on_exit "ipcrm -m $id"
head -c 4096 /dev/urandom | "$SHMKIT" write "id:$id"
head -c 4096 /dev/urandom >/dev/shm/pub
chmod 0644 /dev/shm/pub
sysv_before=$("$SHMKIT" read "id:$id" | sha256sum)
posix_before=$(sha256sum </dev/shm/pub)

expect_error 1 "cannot attach id:$id for writing: permission denied" \
  as_nobody "$SHMKIT" write "id:$id" --data x
expect_error 1 "cannot attach id:$id for writing: permission denied" \
  as_nobody "$SHMKIT" write "id:$id" --atomic --type u32 1
expect_error 1 "cannot open posix:/pub for writing: permission denied" \
  as_nobody "$SHMKIT" write posix:/pub --zero
# Data on stdin is not even read when the segment cannot be opened.
expect_error 1 "cannot open posix:/pub for writing: permission denied" \
  as_nobody "$SHMKIT" write posix:/pub </dev/zero
expect_eq "$("$SHMKIT" read "id:$id" | sha256sum)" "$sysv_before" "sysv segment unchanged"
expect_eq "$(sha256sum </dev/shm/pub)" "$posix_before" "posix object unchanged"
# Reading them is allowed.
expect_status 0 as_nobody "$SHMKIT" read "id:$id" --type u8

# Segments nobody owns (0600) are writable by nobody.
mine=$(as_nobody ipcmk -M 8 -p 0600 | awk '{ print $NF }')
on_exit "ipcrm -m $mine"
as_nobody "$SHMKIT" write "id:$mine" --type u64 123
expect_eq "$(as_nobody "$SHMKIT" read "id:$mine" --type u64)" 123 "nobody writes its own segment"
