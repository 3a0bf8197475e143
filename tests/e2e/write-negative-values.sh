#!/usr/bin/env bash
# Negative values follow --type directly, in every form read prints: -5, -0.5, -.5, -1e3,
# -inf, -nan (any case). They are values, never clusters of short options (issue 8 defect 17:
# "-nan" was read as "-n an", "-inf" refused). What read prints is accepted back.
source "$(dirname "$0")/common.sh"

truncate -s 64 /dev/shm/neg
w=("$SHMKIT" write posix:/neg)

# issue 8 defect 17
expect_status 0 "${w[@]}" -t f64 -nan
expect_eq "$("$SHMKIT" read posix:/neg -t f64)" "-nan" "-nan written"
expect_status 0 "${w[@]}" -t f64 -inf -s 8
expect_eq "$("$SHMKIT" read posix:/neg -s 8 -t f64)" "-inf" "-inf written"
expect_status 0 "${w[@]}" -s 16 -t f32 -.5 -INF -Infinity -NaN -1e3 -7
expect_eq "$("$SHMKIT" read posix:/neg -s 16 -t f32 -c 6 | tr '\n' ' ')" \
  "-0.5 -inf -inf -nan -1000 -7 " "f32 values"
# Options around and between the values, and glued options, still work.
expect_status 0 "${w[@]}" -t i16 -1 -s 40 -2 --endian big -3 -v
expect_eq "$(cat "$TEST_TMP/out")" "wrote 6 bytes to posix:/neg at offset 40" "-v line"
expect_eq "$("$SHMKIT" read posix:/neg -s 40 -n 6 --format=hex)" "fffffffefffd" "i16 values"
expect_status 0 "$SHMKIT" write -vs48 posix:/neg -t f64 -nan
expect_eq "$(cat "$TEST_TMP/out")" "wrote 8 bytes to posix:/neg at offset 48" "glued -s48"
# "--" still works, and a value given to an option is that option's.
expect_status 0 "${w[@]}" -t i8 -- -128 -1
expect_eq "$("$SHMKIT" read posix:/neg -t i8 -c 2 | tr '\n' ' ')" "-128 -1 " "after --"
expect_error 2 "invalid offset '-8': a sign is not allowed" "${w[@]}" -s -8 -t i8 1

# Round trip: every value read prints is accepted by write.
for t in f32 f64 i8 i64; do
  "$SHMKIT" read posix:/neg -t "$t" -c 4 >"$TEST_TMP/vals"
  mapfile -t vals <"$TEST_TMP/vals"
  expect_status 0 "${w[@]}" -t "$t" "${vals[@]}"
  expect_eq "$("$SHMKIT" read posix:/neg -t "$t" -c 4)" "$(cat "$TEST_TMP/vals")" "$t round trip"
done

# A negative value for an unsigned or integer type is refused by the value parser (status 2),
# not taken for options.
expect_error 2 "invalid i8 value '-nan': expected a decimal or 0x hex integer" "${w[@]}" -t i8 1 -nan
expect_error 2 "value '-1' out of range for u8 (0..255)" "${w[@]}" -t u8 -1
