#!/usr/bin/env bash
# memfd objects (issue 11): a Python counter (os.memfd_create + mmap) and a C program that seals
# its memfd and passes it over a Unix socket (SCM_RIGHTS) to a second process. `ls --type
# memfd` lists each object once, with every holder and its seals; read, watch and write reach
# them through memfd:PID:FD; a sealed object refuses writes and stays unchanged; rm refuses.
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v python3 >/dev/null || skip "no python3"

cat >"$TEST_TMP/sealer.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
/* sealer READY: makes memfd "sealed-ring" (4096 bytes, starting "hello"), seals it against
   writing, growing and shrinking, and passes it to a child over a Unix socket (SCM_RIGHTS).
   Writes "PARENT_PID PARENT_FD CHILD_PID CHILD_FD" to READY once both hold it; then waits. */
int main(int argc, char **argv) {
  int fd = memfd_create("sealed-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0 || ftruncate(fd, 4096) != 0 || pwrite(fd, "hello", 5, 0) != 5) { perror("memfd"); return 1; }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) != 0) { perror("seal"); return 1; }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return 1; }
  pid_t child = fork();
  if (child == 0) {
    close(fd); /* the child holds only what it receives */
    char byte;
    struct iovec iov = {&byte, 1};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {0};
    msg.msg_iov = &iov; msg.msg_iovlen = 1;
    msg.msg_control = control; msg.msg_controllen = sizeof control;
    if (recvmsg(sv[1], &msg, 0) != 1) { perror("recvmsg"); return 1; }
    int got;
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof got);
    if (write(sv[1], &got, sizeof got) != sizeof got) return 1;
    for (;;) pause();
  }
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct msghdr msg = {0};
  msg.msg_iov = &iov; msg.msg_iovlen = 1;
  msg.msg_control = control; msg.msg_controllen = sizeof control;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  if (sendmsg(sv[0], &msg, 0) != 1) { perror("sendmsg"); return 1; }
  int child_fd;
  if (read(sv[0], &child_fd, sizeof child_fd) != sizeof child_fd) return 1;
  FILE *ready = fopen(argv[1], "w");
  fprintf(ready, "%d %d %d %d\n", (int)getpid(), fd, (int)child, child_fd);
  fclose(ready);
  for (;;) pause();
}
C
cc -O2 -o "$TEST_TMP/sealer" "$TEST_TMP/sealer.c"

# The counter: a native u64 incremented every 50 ms through a shared mapping; made without
# MFD_ALLOW_SEALING, so the kernel shows it sealed against further seals (seal-seal).
cat >"$TEST_TMP/counter.py" <<'PY'
import mmap, os, struct, sys, time
fd = os.memfd_create("counter")
os.ftruncate(fd, 8192)
m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
with open(sys.argv[1] + ".tmp", "w") as ready:
    ready.write(f"{os.getpid()} {fd}\n")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
i = 0
while True:
    m[0:8] = struct.pack("=Q", i)
    i += 1
    time.sleep(0.05)
PY

wait_file() {
  local i
  for ((i = 0; i < 500; i++)); do
    [[ -s $1 ]] && return 0
    sleep 0.02
  done
  fail "$1 never appeared"
}

"$TEST_TMP/sealer" "$TEST_TMP/sealer.ready" &
sealer=$!
on_exit "kill $sealer"
python3 "$TEST_TMP/counter.py" "$TEST_TMP/counter.ready" &
counter=$!
on_exit "kill $counter"
wait_file "$TEST_TMP/sealer.ready"
wait_file "$TEST_TMP/counter.ready"
read -r parent parent_fd child child_fd <"$TEST_TMP/sealer.ready"
on_exit "kill $child"
read -r py py_fd <"$TEST_TMP/counter.ready"
[[ $child_fd != "$parent_fd" || $child != "$parent" ]] || fail "the child got no fd of its own"

# 1. Not listed by default; listed once per object with --type memfd, with both holders.
expect_status 0 "$SHMKIT" ls --noheadings -o SEGMENT,TYPE
[[ $(cat "$TEST_TMP/out") != *memfd* ]] || fail "plain ls listed memfd objects: $(cat "$TEST_TMP/out")"
expect_status 0 "$SHMKIT" ls --type memfd --noheadings -o SEGMENT,TYPE,NAME,SIZE,PERMS,PIDS,STATUS
[[ ! -s $TEST_TMP/err ]] || fail "ls warned: $(cat "$TEST_TMP/err")"
expected=$(printf '%s\n' \
  "memfd:$py:$py_fd memfd counter 8K rwxrwxrwx ${py}mwf seal-seal" \
  "memfd:$parent:$parent_fd memfd sealed-ring 4K rwxrwxrwx ${parent}f,${child}f seal-shrink,seal-grow,seal-write")
actual=$(tr -s ' ' <"$TEST_TMP/out" | sed 's/ $//')
expect_eq "$actual" "$expected" "ls --type memfd"

# The canonical address is accepted back; another holder's address names the same row.
expect_status 0 "$SHMKIT" ls --noheadings -o SEGMENT,PIDS "memfd:$child:$child_fd"
expect_eq "$(tr -s ' ' <"$TEST_TMP/out" | sed 's/ $//')" "memfd:$parent:$parent_fd ${parent}f,${child}f" \
  "ls of the child's address"

# RSS and SWAP are measured through the holder's fd: one page was written ("hello"), none is in
# swap (SWAP is unknown, -, on a kernel without cachestat(2)).
expect_status 0 "$SHMKIT" ls --noheadings --bytes -o RSS,SWAP "memfd:$parent:$parent_fd"
memory=$(tr -s ' ' <"$TEST_TMP/out" | sed 's/^ //; s/ $//')
[[ $memory == "4096 0" || $memory == "4096 -" ]] || fail "RSS SWAP of the sealed memfd: '$memory'"

# JSON: typed fields, seals as STATUS words, both holders.
expect_status 0 "$SHMKIT" ls --type memfd --json -o SEGMENT,TYPE,NAME,SIZE,ALLOC,UID,PIDS,STATUS
json=$(cat "$TEST_TMP/out")
python3 - "$json" "$parent" "$parent_fd" "$child" "$py" "$py_fd" <<'PY'
import json, sys
doc, parent, parent_fd, child, py, py_fd = sys.argv[1], *map(int, sys.argv[2:])
rows = json.loads(doc)
rows = rows["segments"] if isinstance(rows, dict) else rows
by_name = {r["name"]: r for r in rows}
assert sorted(by_name) == ["counter", "sealed-ring"], by_name
ring = by_name["sealed-ring"]
assert ring["segment"] == f"memfd:{parent}:{parent_fd}", ring
assert ring["type"] == "memfd" and ring["size"] == 4096 and ring["uid"] == 0, ring
assert isinstance(ring["alloc"], int), ring
assert ring["status"] == ["seal-shrink", "seal-grow", "seal-write"], ring
assert sorted(p["pid"] for p in ring["pids"]) == [parent, child], ring
counter = by_name["counter"]
assert counter["segment"] == f"memfd:{py}:{py_fd}" and counter["status"] == ["seal-seal"], counter
assert counter["size"] == 8192, counter
PY

# 2. read --type u64 sees the counter increase; watch --until stops on it.
expect_status 0 "$SHMKIT" read "memfd:$py:$py_fd" --type u64
first=$(cat "$TEST_TMP/out")
sleep 0.2
expect_status 0 "$SHMKIT" read "memfd:$py:$py_fd" --type u64
second=$(cat "$TEST_TMP/out")
((second > first)) || fail "counter did not increase: $first then $second"
target=$((second + 5))
expect_status 0 "$SHMKIT" watch "memfd:$py:$py_fd" --type u64 --interval 20ms --until "$target" --timeout 20s
last=$(tail -n 1 "$TEST_TMP/out")
[[ $last == *"new=$target" ]] || fail "watch --until ended on: $last"

# write works on the unsealed counter (seal-seal only forbids more seals): the next value is
# written where the Python process reads it back (it keeps counting on from it).
expect_status 0 "$SHMKIT" write "memfd:$py:$py_fd" --offset 4096 --data marker
expect_eq "$(python3 -c 'import sys; print(open(f"/proc/{sys.argv[1]}/fd/{sys.argv[2]}", "rb").read()[4096:4102].decode())' "$py" "$py_fd")" \
  marker "bytes written into the counter's memfd"

# 3. The sealed object refuses writes (plain, typed, atomic, --grow) and stays unchanged.
before=$(od -An -tx1 -N 4096 "/proc/$parent/fd/$parent_fd" | tr -d ' \n')
expect_error 1 "cannot open memfd:$child:$child_fd for writing: it is sealed against writing (seal-write)" \
  "$SHMKIT" write "memfd:$child:$child_fd" --data bye
expect_error 1 "it is sealed against writing (seal-write)" \
  "$SHMKIT" write "memfd:$parent:$parent_fd" --type u32 --add 1
expect_error 1 "it is sealed against writing (seal-write)" \
  "$SHMKIT" write "memfd:$parent:$parent_fd" --offset 4096 --grow --data more
expect_error 1 "it is sealed against writing (seal-write)" \
  "$SHMKIT" attach "memfd:$parent:$parent_fd" --timeout 1s
after=$(od -An -tx1 -N 4096 "/proc/$parent/fd/$parent_fd" | tr -d ' \n')
expect_eq "$after" "$before" "sealed object unchanged"
expect_eq "$(stat -L -c %s "/proc/$parent/fd/$parent_fd")" 4096 "sealed object's size"
expect_status 0 "$SHMKIT" read "memfd:$parent:$parent_fd" --length 5 --format raw
expect_eq "$(cat "$TEST_TMP/out")" hello "read of the sealed object"

# 4. rm refuses (status 1, object still held); rm --all never takes the kind; create refuses.
expect_error 1 "cannot remove memfd:$parent:$parent_fd: memfd objects cannot be unlinked" \
  "$SHMKIT" rm "memfd:$child:$child_fd"
expect_error 1 "memfd objects cannot be unlinked" \
  "$SHMKIT" rm --force --dry-run "memfd:$parent:$parent_fd"
expect_error 2 "--type memfd cannot be used with --all: memfd objects cannot be removed" \
  "$SHMKIT" rm --all --type memfd -y
expect_error 2 "cannot create memfd:1:3: memfd objects are made by the process that holds them" \
  "$SHMKIT" create memfd:1:3 --size 4K
expect_status 0 "$SHMKIT" ls --type memfd --noheadings -o SEGMENT
expect_eq "$(wc -l <"$TEST_TMP/out")" 2 "both objects still listed"

# 5. When the parent closes its fd (exits), the child becomes the canonical holder.
kill "$parent"
exits_within "$parent" 5 || fail "sealer did not exit"
expect_status 0 "$SHMKIT" ls --type memfd --noheadings -o SEGMENT,NAME,PIDS
expect_eq "$(tr -s ' ' <"$TEST_TMP/out" | sed 's/ $//')" "$(printf '%s\n' \
  "memfd:$py:$py_fd counter ${py}mwf" "memfd:$child:$child_fd sealed-ring ${child}f")" \
  "ls after the parent exited"

# 6. A memfd only mapped (its fd closed after mmap) is still listed, from /proc/PID/maps and
# /proc/PID/map_files (root here): PIDS m without f, and no address (SEGMENT -, JSON null).
cat >"$TEST_TMP/maponly.c" <<'C'
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fd = memfd_create("map-only", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 8192) != 0) { perror("memfd"); return 1; }
  char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  close(fd);
  p[0] = 'a';
  FILE *ready = fopen(argv[1], "w");
  fprintf(ready, "%d\n", (int)getpid());
  fclose(ready);
  for (;;) pause();
}
C
cc -O2 -o "$TEST_TMP/maponly" "$TEST_TMP/maponly.c"
"$TEST_TMP/maponly" "$TEST_TMP/maponly.ready" &
maponly=$!
on_exit "kill $maponly"
wait_file "$TEST_TMP/maponly.ready"
expect_status 0 "$SHMKIT" ls --type memfd --noheadings -o SEGMENT,NAME,SIZE,PIDS
expect_eq "$(tr -s ' ' <"$TEST_TMP/out" | sed 's/ $//')" "$(printf '%s\n' \
  "memfd:$py:$py_fd counter 8K ${py}mwf" "- map-only 8K ${maponly}mw" \
  "memfd:$child:$child_fd sealed-ring 4K ${child}f")" "ls with an object only mapped"
expect_status 0 "$SHMKIT" ls --type memfd --json -o SEGMENT,NAME
[[ $(cat "$TEST_TMP/out") == *'{"segment": null, "name": "map-only"}'* ]] ||
  fail "JSON of the object only mapped: $(cat "$TEST_TMP/out")"
