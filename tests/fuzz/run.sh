#!/usr/bin/env bash
# Runs every libFuzzer target of a SHMKIT_FUZZ build for SECONDS each (`make fuzz`, CI) and
# prints one table row per target: executions per second, total executions, libFuzzer's cov:
# figure, and the outcome. New inputs go to BUILD/fuzz-work/TARGET/corpus (the checked-in corpus
# is only read); a crash leaves its input in BUILD/fuzz-work/TARGET/ and fails the run.
# Usage: run.sh BUILD_DIR SECONDS [TARGET...]
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/tests/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for exe in "$bin"/fuzz_*; do
    [ -x "$exe" ] && targets+=("${exe##*/fuzz_}")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "run.sh: no fuzz targets in $bin (build the fuzz_targets target first)" >&2
  exit 1
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
summary=$build/fuzz-work/summary.md
mkdir -p "$build/fuzz-work"
{
  echo "| target | execs/s | total execs | cov | result |"
  echo "|---|---|---|---|---|"
} >"$summary"
for t in "${targets[@]}"; do
  work=$build/fuzz-work/$t
  mkdir -p "$work/corpus"
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$work/")
  [ -f "$here/$t.dict" ] && args+=(-dict="$here/$t.dict")
  log=$work/fuzz.log
  status=0
  "$bin/fuzz_$t" "${args[@]}" "$work/corpus" "$here/corpus/$t" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  if [ "$status" -eq 0 ]; then
    result="no crash"
  else
    result="FAILED (exit $status)"
    failed=1
    echo "--- fuzz_$t failed; the end of $log:" >&2
    grep -E 'property violated|runtime error|ERROR: |SUMMARY' "$log" | head -n 5 >&2
    grep -E 'Test unit written to|Base64' "$log" >&2
    echo "Fix it, then add the input to tests/fuzz/corpus/$t/ as crash-SHA1." >&2
  fi
  row="| $t | ${rate:-?} | ${execs:-?} | ${cov:-?} | $result |"
  echo "$row" >>"$summary"
  printf 'fuzz %-8s %8s execs/s %10s execs  cov %5s  %s\n' "$t" "${rate:-?}" "${execs:-?}" \
    "${cov:-?}" "$result"
done
echo "(table: $summary)"
exit $failed
