#!/usr/bin/env bash
# ctr run -t: the container's stdio is a terminal (the shim's pty), and what
# is typed reaches it. `script` gives ctr a terminal of its own. timeout runs
# with --foreground: otherwise it moves ctr out of the terminal's foreground
# process group whenever script's shell does not exec it (dash, when SHELL is
# unset as under CI), and ctr stops on SIGTTOU setting the terminal raw.
. "$(dirname "$0")/lib.sh"
shim_setup tty
ctr_cmd="timeout --foreground -s KILL 30 $fixture ctr $dir"
out=$(script -qec "$ctr_cmd run -t --rm --runtime io.litebox $IMAGE tt sh -c 'test -t 0 && test -t 1 && echo both-are-ttys'" /dev/null) ||
  fail "run -t: $out"
echo "$out" | grep -q both-are-ttys || fail "stdio is not a terminal: $out"
out=$( (sleep 2; printf 'typed-text\r'; sleep 2) |
  script -qec "$ctr_cmd run -t --rm --runtime io.litebox $IMAGE tt2 sh -c 'read x; echo got-\$x'" /dev/null) ||
  fail "run -t with input: $out"
echo "$out" | grep -q got-typed-text || fail "typed input did not reach the container: $out"
# An exec with its own terminal.
c run -d --runtime io.litebox "$IMAGE" tt3 sleep 1000 || fail "run -d"
out=$(script -qec "$ctr_cmd task exec -t --exec-id e1 tt3 sh -c 'test -t 0 && echo exec-has-tty'" /dev/null) ||
  fail "exec -t: $out"
echo "$out" | grep -q exec-has-tty || fail "exec stdio is not a terminal: $out"
c task kill -s SIGKILL tt3
for _ in $(seq 50); do [ "$(c task ls | awk '$1=="tt3"{print $3}')" = STOPPED ] && break; sleep 0.1; done
c task delete tt3 >/dev/null || fail "delete tt3"
echo PASS
