#!/usr/bin/env bash
# Without --format, read prints raw bytes into a pipe or file and a `hexdump -C` view on a
# terminal, so binary never reaches a terminal raw. --format=string escapes odd bytes on a
# terminal and passes them through elsewhere. (The terminal is a pty made by script(1).)
source "$(dirname "$0")/common.sh"
command -v script >/dev/null || skip "script(1) is not installed"

# on_tty CMD: runs CMD with stdin and stdout on a pty; prints its output without the CRs.
on_tty() {
  local cmd
  cmd=$(printf '%q ' "$@")
  SHELL=/bin/bash script -qec "$cmd" /dev/null </dev/null | tr -d '\r'
}

head -c 300 /dev/urandom >/dev/shm/bin
"$SHMKIT" read posix:/bin | cmp - /dev/shm/bin || fail "raw into a pipe"
"$SHMKIT" read posix:/bin >"$TEST_TMP/copy"
cmp "$TEST_TMP/copy" /dev/shm/bin || fail "raw into a file"

on_tty "$SHMKIT" read posix:/bin >"$TEST_TMP/tty"
diff "$TEST_TMP/tty" <(hexdump -C /dev/shm/bin) || fail "hexdump on a terminal"
on_tty "$SHMKIT" read posix:/bin -s 10 -n 20 >"$TEST_TMP/tty"
diff "$TEST_TMP/tty" <(hexdump -C -s 10 -n 20 /dev/shm/bin) || fail "range on a terminal"
# --format=raw is honoured even on a terminal (the user asked for it).
printf 'plain text' >/dev/shm/text
expect_eq "$(on_tty "$SHMKIT" read posix:/text --format=raw)" "plain text" "raw on a terminal"

# --format=string: up to the first NUL, then a newline.
printf 'hello\tw\xc3\xb6rld\x01\x00after the nul' >/dev/shm/str
"$SHMKIT" read posix:/str --format=string >"$TEST_TMP/str"
cmp "$TEST_TMP/str" <(printf 'hello\tw\xc3\xb6rld\x01\n') || fail "string into a file"
expect_eq "$(on_tty "$SHMKIT" read posix:/str --format=string)" \
  "$(printf 'hello\\x09w\xc3\xb6rld\\x01')" "string on a terminal is escaped"
expect_eq "$("$SHMKIT" read posix:/str --format=string -s 6)" "$(printf 'w\xc3\xb6rld\x01')" \
  "string at an offset"
expect_eq "$("$SHMKIT" read posix:/str --format=string -s 6 -n 3)" "$(printf 'w\xc3\xb6')" \
  "string cut by --length"
expect_eq "$("$SHMKIT" read posix:/text --format=string)" "plain text" "no NUL: to the end"
