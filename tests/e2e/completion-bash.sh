#!/usr/bin/env bash
# bash completion, driven in a real interactive bash (in tmux) through bash-completion.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/completion-lib.sh"
[[ -f /usr/share/bash-completion/bash_completion ]] || skip "bash-completion is not installed"

setup_fixtures

cat >"$TEST_TMP/bashrc" <<RC
PS1='$ '
PATH=$TEST_TMP/bin:\$PATH
unset HISTFILE
source /usr/share/bash-completion/bash_completion
source $SHMKIT_SOURCE_DIR/completions/shmkit.bash
bind 'set bell-style none'
$ARGS_FUNCTION
cd $TEST_TMP
RC
start_shell bash --noprofile --rcfile "$TEST_TMP/bashrc" -i
wait_for '$'

check_common_completions

out=$(complete_line 'shmkit watch --endian ')
grep -qw little <<<"$out" && grep -qw big <<<"$out" || fail "--endian: $out"
complete_line 'shmkit ls --color al' >/dev/null
wait_for 'shmkit ls --color always'

# issue 8 defect 1: planted names run nothing and are inserted quoted (printf %q).
plant_hostile_names
check_hostile_names
complete_once 'shmkit read posix:/h1'
wait_for 'shmkit read posix:/h1\$\(touch\$\{IFS\}PWNED1\)'

check_memfd_completions
