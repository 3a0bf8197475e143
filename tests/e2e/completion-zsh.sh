#!/usr/bin/env bash
# zsh completion, driven in a real interactive zsh (in tmux) with compinit and _shmkit on
# fpath.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/completion-lib.sh"
command -v zsh >/dev/null || skip "no zsh"

setup_fixtures
mkdir -p "$TEST_TMP/zfunc"
cp "$SHMKIT_SOURCE_DIR/completions/_shmkit" "$TEST_TMP/zfunc/"

cat >"$TEST_TMP/.zshrc" <<RC
PS1='%% '
path=($TEST_TMP/bin \$path)
fpath=($TEST_TMP/zfunc \$fpath)
autoload -Uz compinit && compinit -u -d $TEST_TMP/.zcompdump
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' menu no
unsetopt BEEP
bindkey -e
$ARGS_FUNCTION
cd $TEST_TMP
RC
start_shell env ZDOTDIR="$TEST_TMP" zsh -i
wait_for '%'

check_common_completions

# issue 8 defect 1: planted names run nothing and are inserted escaped (no compadd -Q).
plant_hostile_names
check_hostile_names
complete_once 'shmkit read posix:/h1'
wait_for 'shmkit read posix:/h1\$\(touch\$\{IFS\}PWNED1\)'

check_memfd_completions
