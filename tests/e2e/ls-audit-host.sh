#!/usr/bin/env bash
# ls --audit, the findings about the host, each triggered in the test's private mount and IPC
# namespaces: /dev/shm mounted without nosuid, nodev or noexec (from /proc/self/mountinfo),
# /dev/shm more than 90% full, SHMMNI and SHMALL more than 90% used, kernel.shm_rmid_forced=1
# with long-lived SysV segments, systemd-logind's RemoveIPC=yes (default or set, through a
# fixture root) while non-system users own segments. Exit 1 only for warnings and above.
source "$(dirname "$0")/common.sh"

umask 077 # objects readable by others would be findings of their own
root=$TEST_TMP/root
export SHMKIT_AUDIT_ROOT=$root
mkdir -p "$root/etc/systemd"
printf '[Login]\nRemoveIPC=no\n' >"$root/etc/systemd/logind.conf"
echo 0 >/proc/sys/kernel/shm_rmid_forced

# ids: the finding ids of the last run, one line.
ids() { awk '{ print $3 }' "$TEST_TMP/out" | paste -sd' '; }

# Mount options. common.sh mounts a plain tmpfs: all three are missing.
mount -o remount,suid,dev,exec /dev/shm
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(cat "$TEST_TMP/out")" "/dev/shm warning devshm-nosuid mounted without nosuid: set-uid programs placed there run with their owner's rights
/dev/shm warning devshm-nodev mounted without nodev: device files placed there give access to devices
/dev/shm info devshm-noexec mounted without noexec: programs placed there can be run" "mount options"
# Only noexec missing (what systemd itself mounts): an info finding, exit 0.
mount -o remount,nosuid,nodev,exec /dev/shm
expect_status 0 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(ids)" "devshm-noexec" "noexec is info"
mount -o remount,nosuid,nodev,noexec /dev/shm
expect_status 0 "$SHMKIT" ls --audit
expect_eq "$(cat "$TEST_TMP/out")" "" "clean"

# /dev/shm more than 90% full: a small tmpfs over it, filled.
mount -t tmpfs -o size=1m,nosuid,nodev,noexec shmkit-small /dev/shm
head -c 900K /dev/zero >/dev/shm/fill
expect_status 0 "$SHMKIT" ls --audit # 87.9%: not yet
head -c 60K /dev/zero >/dev/shm/more
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(cat "$TEST_TMP/out")" \
  "/dev/shm warning devshm-full 93.8% full (983040 of 1048576 bytes used)" "full"
umount /dev/shm

# SHMMNI and SHMALL more than 90% used (per IPC namespace: only ours changes).
segs=()
for key in 0x4101 0x4102; do
  segs+=("$(python3 -c "
import ctypes; libc = ctypes.CDLL(None)
print(libc.shmget($key, 8192, 0o1000 | 0o600))")")
done
on_exit "ipcrm -m ${segs[0]} -m ${segs[1]}"
expect_status 0 "$SHMKIT" ls --audit
echo 2 >/proc/sys/kernel/shmmni
echo 5 >/proc/sys/kernel/shmall
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(cat "$TEST_TMP/out")" "kernel.shmmni warning shmmni-high 100.0% of SHMMNI used (2 of 2 segments)" "shmmni"
echo 4 >/proc/sys/kernel/shmall
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(ids)" "shmmni-high shmall-high" "shmall"
grep -q '^kernel.shmall warning shmall-high 100.0% of SHMALL used (4 of 4 pages)$' \
  "$TEST_TMP/out" || fail "shmall message: $(cat "$TEST_TMP/out")"
echo 4096 >/proc/sys/kernel/shmmni
echo 1000000 >/proc/sys/kernel/shmall
ipcrm -m "${segs[0]}" -m "${segs[1]}"

# kernel.shm_rmid_forced=1 while a SysV segment older than --grace exists. Its creator stays
# alive: setting the sysctl destroys segments whose creator is gone.
python3 -c '
import ctypes, sys, time; libc = ctypes.CDLL(None)
print(libc.shmget(0x4201, 4096, 0o1000 | 0o600), flush=True); time.sleep(60)' >"$TEST_TMP/id" &
creator=$!
on_exit "kill $creator"
for _ in $(seq 100); do [[ -s $TEST_TMP/id ]] && break; sleep 0.05; done
id=$(cat "$TEST_TMP/id")
on_exit "ipcrm -m $id"
echo 1 >/proc/sys/kernel/shm_rmid_forced
expect_status 0 "$SHMKIT" ls --audit # younger than the default grace, 1h
sleep 1.2
expect_status 1 "$SHMKIT" ls --audit --grace 0s --raw --noheadings
expect_eq "$(cat "$TEST_TMP/out")" "kernel.shm_rmid_forced warning shm-rmid-forced is 1 while 1 SysV segment(s) older than 0s exist: each is destroyed once unattached after its creator exits" "rmid forced"
echo 0 >/proc/sys/kernel/shm_rmid_forced
expect_status 0 "$SHMKIT" ls --audit --grace 0s
kill "$creator"
wait "$creator" 2>/dev/null || true
ipcrm -m "$id"

# systemd-logind RemoveIPC: a segment of a non-system user (uid 1000 > SYS_UID_MAX, 999 by
# default) is removed at that user's logout.
head -c 10 /dev/zero >/dev/shm/user
chmod 600 /dev/shm/user
chown 1000 /dev/shm/user
user=$(getent passwd 1000 | cut -d: -f1)
user=${user:-1000}
expect_status 0 "$SHMKIT" ls --audit # RemoveIPC=no in logind.conf
# A drop-in turns it on.
mkdir -p "$root/usr/lib/systemd/logind.conf.d"
printf '[Login]\nRemoveIPC=yes\n' >"$root/usr/lib/systemd/logind.conf.d/50-ipc.conf"
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(cat "$TEST_TMP/out")" "systemd-logind warning logind-remove-ipc RemoveIPC=yes ($root/usr/lib/systemd/logind.conf.d/50-ipc.conf) removes the 1 segment(s) of non-system users ($user) when they log out" "RemoveIPC drop-in"
# The default when nothing sets it is yes.
rm -r "$root/usr/lib/systemd/logind.conf.d"
printf '[Login]\n#RemoveIPC=no\n' >"$root/etc/systemd/logind.conf"
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(ids)" "logind-remove-ipc" "RemoveIPC default"
grep -q 'RemoveIPC=yes (the default)' "$TEST_TMP/out" || fail "default: $(cat "$TEST_TMP/out")"
# A login.defs that makes uid 1000 a system user: no finding.
printf 'SYS_UID_MAX 1000\n' >"$root/etc/login.defs"
expect_status 0 "$SHMKIT" ls --audit
# No logind at all under the root: no finding.
rm -r "${root:?}/etc"
expect_status 0 "$SHMKIT" ls --audit
expect_eq "$(cat "$TEST_TMP/out")" "" "no logind"
