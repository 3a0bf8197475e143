#!/usr/bin/env bash
# `cmake --install --prefix DIR` puts the binary, every man page and both completions where
# Debian's man, bash-completion and zsh look for them, and the installed binary runs.
source "$(dirname "$0")/common.sh"
: "${SHMKIT_BUILD_DIR:?}"

prefix=$TEST_TMP/prefix
cmake --install "$SHMKIT_BUILD_DIR" --prefix "$prefix" >/dev/null

expected="bin/shmkit
share/bash-completion/completions/shmkit
share/zsh/vendor-completions/_shmkit"
for scd in "$SHMKIT_SOURCE_DIR"/man/*.1.scd; do
  page=$(basename "$scd" .scd)
  expected+=$'\n'"share/man/man1/$page.gz"
done
expect_eq "$(cd "$prefix" && find . -type f | sed 's|^\./||' | sort)" "$(sort <<<"$expected")" "installed files"

[[ -x $prefix/bin/shmkit ]] || fail "binary not executable"
expect_eq "$("$prefix/bin/shmkit" --version)" "$("$SHMKIT" --version)" "installed --version"
# zsh's vendor-completions is on Debian zsh's default fpath.
if command -v zsh >/dev/null; then
  [[ $'\n'$(zsh -fc 'print -l $fpath')$'\n' == *$'\n/usr/share/zsh/vendor-completions\n'* ]] ||
    fail "vendor-completions not on zsh fpath"
fi
for gz in "$prefix"/share/man/man1/*.gz; do
  gzip -t "$gz" || fail "$gz is not gzip"
  man -l "$gz" 2>&1 >/dev/null | grep . && fail "man -l $gz complains"
  [[ $(man -l "$gz" 2>/dev/null | head -n 1) == *"$(basename "$gz" .1.gz)"* ]] || fail "man -l $gz"
done
true
