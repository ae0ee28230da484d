#!/usr/bin/env bash
# The container's exit status reaches ctr: a code, or 128+signal. Pid 1
# keeps a PID namespace's init semantics: signals it has no handler for are
# ignored when they come from inside (itself included, SIGKILL too), a child
# killed by SIGKILL is 137 to its shell, and from outside `ctr task kill`
# forces only SIGKILL (and reaches handlers).
. "$(dirname "$0")/lib.sh"
shim_setup exit-status
set +e
c run --rm --runtime io.litebox "$IMAGE" e1 sh -c 'exit 3'
rc=$?
out2=$(c run --rm --runtime io.litebox "$IMAGE" e2 sh -c 'kill -9 $$; kill -TERM $$; echo init-survived')
rc2=$?
out4=$(c run --rm --runtime io.litebox "$IMAGE" e4 sh -c 'sh -c "kill -9 \$\$"; echo child=$?')
c run --rm --runtime io.litebox "$IMAGE" e3 true
rc0=$?
set -e
expect_eq "$rc" 3 "exit code of 'exit 3'"
expect_eq "$out2" init-survived "pid 1 signalling itself"
expect_eq "$rc2" 0 "exit code after pid 1 signalled itself"
expect_eq "$out4" child=137 "a child killed by SIGKILL, seen by its shell"
expect_eq "$rc0" 0 "exit code of true"

# From outside: SIGKILL ends a running task with 137...
rcfile=$dir/e5.rc
(set +e; c run --rm --runtime io.litebox "$IMAGE" e5 sleep 1000; echo $? >"$rcfile") &
wait_status e5 RUNNING
c task kill -s SIGTERM e5 || fail "kill -s SIGTERM e5"
sleep 0.5
expect_eq "$(task_status e5)" RUNNING "init without a TERM handler after SIGTERM"
c task kill -s SIGKILL e5 || fail "kill -s SIGKILL e5"
wait
expect_eq "$(cat "$rcfile")" 137 "exit status of a task killed with SIGKILL"
# ...and SIGTERM reaches an init that handles it.
(set +e; c run --rm --runtime io.litebox "$IMAGE" e6 sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >"$dir/e6.out"; echo $? >"$dir/e6.rc") &
for _ in $(seq 100); do grep -qx ready "$dir/e6.out" 2>/dev/null && break; sleep 0.1; done
c task kill -s SIGTERM e6 || fail "kill -s SIGTERM e6"
wait
expect_eq "$(cat "$dir/e6.rc")" 7 "exit status of the TERM handler"
grep -q got-term "$dir/e6.out" || fail "the TERM handler did not run: $(cat "$dir/e6.out")"
echo PASS
