#!/usr/bin/env bash
# memfd: addresses that are wrong (issue 11, bad input): a one-line error, the documented
# status, nothing changed. Malformed forms are usage errors (2); a process that does not
# exist, an fd it does not have, an fd that is no memfd, a holder that exits mid-watch and a
# caller without ptrace access are runtime failures (1).
source "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "no python3"

# 1. Malformed addresses: status 2, before any system call, for every subcommand.
for sub in read ls watch attach rm; do
  expect_error 2 "invalid address 'memfd:': missing PID (use memfd:PID:FD)" "$SHMKIT" "$sub" memfd:
  expect_error 2 "invalid address 'memfd:12': missing FD (use memfd:PID:FD)" "$SHMKIT" "$sub" memfd:12
  expect_error 2 "invalid address 'memfd:12:': missing FD (use memfd:PID:FD)" "$SHMKIT" "$sub" memfd:12:
done
expect_error 2 "invalid address 'memfd:12:x': FD is not a decimal number" "$SHMKIT" read memfd:12:x
expect_error 2 "invalid address 'memfd:abc:3': PID is not a decimal number" "$SHMKIT" read memfd:abc:3
expect_error 2 "invalid address 'memfd:0:3': PID 0 is no process" "$SHMKIT" read memfd:0:3
expect_error 2 "invalid address 'memfd:1:2:3': too many parts" "$SHMKIT" write memfd:1:2:3 --data x
expect_error 2 "invalid memfd fd '99999999999': larger than 2147483647" "$SHMKIT" read memfd:1:99999999999
expect_error 2 "invalid address 'memfd:1:\\x1b]0;x': FD is not a decimal number" \
  "$SHMKIT" read $'memfd:1:\e]0;x'
expect_error 2 "unknown type 'memfdx'" "$SHMKIT" ls --type memfdx

# A holder with a memfd (fd 3 in its ready file), a regular file, a pipe and a socket.
cat >"$TEST_TMP/holder.py" <<'PY'
import fcntl, os, socket, sys, time
fd = os.memfd_create("held", os.MFD_ALLOW_SEALING)
os.ftruncate(fd, 64)
os.pwrite(fd, b"\x2a" + b"\0" * 7, 0)
f = open(sys.argv[2], "w")
r, w = os.pipe()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
g = os.memfd_create("no-grow", os.MFD_ALLOW_SEALING)
os.ftruncate(g, 16)
fcntl.fcntl(g, fcntl.F_ADD_SEALS, fcntl.F_SEAL_GROW)
with open(sys.argv[1] + ".tmp", "w") as ready:
    ready.write(f"{os.getpid()} {fd} {f.fileno()} {r} {s.fileno()} {g}\n")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(1)
PY
python3 "$TEST_TMP/holder.py" "$TEST_TMP/ready" "$TEST_TMP/plain file" &
holder=$!
on_exit "kill $holder"
for ((i = 0; i < 500; i++)); do [[ -s $TEST_TMP/ready ]] && break; sleep 0.02; done
read -r pid mfd file_fd pipe_fd sock_fd grow_fd <"$TEST_TMP/ready"

# 2. Runtime failures: status 1, one line, naming what is wrong.
expect_error 1 "memfd:$pid:$file_fd is not a memfd (fd $file_fd of pid $pid is $TEST_TMP/plain\\x20file)" \
  "$SHMKIT" read "memfd:$pid:$file_fd"
expect_error 1 "memfd:$pid:$pipe_fd is not a memfd (fd $pipe_fd of pid $pid is pipe:[" \
  "$SHMKIT" watch "memfd:$pid:$pipe_fd" --type u8 --timeout 1s
expect_error 1 "memfd:$pid:$sock_fd is not a memfd (fd $sock_fd of pid $pid is socket:[" \
  "$SHMKIT" write "memfd:$pid:$sock_fd" --data x
expect_error 1 "cannot open memfd:$pid:250: pid $pid has no fd 250" "$SHMKIT" read "memfd:$pid:250"
expect_error 1 "cannot open memfd:99999:3: no such process 99999" "$SHMKIT" read memfd:99999:3
expect_error 1 "cannot open memfd:99999:3: no such process 99999" "$SHMKIT" ls memfd:99999:3
expect_eq "$(cat "$TEST_TMP/plain file")" "" "the regular file was not written"

# Sealed against growing only: writes inside it work, --grow past its end is refused.
expect_status 0 "$SHMKIT" write "memfd:$pid:$grow_fd" --offset 8 --data 12345678
expect_error 1 "cannot grow memfd:$pid:$grow_fd: it is sealed against growing (seal-grow)" \
  "$SHMKIT" write "memfd:$pid:$grow_fd" --offset 12 --grow --data 12345678
expect_eq "$(stat -L -c %s "/proc/$pid/fd/$grow_fd")" 16 "no-grow's size"
expect_eq "$(tail -c 8 "/proc/$pid/fd/$grow_fd")" 12345678 "no-grow's bytes"
expect_status 0 "$SHMKIT" ls --type memfd --noheadings -o NAME,STATUS
expect_eq "$(tr -s ' ' <"$TEST_TMP/out" | sed 's/ $//')" "$(printf '%s\n' 'held -' 'no-grow seal-grow')" \
  "seals of the holder's memfds"

# 3. As nobody, root's memfd: the missing ptrace access is named; nothing is written.
expect_error 1 "cannot open memfd:$pid:$mfd: permission denied: the fds of pid $pid can be opened only with ptrace access to it (the same user, or CAP_SYS_PTRACE)" \
  as_nobody "$SHMKIT" read "memfd:$pid:$mfd" --type u8
expect_error 1 "only with ptrace access to it (the same user, or CAP_SYS_PTRACE)" \
  as_nobody "$SHMKIT" write "memfd:$pid:$mfd" --type u8 7
expect_error 1 "only with ptrace access to it (the same user, or CAP_SYS_PTRACE)" \
  as_nobody "$SHMKIT" watch "memfd:$pid:$mfd" --type u8 --timeout 1s
# Listing as nobody: root's processes are counted, never silently dropped; status 0.
expect_status 0 as_nobody "$SHMKIT" ls --type memfd --noheadings
[[ ! -s $TEST_TMP/out ]] || fail "nobody listed root's memfd: $(cat "$TEST_TMP/out")"
[[ $(cat "$TEST_TMP/err") == "shmkit: warning: the fds of "*" could not be read: memfd objects only they hold are missing (reading them needs the same user, or CAP_SYS_PTRACE)" ]] ||
  fail "nobody's warning: $(cat "$TEST_TMP/err")"
expect_status 0 "$SHMKIT" read "memfd:$pid:$mfd" --type u8 --count 1
expect_eq "$(cat "$TEST_TMP/out")" 42 "the memfd is unchanged"

# 4. The holder exits while watch runs: the removed event, status 1 (shmkit-watch(1)).
"$SHMKIT" watch "memfd:$pid:$mfd" --type u8 --interval 20ms --timeout 30s \
  >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.err" &
watcher=$!
on_exit "kill $watcher"
wait_watching "$watcher" "/memfd:held (deleted)"
kill "$holder"
status=0
wait "$watcher" || status=$?
expect_eq "$status" 1 "watch status when the holder exits"
[[ $(cat "$TEST_TMP/watch.out") == *" removed offset=0 length=1" ]] ||
  fail "watch output: $(cat "$TEST_TMP/watch.out")"
expect_eq "$(cat "$TEST_TMP/watch.err")" "shmkit: error: memfd:$pid:$mfd was removed" "watch's error"
# The process is gone now: its address names nothing.
expect_error 1 "cannot open memfd:$pid:$mfd: no such process $pid" "$SHMKIT" read "memfd:$pid:$mfd"
