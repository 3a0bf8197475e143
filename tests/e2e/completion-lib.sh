# Helpers for driving a real interactive shell in tmux (sourced by completion-*.sh, after
# common.sh). Each test gets its own tmux server socket, killed at exit.
# shellcheck shell=bash

command -v tmux >/dev/null || skip "no tmux"
TMUX_SOCKET=shmkit-test-$$
on_exit "tmux -L $TMUX_SOCKET kill-server"
unset TMUX

# start_shell CMD...: starts CMD in a detached 200x50 pane.
start_shell() {
  tmux -L "$TMUX_SOCKET" new-session -d -s t -x 200 -y 50 "$@"
}

screen() { tmux -L "$TMUX_SOCKET" capture-pane -p -t t -S -50; }

# wait_for TEXT: polls the screen until TEXT appears (5 s at most).
wait_for() {
  local i
  for ((i = 0; i < 100; i++)); do
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
