#!/usr/bin/env bash
# zsh completion, driven in a real interactive zsh (in tmux) with compinit and _shmkit on
# fpath.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/completion-lib.sh"
command -v zsh >/dev/null || skip "no zsh"

mkdir -p "$TEST_TMP/bin" "$TEST_TMP/zfunc"
ln -s "$SHMKIT" "$TEST_TMP/bin/shmkit"
cp "$SHMKIT_SOURCE_DIR/completions/_shmkit" "$TEST_TMP/zfunc/"
head -c 64 /dev/zero >/dev/shm/demo_seg
id=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).shmget(0x00c0ffee, 4096, 0o1000 | 0o600))')
on_exit "ipcrm -m $id"
touch "$TEST_TMP/ring.bin"

cat >"$TEST_TMP/.zshrc" <<RC
PS1='%% '
path=($TEST_TMP/bin \$path)
fpath=($TEST_TMP/zfunc \$fpath)
autoload -Uz compinit && compinit -u -d $TEST_TMP/.zcompdump
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' menu no
unsetopt BEEP
cd $TEST_TMP
RC
start_shell env ZDOTDIR="$TEST_TMP" zsh -i
wait_for '%'

out=$(complete_line 'shmkit ')
for sub in ls create rm read write attach watch; do
  grep -qw "$sub" <<<"$out" || fail "shmkit <TAB> lacks $sub: $out"
done

out=$(complete_line 'shmkit ls -')
for opt in --output --json --raw --noheadings --export --bytes --sort --limits --all; do
  grep -qF -- "$opt" <<<"$out" || fail "shmkit ls -<TAB> lacks $opt: $out"
done

complete_line 'shmkit ls -o SI' >/dev/null
wait_for 'shmkit ls -o SIZE'
out=$(complete_line 'shmkit ls -o SEGMENT,NA')
grep -qw NAME <<<"$out" && grep -qw NATTCH <<<"$out" || fail "column continuation: $out"

out=$(complete_line 'shmkit rm ')
grep -qF "id:$id" <<<"$out" || fail "shmkit rm <TAB> lacks id:$id: $out"
grep -qF "posix:/demo_seg" <<<"$out" || fail "shmkit rm <TAB> lacks posix:/demo_seg: $out"
grep -qF "key:0x00c0ffee" <<<"$out" || fail "shmkit rm <TAB> lacks key:0x00c0ffee: $out"

complete_line 'shmkit read posix:' >/dev/null
wait_for 'shmkit read posix:/demo_seg'

out=$(complete_line 'shmkit read --format ')
for f in raw hexdump xxd hex string; do
  grep -qw "$f" <<<"$out" || fail "read --format <TAB> lacks $f: $out"
done

complete_line 'shmkit read file:./ri' >/dev/null
wait_for 'shmkit read file:./ring.bin'
complete_line 'shmkit ls --time-format f' >/dev/null
wait_for 'shmkit ls --time-format full'
complete_line 'shmkit write --type i6' >/dev/null
wait_for 'shmkit write --type i64'
