#!/usr/bin/env bash
# Issue 9: cmd/ stays readable: no file over 400 lines and no function over 60 lines (as
# counted by Universal Ctags: first to last line of the definition).
source "$(dirname "$0")/common.sh"
cd "$SHMKIT_SOURCE_DIR"
command -v ctags >/dev/null && ctags --version 2>/dev/null | grep -q Universal || skip "no universal-ctags"

long_files=$(wc -l cmd/*.cpp cmd/*.hpp | awk '$2 != "total" && $1 > 400 { print $2 ": " $1 " lines" }')
[[ -z $long_files ]] || fail "files over 400 lines:"$'\n'"$long_files"

long_functions=$(ctags --fields=+ne --c++-kinds=f -o - cmd/*.cpp 2>/dev/null |
  awk -F'\t' '{ l = e = 0; for (i = 1; i <= NF; i++) { if ($i ~ /^line:/) l = substr($i, 6); if ($i ~ /^end:/) e = substr($i, 5) }
    if (e - l + 1 > 60) print $2 ": " $1 " " e - l + 1 " lines" }')
[[ -z $long_functions ]] || fail "functions over 60 lines:"$'\n'"$long_functions"
echo ok
