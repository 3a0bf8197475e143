#!/usr/bin/env bash
# issue 12 "Bad input" for layouts: a one-line error naming the line and field, status 2, and
# nothing read (stdout empty); a layout that does not fit the segment is refused before
# anything is printed, naming the first field past the end (status 1: it needed the segment).
source "$(dirname "$0")/common.sh"

"$SHMKIT" create posix:/bad --size 64 >/dev/null
r=("$SHMKIT" read posix:/bad)

expect_error 2 "layout: line 2: unknown type 'foo' (field 'x')" "${r[@]}" --layout $'struct s {\n foo x;\n};'
expect_error 2 "line 1: array 'name' has size 0" "${r[@]}" --layout 'struct s { char name[0]; };'
expect_error 2 "line 1: array 'v' has negative size -1" "${r[@]}" --layout 'struct s { u32 v[-1]; };'
expect_error 2 "line 3: duplicate field 'x'" "${r[@]}" --layout $'struct s {\n int x;\n long x;\n};'
expect_error 2 "line 2: unterminated struct 'inner'" "${r[@]}" \
  --layout $'struct s {\n struct inner {\n  int a;\n'
expect_error 2 "line 1: bitfields are not supported (field 'f')" "${r[@]}" --layout 'struct s { int f : 3; };'
expect_error 2 "line 1: flexible array member 'd[]' is not supported" "${r[@]}" \
  --layout 'struct s { int n; char d[]; };'
expect_error 2 "line 1: type 'long double' is not supported" "${r[@]}" --layout 'long double x;'
expect_error 2 "no struct or member declarations" "${r[@]}" --layout '/* nothing */'
expect_error 2 "no struct named 'nope' (have: a)" "${r[@]}" --layout 'struct a { int x; };' --struct nope
expect_error 2 "--struct needs --layout" "${r[@]}" --struct a
expect_error 2 "--layout and --format exclude each other" "${r[@]}" --layout 'int x;' --format hex
expect_error 2 "--type and --layout exclude each other" "${r[@]}" --layout 'int x;' --type u8
expect_error 2 "--json needs --layout" "${r[@]}" --json
expect_error 2 "invalid count '0': must be positive" "${r[@]}" --layout 'int x;' --count 0

# Layout files: too large, a FIFO (never opened for reading: no hang), a directory, missing.
head -c 1000000 /dev/zero | tr '\0' ' ' >"$TEST_TMP/huge.h"
expect_error 2 "layout file $TEST_TMP/huge.h is larger than" "${r[@]}" --layout "@$TEST_TMP/huge.h"
mkfifo "$TEST_TMP/fifo"
expect_error 2 "layout file $TEST_TMP/fifo is not a regular file" timeout 5 "${r[@]}" --layout "@$TEST_TMP/fifo"
expect_error 2 "layout file $TEST_TMP is not a regular file" "${r[@]}" --layout "@$TEST_TMP"
expect_error 2 "cannot read layout file $TEST_TMP/none.h" "${r[@]}" --layout "@$TEST_TMP/none.h"
printf 'struct s {\n  int a;\n  what b;\n};\n' >"$TEST_TMP/bad.h"
expect_error 2 "layout: $TEST_TMP/bad.h: line 3: unknown type 'what' (field 'b')" "${r[@]}" --layout "@$TEST_TMP/bad.h"

# --seqlock: an unsigned integer field of the layout, naturally aligned.
L='struct s { int32_t lock; uint32_t seq; char name[8]; };'
expect_error 2 "--seqlock field 'lock' is not an unsigned integer (it is signed int32_t)" \
  "${r[@]}" --layout "$L" --seqlock lock
expect_error 2 "--seqlock field 'name' is not an unsigned integer" "${r[@]}" --layout "$L" --seqlock name
expect_error 2 "unknown field 'nope' in --seqlock" "${r[@]}" --layout "$L" --seqlock nope
expect_error 2 "--seqlock field 'seq' at offset 6 is not aligned to its 4 bytes" \
  "${r[@]}" --layout "$L" --seqlock seq --offset 2
expect_error 2 "--seqlock field 'seq' is not aligned to its 4 bytes in every record (the struct's size is 5)" \
  "${r[@]}" --layout 'struct __attribute__((packed)) p { uint32_t seq; char c; };' --seqlock seq --count 2
expect_error 2 "--seqlock needs --layout" "${r[@]}" --seqlock seq
expect_error 2 "--stable and --seqlock exclude each other" "${r[@]}" --layout "$L" --seqlock seq --stable

# Past the end: refused before printing anything, naming the field (status 1).
expect_error 1 "field 'b' of the layout ends at offset 72, past the end of posix:/bad (64 bytes)" \
  "${r[@]}" --layout 'struct s { char a[64]; uint64_t b; };'
expect_error 1 "field 'a' of the layout (record 1) ends at offset 68, past the end of posix:/bad (64 bytes)" \
  "${r[@]}" --layout 'uint32_t a; uint32_t b;' --count 10 --offset 56
expect_error 1 "past the end of posix:/bad" "${r[@]}" --layout 'int x;' --offset 64
echo ok
