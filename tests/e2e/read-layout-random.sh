#!/usr/bin/env bash
# issue 12: a generated test of read --layout against the compiler. read-layout-random.py makes
# 50 random structs (every scalar type, arrays of 1 and 2 dimensions, char[N] text, nested and
# anonymous structs and unions, packed, aligned(N), _Alignas, #pragma pack) and a C program
# that sets every leaf through C, writes two copies of each struct and prints each leaf as C
# reads it back. shmkit, given the same header, must print exactly that for every struct: so
# every offset, size, union overlap and the stride (sizeof) agree with cc. The seed is random;
# a failure prints it (SHMKIT_LAYOUT_SEED=N reruns it).
source "$(dirname "$0")/common.sh"
command -v cc >/dev/null || skip "no C compiler"
command -v python3 >/dev/null || skip "no python3"

seed=${SHMKIT_LAYOUT_SEED:-$((RANDOM * 32768 + RANDOM))}
python3 "$(dirname "$0")/read-layout-random.py" "$TEST_TMP" "$seed" 50
cc -std=gnu11 -Wno-attributes -o "$TEST_TMP/main" "$TEST_TMP/main.c" ||
  fail "cc rejected the generated header (seed $seed)"
"$TEST_TMP/main" "$TEST_TMP/data" >"$TEST_TMP/expect"

checked=0
for k in $(seq 0 49); do
  awk -v k="s$k" '/^== /{p = ($2 == k); next} p' "$TEST_TMP/expect" >"$TEST_TMP/want"
  "$SHMKIT" read "file:$TEST_TMP/data" --offset $((k * 4096)) --layout "@$TEST_TMP/gen.h" \
    --struct "s$k" --count 2 >"$TEST_TMP/got" 2>&1 || true
  if ! cmp -s "$TEST_TMP/want" "$TEST_TMP/got"; then
    sed -n "/^struct.* s$k {/,/^}/p" "$TEST_TMP/gen.h" >&2
    diff "$TEST_TMP/want" "$TEST_TMP/got" | head -20 >&2 || true
    fail "struct s$k differs from cc (seed $seed: SHMKIT_LAYOUT_SEED=$seed reruns it)"
  fi
  checked=$((checked + $(wc -l <"$TEST_TMP/want")))
done
[[ $checked -gt 500 ]] || fail "only $checked leaves compared (seed $seed)"
echo "ok: 50 structs, $checked leaf values (seed $seed)"
