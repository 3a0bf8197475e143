#!/usr/bin/env bash
# Bad input gives one error line (plus the "Try" line for usage errors) and nothing on stdout:
# status 2 for the command line, 1 for what depends on the segment.
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:small --size 64 >/dev/null

# Intervals and durations.
expect_error 2 "invalid interval '0': must be positive" "$SHMKIT" watch posix:small --interval 0
expect_error 2 "invalid interval '0ms': must be positive" "$SHMKIT" watch posix:small --interval 0ms
expect_error 2 "invalid interval '-1s': a sign is not allowed" \
  "$SHMKIT" watch posix:small --interval -1s
expect_error 2 "invalid interval '-1s': a sign is not allowed" \
  "$SHMKIT" watch posix:small --interval=-1s
expect_error 2 "invalid interval '1x': unknown unit" "$SHMKIT" watch posix:small --interval 1x
expect_error 2 "invalid interval '': empty" "$SHMKIT" watch posix:small --interval ''
expect_error 2 "invalid timeout '0': must be positive" "$SHMKIT" watch posix:small --timeout 0
expect_error 2 "invalid number of changes '0': must be positive" \
  "$SHMKIT" watch posix:small --changes 0
expect_error 2 "invalid number of changes '-1'" "$SHMKIT" watch posix:small --changes=-1

# Typed options.
expect_error 2 "--until needs --type" "$SHMKIT" watch posix:small --until 5
expect_error 2 "--count needs --type" "$SHMKIT" watch posix:small --count 2
expect_error 2 "--endian needs --type" "$SHMKIT" watch posix:small --endian big
expect_error 2 "value '300' out of range for i8 (-128..127)" \
  "$SHMKIT" watch posix:small --type i8 --until 300
expect_error 2 "value '-1' out of range for u32" "$SHMKIT" watch posix:small --type u32 --until=-1
expect_error 2 "invalid i32 value 'five'" "$SHMKIT" watch posix:small --type i32 --until five
expect_error 2 "unknown value type 'int'" "$SHMKIT" watch posix:small --type int
expect_error 2 "unknown byte order 'middle'" "$SHMKIT" watch posix:small --type u16 --endian middle
expect_error 2 "--length 6 is not a multiple of the u32 size (4 bytes)" \
  "$SHMKIT" watch posix:small --type u32 --length 6
expect_error 2 "--count and --length exclude each other" \
  "$SHMKIT" watch posix:small --type u32 --length 8 --count 2
expect_error 2 "invalid count '0': must be positive" "$SHMKIT" watch posix:small --type u8 --count 0

# Regions.
expect_error 2 "invalid length '0': must be positive" "$SHMKIT" watch posix:small --length 0
expect_error 2 "invalid offset '1.5'" "$SHMKIT" watch posix:small --offset 1.5
# issue 9: one wording of "past the end" for read, write and watch (was "are past the end of
# SEG (N bytes)" and "offset N is at/past the end of SEG (N bytes): nothing to watch")
expect_error 1 "8 bytes at offset 60 do not fit in posix:/small (size 64 bytes)" \
  "$SHMKIT" watch posix:small --offset 60 --length 8
expect_error 1 "offset 64 is past the end of posix:/small (size 64 bytes)" \
  "$SHMKIT" watch posix:small --offset 64 --type u64
expect_error 1 "offset 64 is past the end of posix:/small (size 64 bytes)" \
  "$SHMKIT" watch posix:small --offset 64
expect_error 1 "offset 1024 is past the end of posix:/small (size 64 bytes)" \
  "$SHMKIT" watch posix:small --offset 1K
seg=$("$SHMKIT" create key:auto --size 100)
expect_error 1 "offset 100 is past the end of $seg (size 100 bytes)" \
  "$SHMKIT" watch "$seg" --offset 100 --type i32

# Segments.
expect_error 1 "cannot open posix:/nothere" "$SHMKIT" watch posix:nothere
expect_error 2 "" "$SHMKIT" watch
"$SHMKIT" create posix:private --size 64 --mode 600 >/dev/null
expect_error 1 "permission denied" as_nobody "$SHMKIT" watch posix:private

# What the system holds is never a usage error: an empty object, a FIFO planted in /dev/shm.
: >/dev/shm/empty
mkfifo /dev/shm/fifo
expect_error 1 "offset 0 is past the end of posix:/empty (size 0 bytes)" \
  "$SHMKIT" watch posix:empty
expect_error 1 "cannot open posix:/fifo: not a regular file" "$SHMKIT" watch posix:fifo --timeout 1s
