# Helpers for driving a real interactive shell in tmux (sourced by completion-*.sh, after
# common.sh). Each test gets its own tmux server socket, killed at exit.
# shellcheck shell=bash
# shellcheck disable=SC2016 # the planted names are shell syntax in single quotes, on purpose

command -v tmux >/dev/null || skip "no tmux"
TMUX_SOCKET=shmkit-test-${TEST_TMP##*.} # $$ is 1 in every test's PID namespace
on_exit "tmux -L $TMUX_SOCKET kill-server"
unset TMUX

# start_shell CMD...: starts CMD in a detached 200x50 pane.
start_shell() {
  tmux -L "$TMUX_SOCKET" new-session -d -s t -x 200 -y 50 "$@"
}

screen() { tmux -L "$TMUX_SOCKET" capture-pane -p -t t -S -50; }

# wait_for TEXT: polls the screen until TEXT appears (10 s at most: completing runs shmkit ls,
# which is slow under ASan on a loaded machine).
wait_for() {
  local i
  for ((i = 0; i < 200; i++)); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  printf 'FAIL: %q never appeared; screen:\n%s\n' "$1" "$(screen)" >&2
  exit 1
}

keys() { tmux -L "$TMUX_SOCKET" send-keys -t t "$@"; }

# complete LINE: clears the screen and the line, types LINE, presses TAB twice, and prints the
# screen once it has settled.
complete_line() {
  keys C-e C-u
  sleep 0.1
  keys C-l
  sleep 0.2
  keys -l "$1"
  keys Tab
  sleep 0.2
  keys Tab
  sleep 0.4
  screen
}

# complete_once LINE: clears the line, types LINE and presses TAB once (a unique match is
# inserted whole).
complete_once() {
  keys C-e C-u
  sleep 0.1
  keys C-l
  sleep 0.2
  keys -l "$1"
  keys Tab
  sleep 0.5
}

# setup_fixtures: shmkit on PATH in $TEST_TMP/bin, a POSIX object demo_seg, a SysV segment with
# key 0x00c0ffee (its shmid in $id) and a file ring.bin in $TEST_TMP (the shell's directory).
setup_fixtures() {
  mkdir -p "$TEST_TMP/bin"
  ln -s "$SHMKIT" "$TEST_TMP/bin/shmkit"
  head -c 64 /dev/zero >/dev/shm/demo_seg
  id=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).shmget(0x00c0ffee, 4096, 0o1000 | 0o600))')
  on_exit "ipcrm -m $id"
  touch "$TEST_TMP/ring.bin"
}

# What the rc files define: `shmkit_args WORDS...` writes its arguments, NUL-terminated, to
# $TEST_TMP/args.out, so a completed line can be read back exactly as the shell parses it.
# shellcheck disable=SC2034 # used by the scripts that source this file
ARGS_FUNCTION="shmkit_args() { printf '%s\\0' \"\$@\" >$TEST_TMP/args.tmp && mv $TEST_TMP/args.tmp $TEST_TMP/args.out; }"

# The checks both shells must pass (bash- or zsh-only ones stay in their scripts).
check_common_completions() {
  local out sub opt f
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
  if ! grep -qw NAME <<<"$out" || ! grep -qw NATTCH <<<"$out"; then
    fail "column continuation: $out"
  fi

  complete_line 'shmkit rm ' >/dev/null
  wait_for "posix:/demo_seg" # the listing comes once shmkit ls has answered
  out=$(screen)
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
  # --opt=VALUE: readline replaces only what follows the `=` (bash used to give
  # --color=--color=always).
  complete_line 'shmkit ls --color=al' >/dev/null
  wait_for 'shmkit ls --color=always'
  complete_line 'shmkit ls --output=SEGMENT,SI' >/dev/null
  wait_for 'shmkit ls --output=SEGMENT,SIZE'
  check_target_completions
}

# --target PID (issue 11): PIDs from /proc; after it, the segments of that process's namespaces
# (a process in its own IPC and mount namespaces, with its own /dev/shm), not ours.
check_target_completions() {
  local out ctr
  unshare --ipc --mount --propagation private -- bash -c \
    'mount -t tmpfs ctr /dev/shm && : >/dev/shm/ctr_only && exec sleep 600' &
  ctr=$!
  on_exit "kill $ctr"
  local i
  for ((i = 0; i < 200; i++)); do
    [[ -e /proc/$ctr/root/dev/shm/ctr_only ]] && break
    sleep 0.05
  done
  complete_line 'shmkit --tar' >/dev/null
  wait_for 'shmkit --target'
  out=$(complete_line 'shmkit --target ')
  grep -qw "$ctr" <<<"$out" || fail "shmkit --target <TAB> lacks pid $ctr: $out"
  complete_line "shmkit --target $ctr rm " >/dev/null
  wait_for 'posix:/ctr_only'
  out=$(screen | sed -n "/shmkit --target $ctr rm/,\$p") # what came after the line typed
  grep -qF posix:/demo_seg <<<"$out" && fail "--target $ctr rm <TAB> shows our own segment: $out"
  complete_line "shmkit --target=$ctr read posix:/c" >/dev/null
  wait_for "shmkit --target=$ctr read posix:/ctr_only"
}

# issue 8 defect 1: /dev/shm is world-writable, so any local user can plant a name that is shell
# syntax; completion must treat it as data (nothing runs, nothing globs) and insert it quoted.
# Pairs: the line typed before TAB, and the last word the completed line must parse back to (the
# escaped address `shmkit ls -o SEGMENT` prints: odd bytes as \xHH, the rest as is).
HOSTILE_CASES=(
  'shmkit read posix:/h1' 'posix:/h1$(touch${IFS}PWNED1)'
  'shmkit read posix:/h2' 'posix:/h2`touch${IFS}PWNED2`'
  'shmkit read posix:/h3' 'posix:/h3*'
  'shmkit read posix:/h4' "posix:/h4'q\"x;y|z&w>v<u(t)"
  'shmkit read posix:/h5' 'posix:/h5\x20a\x0ab'
  'shmkit read posix:/h6' 'posix:/h6\x1b]0;PWNED6\x07\x1b[31m'
  'shmkit read posix:/h7' 'posix:/h7${HOME}~!#{a,b}'
  'shmkit read file:./f' 'file:./f$(touch${IFS}PWNED8);`touch${IFS}PWNED9`'
  'shmkit read ./f' './f$(touch${IFS}PWNED8);`touch${IFS}PWNED9`'
  # The same when the user has typed quoting: a backslash, an open '...' or "...".
  'shmkit read posix:/h1\$' 'posix:/h1$(touch${IFS}PWNED1)'
  "shmkit read 'posix:/h4" "posix:/h4'q\"x;y|z&w>v<u(t)"
  'shmkit read "posix:/h7' 'posix:/h7${HOME}~!#{a,b}'
  "shmkit read 'file:./f" 'file:./f$(touch${IFS}PWNED8);`touch${IFS}PWNED9`'
)

# plant_hostile_names: the names behind HOSTILE_CASES, plus a directory `posix:` holding h3decoy,
# which an unquoted posix:/h3* would glob to.
plant_hostile_names() {
  local name
  for name in 'h1$(touch${IFS}PWNED1)' 'h2`touch${IFS}PWNED2`' 'h3*' "h4'q\"x;y|z&w>v<u(t)" \
    $'h5 a\nb' $'h6\e]0;PWNED6\a\e[31m' 'h7${HOME}~!#{a,b}'; do
    printf x >"/dev/shm/$name"
  done
  touch "$TEST_TMP/"'f$(touch${IFS}PWNED8);`touch${IFS}PWNED9`'
  mkdir "$TEST_TMP/posix:"
  touch "$TEST_TMP/posix:/h3decoy"
}

# nothing_ran WHAT: no PWNED* file appeared and no planted escape sequence reached the terminal.
nothing_ran() {
  local pwned
  pwned=$(cd "$TEST_TMP" && find . -name 'PWNED*')
  [[ -z $pwned ]] || fail "$1 ran planted code: $pwned"
  [[ $(tmux -L "$TMUX_SOCKET" display-message -p -t t '#{pane_title}') != *PWNED* ]] ||
    fail "$1 let a planted escape sequence through"
}

check_hostile_names() {
  local i j line want got
  # Listing every segment runs nothing.
  complete_line 'shmkit read po' >/dev/null
  nothing_ran 'shmkit read po<TAB><TAB>'
  complete_line 'shmkit rm ' >/dev/null
  nothing_ran 'shmkit rm <TAB><TAB>'
  for ((i = 0; i < ${#HOSTILE_CASES[@]}; i += 2)); do
    line=${HOSTILE_CASES[i]} want=${HOSTILE_CASES[i + 1]}
    rm -f "$TEST_TMP/args.out"
    complete_once "$line"
    nothing_ran "$line<TAB>"
    # Read the completed line back: prefix it with shmkit_args and run it.
    keys C-a
    keys -l 'shmkit_args '
    keys Enter
    for ((j = 0; j < 100; j++)); do
      [[ -f $TEST_TMP/args.out ]] && break
      sleep 0.05
    done
    [[ -f $TEST_TMP/args.out ]] || fail "$line<TAB>: the completed line did not run; screen:
$(screen)"
    got=$(tr '\0' '\n' <"$TEST_TMP/args.out")
    expect_eq "$got" "shmkit
read
$want" "$line<TAB> then reading the line back"
    nothing_ran "$line<TAB> (run)"
  done
}

# check_memfd_completions: --type offers memfd, and a word starting with memfd: completes to
# the address of a memfd held by a process started here (only then does completion list them).
check_memfd_completions() {
  command -v python3 >/dev/null || return 0
  python3 -c 'import os, sys, time
fd = os.memfd_create("completed")
open(sys.argv[1], "w").write(f"{os.getpid()}:{fd}")
time.sleep(600)' "$TEST_TMP/memfd.ready" &
  local holder=$! i
  on_exit "kill $holder"
  for ((i = 0; i < 500; i++)); do [[ -s $TEST_TMP/memfd.ready ]] && break; sleep 0.02; done
  complete_once 'shmkit ls --type mem'
  wait_for 'shmkit ls --type memfd'
  complete_once 'shmkit read memfd:'
  wait_for "shmkit read memfd:$(cat "$TEST_TMP/memfd.ready")"
}
