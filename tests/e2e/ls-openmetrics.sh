#!/usr/bin/env bash
# ls --openmetrics [--per-segment] passes `promtool check metrics` on a namespace with segments
# of every kind and every STATE (in-use, idle, orphaned, dest; unknown in a run as nobody),
# including a POSIX name with '"', '\' and a newline; the counts agree with the listing;
# --openmetrics with --json is a usage error.
source "$(dirname "$0")/common.sh"
command -v promtool >/dev/null || skip "promtool (Debian package prometheus) is not installed"
umask 077

# check FILE: promtool accepts it and it ends in "# EOF".
check() {
  promtool check metrics <"$1" >"$TEST_TMP/promtool" 2>&1 ||
    fail "promtool check metrics: $(cat "$TEST_TMP/promtool")"
  expect_eq "$(cat "$TEST_TMP/promtool")" "" "promtool says nothing"
  expect_eq "$(tail -n 1 "$1")" "# EOF" "last line"
}

# in-use: a SysV segment attached by a live process, which also creates an idle one (creator
# alive, nobody attached) and one marked for removal while attached (dest).
python3 -c '
import ctypes, time; libc = ctypes.CDLL(None); libc.shmat.restype = ctypes.c_void_p
used = libc.shmget(0x6101, 4096, 0o1000 | 0o600); libc.shmat(used, None, 0)
idle = libc.shmget(0x6102, 4096, 0o1000 | 0o600)
dest = libc.shmget(0x6103, 4096, 0o1000 | 0o600); libc.shmat(dest, None, 0)
libc.shmctl(dest, 0, None)  # IPC_RMID: marked, still attached
print(used, idle, dest, flush=True); time.sleep(60)' >"$TEST_TMP/ids" &
holder=$!
on_exit "kill $holder"
for _ in $(seq 100); do [[ -s $TEST_TMP/ids ]] && break; sleep 0.05; done
read -r used idle dest <"$TEST_TMP/ids"
on_exit "ipcrm -m $used -m $idle"
# orphaned: POSIX objects nobody maps, idle for longer than --grace 0s; one has a hostile name.
hostile=$'evil"name\\with\nnewline'
head -c 4096 /dev/zero >/dev/shm/plain
head -c 100 /dev/zero >"/dev/shm/$hostile"
# A file segment (only listed when named).
head -c 8192 /dev/zero >"$TEST_TMP/ring.bin"
sleep 1.2

expect_status 0 "$SHMKIT" ls --openmetrics --grace 0s
cp "$TEST_TMP/out" "$TEST_TMP/all.prom"
check "$TEST_TMP/all.prom"
grep -q '^shmkit_segment_' "$TEST_TMP/all.prom" && fail "per-segment series without --per-segment"
expect_eq "$(grep '^shmkit_state_segments' "$TEST_TMP/all.prom")" 'shmkit_state_segments{state="in-use"} 1
shmkit_state_segments{state="idle"} 1
shmkit_state_segments{state="orphaned"} 2
shmkit_state_segments{state="unknown"} 0
shmkit_state_segments{state="dest"} 1' "states"
expect_eq "$(grep '^shmkit_segments{' "$TEST_TMP/all.prom")" 'shmkit_segments{type="sysv"} 3
shmkit_segments{type="posix"} 2' "per type"
grep -qx 'shmkit_sysv_segments_used 3' "$TEST_TMP/all.prom" || fail "SHMMNI use"
grep -qx "shmkit_sysv_segments_limit $(cat /proc/sys/kernel/shmmni)" "$TEST_TMP/all.prom" ||
  fail "SHMMNI"
grep -qx 'shmkit_devshm_size_bytes{path="/dev/shm"} 268435456' "$TEST_TMP/all.prom" ||
  fail "/dev/shm size"
grep -q '^shmkit_audit_findings{severity="warning"} [1-9]' "$TEST_TMP/all.prom" ||
  fail "the orphaned segments are audit warnings"

# Per segment: every kind named, the hostile name escaped per the OpenMetrics spec.
expect_status 0 "$SHMKIT" ls --openmetrics --per-segment --grace 0s
cp "$TEST_TMP/out" "$TEST_TMP/per.prom"
check "$TEST_TMP/per.prom"
grep -qF 'shmkit_segment_size_bytes{segment="posix:/evil\"name\\with\nnewline",type="posix",owner="root"} 100' \
  "$TEST_TMP/per.prom" || fail "hostile label: $(grep -F evil "$TEST_TMP/per.prom")"
grep -qF "shmkit_segment_state{segment=\"id:$dest\",type=\"sysv\",owner=\"root\",state=\"dest\"} 1" \
  "$TEST_TMP/per.prom" || fail "dest series"
grep -qF "shmkit_segment_attaches{segment=\"id:$used\",type=\"sysv\",owner=\"root\"} 1" \
  "$TEST_TMP/per.prom" || fail "attaches series"
expect_status 0 "$SHMKIT" ls --openmetrics --per-segment --grace 0s "file:$TEST_TMP/ring.bin" \
  "id:$used" posix:/plain
check "$TEST_TMP/out"
expect_eq "$(grep '^shmkit_segments{' "$TEST_TMP/out")" 'shmkit_segments{type="sysv"} 1
shmkit_segments{type="posix"} 1
shmkit_segments{type="file"} 1' "named: every kind"
grep -qF "shmkit_segment_size_bytes{segment=\"file:$TEST_TMP/ring.bin\",type=\"file\",owner=\"root\"} 8192" \
  "$TEST_TMP/out" || fail "file series"
# A strict OpenMetrics parser (python3-prometheus-client, Debian's python) reads it, and the
# label values it reads back are the addresses, byte for byte.
if /usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
  /usr/bin/python3 - "$TEST_TMP/per.prom" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
names = sorted(s.labels["segment"] for s in families["shmkit_segment_size_bytes"].samples)
assert 'posix:/evil"name\\with\nnewline' in names, names
assert families["shmkit_state_segments"].type == "gauge"
PY
else
  echo "note: no python3-prometheus-client, OpenMetrics parser check skipped" >&2
fi

# unknown: run as nobody, who cannot read root's processes, so root's POSIX objects cannot be
# proven unused.
chmod 755 "$TEST_TMP"
expect_status 0 as_nobody "$SHMKIT" ls --openmetrics --per-segment --grace 0s
check "$TEST_TMP/out"
grep -qx 'shmkit_state_segments{state="unknown"} 2' "$TEST_TMP/out" ||
  fail "unknown as nobody: $(grep state_segments "$TEST_TMP/out")"

expect_error 2 "--openmetrics and --json exclude each other" "$SHMKIT" ls --openmetrics --json
expect_error 2 "--per-segment needs --openmetrics" "$SHMKIT" ls --per-segment
