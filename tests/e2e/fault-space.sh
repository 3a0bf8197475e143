#!/usr/bin/env bash
# Fault matrix (issue 13), family "space": the space for shared memory runs out. /dev/shm is a
# 1 MiB tmpfs (remounted in the test's private mount namespace), and kernel.shmmni and
# kernel.shmall are lowered in its private IPC namespace. Every case asserts: no signal and no
# hang (each call under timeout: 124 or >= 128 is a failure), the exit status with its exact
# one-line message, and the state afterwards (the files and their checksums, the listing).
source "$(dirname "$0")/common.sh"

sk() { timeout 20 "$SHMKIT" "$@"; }

# fault STATUS MESSAGE CMD...: CMD exits STATUS, prints nothing on stdout and exactly the one
# line "shmkit: error: MESSAGE" on stderr.
fault() {
  local want=$1 message=$2
  shift 2
  expect_status "$want" "$@"
  expect_eq "$(cat "$TEST_TMP/out")" "" "stdout of: $*"
  expect_eq "$(cat "$TEST_TMP/err")" "shmkit: error: $message" "stderr of: $*"
}

# state: every entry of /dev/shm with its size, allocated KiB and checksum, the SysV segments
# (key, size), and shmkit's listing of both.
state() {
  local f
  for f in /dev/shm/* /dev/shm/.[!.]*; do
    [[ -e $f ]] || continue
    printf '%s %s %s %s\n' "${f#/dev/shm/}" "$(stat -c %s "$f")" "$(du -k "$f" | cut -f1)" \
      "$(sha1sum <"$f" | cut -c1-40)"
  done
  awk 'NR > 1 { print "sysv", $1, $4 }' /proc/sysvipc/shm
  timeout 20 "$SHMKIT" ls --noheadings --raw -o SEGMENT,SIZE --bytes
}

mount -o remount,size=1m /dev/shm || skip "cannot resize the test's /dev/shm"
expect_eq "$(df -k --output=size /dev/shm | tail -n 1 | tr -d ' ')" 1024 "a 1 MiB /dev/shm"
head -c 2M /dev/urandom >"$TEST_TMP/2m"
head -c 700K "$TEST_TMP/2m" >"$TEST_TMP/700k"
head -c 64K "$TEST_TMP/2m" >"$TEST_TMP/64k"

# 1. create --allocate of 2 MiB: refused, and nothing is left behind.
fault 1 "cannot allocate posix:/big: no space left on device" \
  sk create posix:/big --size 2M --allocate
expect_eq "$(state)" "" "nothing left by create --allocate"

# 2. write --grow past the space, from a pipe (staged): the object keeps its size and bytes.
head -c 4K /dev/urandom >/dev/shm/a
before=$(state)
fault 1 "cannot write posix:/a: no space left on device" \
  sk write posix:/a --grow < <(cat "$TEST_TMP/2m")
expect_eq "$(state)" "$before" "write --grow of a pipe past the space"

# 3. write --grow past the space, from a regular file (streamed, not staged): the same. Before
#    the fix the first chunks were written before the space ran out: the old size came back,
#    but with new bytes in it. (issue 13 defect F1)
fault 1 "cannot write posix:/a: no space left on device" \
  sk write posix:/a --grow --file "$TEST_TMP/2m"
expect_eq "$(state)" "$before" "write --grow --file past the space"

# 4. A regular file written into a sparse object that the space left cannot fill: nothing is
#    written (before the fix: the first 256 KiB chunks were). (issue 13 defect F1)
sk create posix:/sparse --size 900K >/dev/null
head -c 400K /dev/zero >/dev/shm/filler # 620 KiB left
before=$(state)
fault 1 "cannot write posix:/sparse: no space left on device" \
  sk write posix:/sparse --file "$TEST_TMP/700k"
expect_eq "$(state)" "$before" "write --file into a sparse object"
# 5. ... and from a pipe.
fault 1 "cannot write posix:/sparse: no space left on device" \
  sk write posix:/sparse < <(cat "$TEST_TMP/700k")
expect_eq "$(state)" "$before" "write of a pipe into a sparse object"

# Now fill the space completely: writes into the holes of the sparse object need pages.
cat /dev/zero >>/dev/shm/filler 2>/dev/null || true
expect_eq "$(df -k --output=avail /dev/shm | tail -n 1 | tr -d ' ')" 0 "/dev/shm is full"
before=$(state)

# 6. write --data into a hole: ENOSPC, never SIGBUS.
fault 1 "cannot write posix:/sparse: no space left on device" \
  sk write posix:/sparse --offset 600K --data hello
# 7. write --type --atomic into a hole stores through a mapping: before the fix its SIGBUS was
#    reported as "it was truncated meanwhile, or its filesystem is full". (issue 13 defect F2)
fault 1 "cannot write posix:/sparse: no space left on device" \
  sk write posix:/sparse --offset 700K --type u32 --atomic 5
# 8. write --fill into the holes.
fault 1 "cannot write posix:/sparse: no space left on device" \
  sk write posix:/sparse --fill 0xff --length 4K
expect_eq "$(state)" "$before" "failed writes into holes"

# 9. read of the sparse object still works (holes read as zeros, no page is allocated).
expect_status 0 sk read posix:/sparse
expect_eq "$(sha1sum <"$TEST_TMP/out")" "$(head -c 900K /dev/zero | sha1sum)" "read of holes"
# 10. watch of it too: its snapshot reads the holes without a fault.
expect_status 124 sk watch posix:/sparse --interval 50ms --timeout 300ms --json
expect_eq "$(jq -r .event "$TEST_TMP/out")" timeout "watch of a sparse object on a full tmpfs"
expect_eq "$(cat "$TEST_TMP/err")" "" "watch stderr"

# 11. attach --prefault and 12. attach --lock fault every page in: a read fault on a hole of a
#     tmpfs object needs a page. Before the fix the first said SIGBUS, "it shrank, or its
#     filesystem is full", and the second blamed RLIMIT_MEMLOCK. (issue 13 defect F3)
holes=$((900 * 1024 - $(du -k /dev/shm/sparse | cut -f1) * 1024))
fault 1 "cannot fault in posix:/sparse: its filesystem has no space left for the pages of its holes ($holes bytes needed, 0 free)" \
  sk attach posix:/sparse --prefault --timeout 5s
fault 1 "cannot lock posix:/sparse: its filesystem has no space left for the pages of its holes ($holes bytes needed, 0 free)" \
  sk attach posix:/sparse --lock --timeout 5s # (900 KiB: within the default RLIMIT_MEMLOCK)
expect_eq "$(state)" "$before" "attach left everything as it was"

# 13. create --from a regular file and 14. create --from a pipe: no space for the contents,
#     and no empty object left behind under the name.
fault 1 "cannot write posix:/c: no space left on device" sk create posix:/c --from "$TEST_TMP/64k"
fault 1 "cannot write posix:/c: no space left on device" \
  sk create posix:/c --size 64K --from - < <(cat "$TEST_TMP/64k")
expect_eq "$(state)" "$before" "failed create --from left nothing"

# 15. SHMMNI reached: the next create is refused, naming the limit; nothing else changes.
echo 2 >/proc/sys/kernel/shmmni || skip "cannot lower kernel.shmmni in the IPC namespace"
sk create key:0x11 --size 4K >/dev/null
sk create key:0x12 --size 4K >/dev/null
before=$(state)
fault 1 "cannot create key:0x00000013: the limit of 2 segments (kernel.shmmni) is reached" \
  sk create key:0x13 --size 4K
# 16. ... also for key:private, which needs no free key, only a free slot.
fault 1 "cannot create key:private: the limit of 2 segments (kernel.shmmni) is reached" \
  sk create key:private --size 4K
expect_eq "$(state)" "$before" "nothing created over SHMMNI"

# 17. SHMALL reached: 4 pages in all, 2 in use.
echo 4096 >/proc/sys/kernel/shmmni
echo 4 >/proc/sys/kernel/shmall
fault 1 "cannot create key:0x00000014: 3 more pages would exceed kernel.shmall (4 pages of 4096 bytes, 2 in use)" \
  sk create key:0x14 --size 12K
# 18. ... and what still fits is made.
expect_status 0 sk create key:0x15 --size 8K
expect_eq "$(awk 'NR > 1 { print $1, $4 }' /proc/sysvipc/shm | sort)" \
  "$(printf '%s\n' '17 4096' '18 4096' '21 8192')" "segments after SHMALL"
