# Sourced first by every benchmark in tests/bench/ (not itself a benchmark: `make bench` and
# .ci/run run tests/bench/*.sh only). Strict mode, $SHMKIT made absolute and exported, $quick
# (SHMKIT_BENCH_QUICK=1 is CI's smoke mode: small counts, no verdicts), `need`, and
# `enter_namespaces`, which every benchmark calls before it creates anything.
set -euo pipefail
: "${SHMKIT:?set SHMKIT to the shmkit binary}"
SHMKIT=$(realpath "$SHMKIT")
export SHMKIT
quick=${SHMKIT_BENCH_QUICK:-}
bench_name=$(basename "$0" .sh)

# need COMMAND: skips the benchmark (status 0, one line on stderr) when COMMAND is missing.
need() { command -v "$1" >/dev/null || { echo "bench/$bench_name: $1 is missing, skipped" >&2; exit 0; }; }

# enter_namespaces SIZE [pid] -- "$@": re-runs the benchmark in private IPC and mount
# namespaces (and a PID namespace with its own /proc, given `pid`) with a tmpfs of SIZE on
# /dev/shm, so that it never touches anybody else's segments. Without root, in a user namespace
# too. Returns at once inside the namespaces.
enter_namespaces() {
  local size=$1 extra=() user=()
  shift
  if [[ ${1:-} == pid ]]; then
    extra=(--pid --fork --mount-proc)
    shift
  fi
  [[ ${1:-} != -- ]] || shift
  [[ -z ${SHMKIT_BENCH_NS:-} ]] || return 0
  export SHMKIT_BENCH_NS=1
  [[ $(id -u) -eq 0 ]] || user=(-r)
  exec unshare "${user[@]}" --ipc --mount --propagation private "${extra[@]}" -- bash -c \
    "mount -t tmpfs -o size=$size shmkit-bench /dev/shm && exec bash \"\$@\"" bash "$0" "$@"
}
