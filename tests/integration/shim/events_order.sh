#!/usr/bin/env bash
# ctr events sees a run's task events in the documented order.
. "$(dirname "$0")/lib.sh"
shim_setup events
events=$dir/events.txt
"$fixture" ctr "$dir" events >"$events" 2>&1 &
ev_pid=$!
sleep 0.5
c run --rm --runtime io.litebox "$IMAGE" ev1 true || fail "run"
c container create --runtime io.litebox "$IMAGE" ev2 sleep 100 || fail "create ev2"
c task start -d ev2 || fail "start ev2"
c task exec --exec-id x ev2 true || fail "exec"
c task pause ev2 2>/dev/null && paused=1 || paused=0
[ "$paused" = 1 ] && { c task resume ev2 || fail "resume"; }
c task kill -s SIGKILL ev2
for _ in $(seq 50); do [ "$(c task ls | awk '$1=="ev2"{print $3}')" = STOPPED ] && break; sleep 0.1; done
c task delete ev2 || fail "delete ev2"
sleep 0.5
kill "$ev_pid" 2>/dev/null || true
wait "$ev_pid" 2>/dev/null || true

# Lines: DATE TIME +0000 UTC NAMESPACE TOPIC JSON
topics() { grep -F "\"container_id\":\"$1\"" "$events" | awk '{print $6}' | grep '^/tasks/' | tr '\n' ' '; }
expect_eq "$(topics ev1)" "/tasks/create /tasks/start /tasks/exit /tasks/delete " "ev1 task events"
want="/tasks/create /tasks/start /tasks/exec-added /tasks/exec-started /tasks/exit "
[ "$paused" = 1 ] && want+="/tasks/paused /tasks/resumed "
want+="/tasks/exit /tasks/delete "
expect_eq "$(topics ev2)" "$want" "ev2 task events"
# The exec's exit names the exec, the init's exit names the container.
grep -F '"container_id":"ev2"' "$events" | grep '/tasks/exit' | head -1 | grep -q '"id":"x"' ||
  fail "first ev2 exit is not the exec's: $(grep /tasks/exit "$events")"
grep -F '"container_id":"ev2"' "$events" | grep '/tasks/exit' | tail -1 | grep -q '"id":"ev2"' ||
  fail "last ev2 exit is not the init's"
echo PASS
