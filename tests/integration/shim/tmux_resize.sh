#!/usr/bin/env bash
# `ctr run -t` in a real terminal (tmux): what is typed reaches the
# container's shell, its answer comes back, and resizing the window reaches
# the container's pty (ctr catches SIGWINCH and calls ResizePty).
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || fail "tmux is not installed (packaging/install-deps.sh installs it)"
shim_setup tmux
session=lbshim-tmux-$$
cleanup_tmux() { tmux kill-session -t "$session" 2>/dev/null || true; shim_teardown; }
trap cleanup_tmux EXIT

# Waits until the pane shows a line matching $1 (extended regex).
wait_pane() {
  for _ in $(seq 100); do
    tmux capture-pane -p -t "$session" | grep -Eq "$1" && return 0
    sleep 0.1
  done
  fail "pane never showed /$1/; it shows: $(tmux capture-pane -p -t "$session")"
}

tmux new-session -d -s "$session" -x 100 -y 30 \
  "$fixture ctr $dir run -t --rm --runtime io.litebox $IMAGE tmuxc sh"
wait_pane '^/ #'
tmux send-keys -t "$session" 'echo answer=$((6*7))' Enter
wait_pane '^answer=42$'
tmux send-keys -t "$session" 'stty size' Enter
wait_pane '^30 100$'
tmux resize-window -t "$session" -x 90 -y 20
sleep 0.5
tmux send-keys -t "$session" 'stty size' Enter
wait_pane '^20 90$'
tmux send-keys -t "$session" 'exit 0' Enter
for _ in $(seq 100); do
  tmux has-session -t "$session" 2>/dev/null || break
  sleep 0.1
done
tmux has-session -t "$session" 2>/dev/null && fail "ctr did not return after the shell exited"
echo PASS
