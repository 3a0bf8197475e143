#!/usr/bin/env bash
# When the kernel refuses a SysV segment, the message names the limit that was hit and its
# current value (issue 8 defect 16): kernel.shmmni, kernel.shmall, free huge pages, and the
# largest size a shmem file can have. Status 1, nothing created. The limits are lowered in the
# test's own IPC namespace only.
source "$(dirname "$0")/common.sh"

count() { awk 'NR > 1' /proc/sysvipc/shm | wc -l; }

# issue 8 defect 16: 8 EiB is within SHMMAX but beyond MAX_LFS_FILESIZE.
expect_error 1 "cannot create key:0x00000001: size 9223372036854775808 exceeds the largest shared memory file the kernel can make (9223372036854775807 bytes)" \
  "$SHMKIT" create key:1 -s 8E
# Above kernel.shmmax (lowered here).
shmmax=$(cat /proc/sys/kernel/shmmax)
if echo 1048576 >/proc/sys/kernel/shmmax 2>/dev/null; then
  expect_error 1 "cannot create key:0x00000001: size 2097152 exceeds kernel.shmmax (1048576 bytes)" \
    "$SHMKIT" create key:1 -s 2M
  echo "$shmmax" >/proc/sys/kernel/shmmax
fi

# Huge pages: only meaningful where none are free.
free=$(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo)
if [[ ${free:-1} == 0 ]]; then
  nr=$(cat /proc/sys/vm/nr_hugepages)
  hp=$(awk '$1 == "Hugepagesize:" { print $2 }' /proc/meminfo)
  expect_error 1 "cannot create key:0x00000002: not enough free huge pages for 2097152 bytes (vm.nr_hugepages = $nr, HugePages_Free = 0, Hugepagesize = $hp kB)" \
    "$SHMKIT" create key:2 -s 2M --hugetlb
fi
expect_eq "$(count)" 0 "nothing created"

if echo 2 >/proc/sys/kernel/shmmni 2>/dev/null; then
  "$SHMKIT" create key:3 -s 1 >/dev/null
  "$SHMKIT" create key:4 -s 1 >/dev/null
  expect_error 1 "cannot create key:0x00000005: the limit of 2 segments (kernel.shmmni) is reached" \
    "$SHMKIT" create key:5 -s 1
  echo 4096 >/proc/sys/kernel/shmmni
  echo 4 >/proc/sys/kernel/shmall
  expect_error 1 "cannot create key:0x00000006: 3 more pages would exceed kernel.shmall (4 pages of 4096 bytes, 2 in use)" \
    "$SHMKIT" create key:6 -s 12K
  expect_eq "$(count)" 2 "nothing more created"
else
  echo "note: cannot lower kernel.shmmni here; SHMMNI/SHMALL cases not run" >&2
fi
