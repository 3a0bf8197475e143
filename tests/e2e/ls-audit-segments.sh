#!/usr/bin/env bash
# ls --audit, the findings about segments: world-writable (SysV and POSIX, the CVE-2026-34352
# class), world-readable-system, owner-unknown, orphaned; a clean namespace gives no finding and
# exit 0; info findings alone exit 0; --json is an array of typed findings.
source "$(dirname "$0")/common.sh"

# The host is made clean so only segment findings remain: /dev/shm with every option, and a
# fixture root whose logind keeps IPC (SHMKIT_AUDIT_ROOT, shmkit-ls(1) ENVIRONMENT).
mount -o remount,nosuid,nodev,noexec /dev/shm
echo 0 >/proc/sys/kernel/shm_rmid_forced
export SHMKIT_AUDIT_ROOT=$TEST_TMP/root
mkdir -p "$SHMKIT_AUDIT_ROOT/etc/systemd"
printf '[Login]\nRemoveIPC=no\n' >"$SHMKIT_AUDIT_ROOT/etc/systemd/logind.conf"

# A clean namespace: no segment, no finding, no output, exit 0.
expect_status 0 "$SHMKIT" ls --audit
expect_eq "$(cat "$TEST_TMP/out")" "" "clean: nothing printed"
expect_status 0 "$SHMKIT" ls --audit --json
expect_eq "$(cat "$TEST_TMP/out")" '{"findings": []}' "clean: JSON"
# Private segments of live and recent objects are no finding either.
head -c 4096 /dev/zero >/dev/shm/private
chmod 600 /dev/shm/private
expect_status 0 "$SHMKIT" ls --audit

# world-writable: a SysV segment at 0666 (as TigerVNC's framebuffer) and a POSIX object.
id=$(python3 -c '
import ctypes; libc = ctypes.CDLL(None)
print(libc.shmget(0x7777, 4096, 0o1000 | 0o666))')
on_exit "ipcrm -m $id"
head -c 10 /dev/zero >/dev/shm/open
chmod 666 /dev/shm/open
# world-readable-system: root's object readable by anyone.
head -c 10 /dev/zero >/dev/shm/rootread
chmod 644 /dev/shm/rootread
# owner-unknown: a uid with no passwd entry.
ghost=4242
while getent passwd "$ghost" >/dev/null; do ghost=$((ghost + 1)); done
head -c 10 /dev/zero >/dev/shm/ghost
chmod 600 /dev/shm/ghost
chown "$ghost" /dev/shm/ghost
# A user's readable object is no finding (only system users' are).
head -c 10 /dev/zero >/dev/shm/userread
chmod 644 /dev/shm/userread
chown 65534 /dev/shm/userread
expect_status 1 "$SHMKIT" ls --audit --raw --noheadings
expect_eq "$(cat "$TEST_TMP/out")" "id:$id critical world-writable mode 0666: any local user can change its contents
posix:/ghost warning owner-unknown owner uid $ghost has no passwd entry
posix:/open critical world-writable mode 0666: any local user can change its contents
posix:/rootread warning world-readable-system mode 0644, owned by system user root: any local user can read it" \
  "segment findings"

# JSON: one object per finding, typed.
expect_status 1 "$SHMKIT" ls --audit --json
python3 - "$TEST_TMP/out" "$id" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert [x["id"] for x in f] == ["world-writable", "owner-unknown", "world-writable",
                                "world-readable-system"], f
assert f[0] == {"subject": "id:" + sys.argv[2], "severity": "critical", "id": "world-writable",
                "message": "mode 0666: any local user can change its contents"}, f[0]
PY
# The table has a header by default.
expect_status 1 "$SHMKIT" ls --audit
expect_eq "$(head -n 1 "$TEST_TMP/out" | tr -s ' ')" "SUBJECT SEVERITY FINDING MESSAGE" "header"

# orphaned: nobody uses it, nothing can come back for it, idle for longer than --grace.
ipcrm -m "$id"
rm /dev/shm/open /dev/shm/rootread /dev/shm/ghost /dev/shm/userread
expect_status 0 "$SHMKIT" ls --audit --grace 1h
sleep 1.2
expect_status 1 "$SHMKIT" ls --audit --grace 0s --raw --noheadings
expect_eq "$(cut -d' ' -f1-3 "$TEST_TMP/out")" "posix:/private warning orphaned" "orphaned"
grep -q ' orphaned: no user and nothing can come back for it, idle for [0-9]s (more than 0s)$' \
  "$TEST_TMP/out" || fail "orphaned message: $(cat "$TEST_TMP/out")"
# A process that maps it makes it in use: no finding.
python3 -c '
import mmap, os, sys, time
fd = os.open("/dev/shm/private", os.O_RDWR); m = mmap.mmap(fd, 4096)
print("ready", flush=True); time.sleep(60)' >"$TEST_TMP/ready" &
holder=$!
on_exit "kill $holder"
for _ in $(seq 100); do [[ -s $TEST_TMP/ready ]] && break; sleep 0.05; done
expect_status 0 "$SHMKIT" ls --audit --grace 0s

# Usage errors.
expect_error 2 "--audit and --output exclude each other" "$SHMKIT" ls --audit -o size
