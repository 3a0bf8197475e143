#!/usr/bin/env bash
# Every example in every man page runs, page by page, each page in fresh private IPC and mount
# namespaces with the segments its examples name (key 2 with a counting writer, ids 32769 and
# 32770, posix:/sensors, /var/lib/app on a tmpfs, ...). An example succeeds when it exits 0, or
# when it is a command that runs until interrupted (watch without a stop, attach without
# --timeout ...) and was still running cleanly, with nothing on stderr, when stopped with
# SIGINT after 3 seconds.
source "$(dirname "$0")/common.sh"
command -v jq >/dev/null || skip "no jq"

mkdir -p "$TEST_TMP/bin"
ln -s "$SHMKIT" "$TEST_TMP/bin/shmkit"

# Examples of a page: tab-indented lines in the EXAMPLES section; "++" joins the next line.
extract() {
  awk '/^# EXAMPLES/ {on = 1; next} /^# / {on = 0}
    on {
      if (cont) { line = $0; c = (line ~ /\+\+$/); sub(/\+\+$/, "", line); block = block "\n" line;
                  if (!c) { print block; print "\036"; cont = 0; block = "" } next }
      if ($0 ~ /^\t/) { line = substr($0, 2); c = (line ~ /\+\+$/); sub(/\+\+$/, "", line);
                        block = line; if (c) cont = 1; else { print block; print "\036"; block = "" } }
    }' "$1" | sed 's/\\\*/*/g; s/\\\\/\\/g'
}

cat >"$TEST_TMP/page.sh" <<'PAGE'
set -u
page=$1 examples=$2 work=$3
mount -t tmpfs -o size=64m,mode=1777 shmkit-examples /dev/shm
mount -t tmpfs -o size=64m shmkit-examples /var/lib
mkdir -p /var/lib/app && printf 'first\n' >/var/lib/app/log
cd "$work"
export USER=root HOME=$work
printf 'name=demo\nlevel=3\n' >app.conf
head -c 4096 /dev/zero >snapshot.bin
[[ $page == shmkit-create ]] || { head -c 8192 /dev/zero >/dev/shm/config; printf 'hello\0' |
  dd of=/dev/shm/config bs=1 seek=16 conv=notrunc status=none; }
for obj in sensors:4096 demo:8192 app:4096 psm_9f2c:4096 stats:8192; do
  head -c "${obj#*:}" /dev/zero >"/dev/shm/${obj%%:*}"
done
if id postgres >/dev/null 2>&1; then
  head -c 4096 /dev/zero >/dev/shm/PostgreSQL.1234 && chown postgres: /dev/shm/PostgreSQL.1234
fi
# The programs the examples look at, in one process that stays alive (so nothing here is an
# orphan): it creates the SysV segments (ids 32769 and 32770 through kernel.shm_next_id),
# keeps every POSIX object open, and writes: the seeds' native int counter in key 2 (4 bytes,
# here cycling 0..9 every 50 ms), big-endian counters in /stats and bytes in /psm_9f2c.
python3 - "$work/ready" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None)
libc.shmat.restype = ctypes.c_void_p
def sysv(key, size, shmid=None):
    if shmid is not None:
        open("/proc/sys/kernel/shm_next_id", "w").write(str(shmid))
    if libc.shmget(key, size, 0o1000 | 0o600) < 0:
        sys.exit(f"shmget {key:#x} failed")
sysv(0x00520001, 4096, 32769)
sysv(0x00520002, 4096, 32770)
sysv(0x0052e2c1, 4096)
sysv(0x2a, 65536)
sysv(2, 4)
counter = ctypes.c_int.from_address(libc.shmat(libc.shmget(2, 0, 0), None, 0))
fds = {n: os.open("/dev/shm/" + n, os.O_RDWR) for n in os.listdir("/dev/shm")}
open(sys.argv[1], "w").write("ready\n")
i = 0
while True:
    counter.value = i % 10
    os.pwrite(fds["stats"], i.to_bytes(4, "big"), 4096 + 4 * (i % 16))
    os.pwrite(fds["psm_9f2c"], bytes([i % 256]), i % 64)
    i += 1
    time.sleep(0.01 if i % 5 else 0.01)
PY
programs=$!
for _ in $(seq 100); do [[ -s $work/ready ]] && break; sleep 0.05; done
[[ -s $work/ready ]] || { echo "FAIL: fixtures for $page" >&2; exit 1; }

status=0 n=0
while IFS= read -r -d $'\036' block; do
  block=${block#$'\n'}
  [[ -n $block ]] || continue
  n=$((n + 1))
  rc=0
  timeout -s INT 3 bash -c "$block" >"$work/out.$n" 2>"$work/err.$n" || rc=$?
  if [[ $rc -ne 0 && ! ( ($rc -eq 124 || $rc -eq 130) && ! -s $work/err.$n ) ]]; then
    printf 'FAIL: %s example %d (exit %d):\n%s\n--- stderr\n%s\n' "$page" "$n" "$rc" "$block" \
      "$(cat "$work/err.$n")" >&2
    status=1
  fi
done <"$examples"
kill "$programs" 2>/dev/null
wait 2>/dev/null
[[ $n -gt 0 ]] || { echo "FAIL: $page has no examples" >&2; exit 1; }
echo "$page: $n examples" >&2
exit $status
PAGE

export PATH=$TEST_TMP/bin:$PATH
failed=0
for scd in "$SHMKIT_SOURCE_DIR"/man/*.1.scd; do
  page=$(basename "$scd" .1.scd)
  work=$TEST_TMP/pages/$page
  mkdir -p "$work"
  extract "$scd" >"$work.examples"
  unshare --ipc --mount --propagation private -- bash "$TEST_TMP/page.sh" "$page" \
    "$work.examples" "$work" || failed=1
done
[[ $failed -eq 0 ]] || fail "some man page examples failed"
