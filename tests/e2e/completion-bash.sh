#!/usr/bin/env bash
# bash completion, driven in a real interactive bash (in tmux) through bash-completion.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/completion-lib.sh"
[[ -f /usr/share/bash-completion/bash_completion ]] || skip "bash-completion is not installed"

mkdir -p "$TEST_TMP/bin"
ln -s "$SHMKIT" "$TEST_TMP/bin/shmkit"
head -c 64 /dev/zero >/dev/shm/demo_seg
id=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).shmget(0x00c0ffee, 4096, 0o1000 | 0o600))')
on_exit "ipcrm -m $id"
touch "$TEST_TMP/ring.bin"

cat >"$TEST_TMP/bashrc" <<RC
PS1='$ '
PATH=$TEST_TMP/bin:\$PATH
source /usr/share/bash-completion/bash_completion
source $SHMKIT_SOURCE_DIR/completions/shmkit.bash
bind 'set bell-style none'
cd $TEST_TMP
RC
start_shell bash --noprofile --rcfile "$TEST_TMP/bashrc" -i
wait_for '$'

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
complete_line 'shmkit ls -o SEGMENT,NA' >/dev/null
wait_for 'shmkit ls -o SEGMENT,NA'
out=$(screen)
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

out=$(complete_line 'shmkit watch --endian ')
grep -qw little <<<"$out" && grep -qw big <<<"$out" || fail "--endian: $out"
complete_line 'shmkit ls --time-format f' >/dev/null
wait_for 'shmkit ls --time-format full'
complete_line 'shmkit ls --color al' >/dev/null
wait_for 'shmkit ls --color always'
complete_line 'shmkit write --type i6' >/dev/null
wait_for 'shmkit write --type i64'
