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

# verdict NAME VALUE OP LIMIT: one ratio line, "met" or "MISSED" against LIMIT (the value only,
# in quick mode).
verdict() {
  if [[ -n $quick ]]; then
    printf '  %-58s %8.3f\n' "$1" "$2"
  else
    python3 -c 'import sys
name, v, op, lim = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
state = "met" if v <= lim else "MISSED"
print(f"  {name:<58} {v:8.3f}  (target {op} {lim:g}: {state})")' "$1" "$2" "$3" "$4"
  fi
}

# verdict_unit NAME VALUE UNIT LIMIT: the same for a figure with a unit; LIMIT - is a figure for
# information, with no target.
verdict_unit() {
  if [[ -n $quick || $4 == - ]]; then
    printf '  %-52s %9s %s\n' "$1" "$2" "$3"
  else
    awk -v n="$1" -v v="$2" -v u="$3" -v l="$4" 'BEGIN {
      printf "  %-52s %9s %-4s (target <= %s %s: %s)\n", n, v, u, l, u, (v + 0 <= l + 0) ? "met" : "MISSED" }'
  fi
}
