#!/usr/bin/env bash
# ctr run -t: the container's stdio is a terminal (the shim's pty), and what
# is typed reaches it. `script` gives ctr a terminal of its own.
. "$(dirname "$0")/lib.sh"
shim_setup tty
ctr_cmd="timeout -s KILL 30 $fixture ctr $dir"
out=$(script -qec "$ctr_cmd run -t --rm --runtime io.litebox $IMAGE tt sh -c 'test -t 0 && test -t 1 && echo both-are-ttys'" /dev/null) ||
  fail "run -t: $out"
echo "$out" | grep -q both-are-ttys || fail "stdio is not a terminal: $out"
out=$( (sleep 2; printf 'typed-text\r'; sleep 2) |
  script -qec "$ctr_cmd run -t --rm --runtime io.litebox $IMAGE tt2 sh -c 'read x; echo got-\$x'" /dev/null) ||
  fail "run -t with input: $out"
echo "$out" | grep -q got-typed-text || fail "typed input did not reach the container: $out"
echo PASS
