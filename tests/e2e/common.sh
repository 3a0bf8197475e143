# Sourced by every end-to-end test (README.md, Contributing).
#
# - Re-executes the test inside private IPC, mount and PID namespaces with a fresh tmpfs on
#   /dev/shm and its own /proc, so a test sees only its own segments and processes and never
#   touches anybody else's (a host process whose /proc/PID/maps root cannot read, such as a
#   sandbox's pid 1, would otherwise make every holder scan partial).
# - set -euo pipefail, an ERR trap that names the failing line, `skip` (exit 77), and a cleanup
#   trap that runs the commands registered with `on_exit`.
# - The binary under test is $SHMKIT.
# shellcheck shell=bash

set -euo pipefail

if [[ -z ${SHMKIT_IN_NS:-} ]]; then
  if [[ $(id -u) -ne 0 ]] && ! unshare -r true 2>/dev/null; then
    echo "skip: needs root or user namespaces" >&2
    exit 77
  fi
  export SHMKIT_IN_NS=1
  if [[ $(id -u) -eq 0 ]]; then
    exec unshare --ipc --mount --propagation private --pid --fork --mount-proc -- bash -c \
      'mount -t tmpfs -o size=256m,mode=1777 shmkit-test /dev/shm && exec bash "$@"' \
      bash "$0" "$@"
  fi
  exec unshare -r --ipc --mount --propagation private --pid --fork --mount-proc -- bash -c \
    'mount -t tmpfs -o size=256m,mode=1777 shmkit-test /dev/shm && exec bash "$@"' \
    bash "$0" "$@"
fi

: "${SHMKIT:?set SHMKIT to the shmkit binary}"
SHMKIT_SOURCE_DIR=${SHMKIT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/shmkit-e2e.XXXXXX")
chmod 755 "$TEST_TMP"
# Permission cases run the binary as nobody; a build tree under a private directory (a
# mktemp -d checkout, say) is not reachable for nobody, so run a copy from $TEST_TMP then.
if [[ $(id -u) -eq 0 ]] &&
  ! setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$SHMKIT" 2>/dev/null; then
  cp "$SHMKIT" "$TEST_TMP/shmkit"
  chmod 755 "$TEST_TMP/shmkit"
  SHMKIT=$TEST_TMP/shmkit
fi
export LC_ALL=C

_on_exit_cmds=()
on_exit() { _on_exit_cmds+=("$*"); }
_cleanup() {
  local status=$?
  local i
  for ((i = ${#_on_exit_cmds[@]} - 1; i >= 0; i--)); do
    eval "${_on_exit_cmds[i]}" >/dev/null 2>&1 || true
  done
  rm -rf "$TEST_TMP"
  exit "$status"
}
trap _cleanup EXIT
trap 'echo "FAIL: ${BASH_SOURCE[0]}:${LINENO}: $BASH_COMMAND" >&2' ERR

skip() {
  echo "skip: $*" >&2
  exit 77
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_eq ACTUAL EXPECTED [WHAT]
expect_eq() {
  if [[ $1 != "$2" ]]; then
    printf 'FAIL: %s\n--- expected\n%s\n--- actual\n%s\n' "${3:-value}" "$2" "$1" >&2
    exit 1
  fi
}

# expect_status STATUS CMD...: runs CMD, asserts its exit status; stdout/stderr land in
# $TEST_TMP/out and $TEST_TMP/err.
expect_status() {
  local want=$1
  shift
  local got=0
  "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || got=$?
  if [[ $got -ne $want ]]; then
    printf 'FAIL: exit %s (wanted %s): %s\n--- stdout\n%s\n--- stderr\n%s\n' "$got" "$want" "$*" \
      "$(head -c 2000 "$TEST_TMP/out")" "$(cat "$TEST_TMP/err")" >&2
    exit 1
  fi
}

# expect_error STATUS MESSAGE CMD...: exit status, empty stdout, and exactly one stderr line
# that starts with "shmkit: error: " and contains MESSAGE (usage errors add the "Try" line).
expect_error() {
  local want=$1 message=$2
  shift 2
  expect_status "$want" "$@"
  [[ ! -s $TEST_TMP/out ]] || fail "stdout not empty for: $* ($(head -c 200 "$TEST_TMP/out"))"
  local first
  first=$(head -n 1 "$TEST_TMP/err")
  [[ $first == "shmkit: error: "* ]] || fail "stderr does not start with 'shmkit: error:': $first"
  [[ $first == *"$message"* ]] || fail "stderr '$first' lacks '$message'"
  local lines
  lines=$(wc -l <"$TEST_TMP/err")
  if [[ $want -eq 2 ]]; then
    [[ $lines -le 2 ]] || fail "usage error has $lines lines: $(cat "$TEST_TMP/err")"
  else
    [[ $lines -eq 1 ]] || fail "error has $lines lines: $(cat "$TEST_TMP/err")"
  fi
}

# sanitized: whether $SHMKIT is built with AddressSanitizer (make sanitize). The output of ldd
# is taken whole: `ldd | grep -q` fails under pipefail whenever grep quits first and ldd dies of
# SIGPIPE, which made a sanitized binary look plain now and then.
sanitized() {
  local libs
  libs=$(ldd "$SHMKIT" 2>/dev/null) || true
  [[ $libs == *libasan* ]]
}

# as_nobody CMD...: runs CMD as nobody:nogroup with no supplementary groups.
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

# read_fifo FIFO VAR...: reads one line written to FIFO into VARs, failing after 60 s. The FIFO
# is opened read-write, so that the open itself never blocks: a writer that dies before it
# opens the FIFO (a script nobody may not read, say) is a failure, not a hang until ctest's
# timeout.
read_fifo() {
  local read_fifo_fd read_fifo_rc=0
  exec {read_fifo_fd}<>"$1"
  shift
  read -r -t 60 -u "$read_fifo_fd" "$@" || read_fifo_rc=$?
  exec {read_fifo_fd}<&-
  return "$read_fifo_rc"
}

# has_open PID PATH: whether process PID has PATH open.
has_open() {
  local fd
  for fd in "/proc/$1/fd/"*; do
    [[ $(readlink "$fd" 2>/dev/null) == "$2" ]] && return 0
  done
  return 1
}

# wait_watching PID PATH: waits (up to 30 s) until process PID has PATH open and sleeps (State
# S): a watch that took its first snapshot and waits for the next look. (A fixed sleep is not
# enough under AddressSanitizer on a busy machine, where start-up alone can take 0.3 s.)
wait_watching() {
  local i
  for ((i = 0; i < 1500; i++)); do
    if has_open "$1" "$2" && [[ $(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) == S ]]; then
      return 0
    fi
    sleep 0.02
  done
  fail "process $1 never waited with $2 open"
}

# Waits until process $1 has path $2 open, then a little more for the first snapshot.
wait_open() {
  local i
  for ((i = 0; i < 200; i++)); do
    has_open "$1" "$2" && break
    sleep 0.02
  done
  sleep 0.2
}

# sysv_field ID COLUMN: a column of /proc/sysvipc/shm for one shmid.
sysv_field() {
  awk -v id="$1" -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $2 == id { print $(h[col]) }' /proc/sysvipc/shm
}

# exits_within PID SECONDS: whether PID ends within SECONDS.
exits_within() {
  local i
  for ((i = 0; i < $2 * 50; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.02
  done
  return 1
}
