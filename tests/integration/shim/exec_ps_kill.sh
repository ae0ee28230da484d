#!/usr/bin/env bash
# A detached task, exec into it, list its processes, kill, delete.
. "$(dirname "$0")/lib.sh"
shim_setup exec-ps-kill
c container create --runtime io.litebox "$IMAGE" k1 sleep 1000 || fail "container create"
c task start -d k1 || fail "task start -d"
init_pid=$(c task ls | awk '$1=="k1"{print $2}')
[ -n "$init_pid" ] && [ -d "/proc/$init_pid" ] || fail "init pid '$init_pid' is not a live host process"
expect_eq "$(c task ls | awk '$1=="k1"{print $3}')" RUNNING "status after start"

out=$(c task exec --exec-id x1 k1 sh -c 'echo exec-out; exit 5' 2>&1) && fail "exec exit 5 reported success"
expect_eq "$out" "exec-out" "exec output"

c task exec -d --exec-id x2 k1 sleep 500 || fail "detached exec"
sleep 0.5
ps_out=$(c task ps k1)
echo "$ps_out" | grep -q "^$init_pid " || fail "task ps lacks the init pid $init_pid: $ps_out"
echo "$ps_out" | grep -q "ExecID:x2" || fail "task ps lacks exec x2: $ps_out"
exec_pid=$(echo "$ps_out" | awk '/ExecID:x2/{print $1}')
[ -d "/proc/$exec_pid" ] || fail "exec pid $exec_pid not alive"

# A duplicate exec id is refused.
c task exec -d --exec-id x2 k1 true 2>/dev/null && fail "duplicate exec id accepted"

c task kill -s SIGKILL k1 || fail "task kill"
for _ in $(seq 50); do
  [ "$(c task ls | awk '$1=="k1"{print $3}')" = STOPPED ] && break
  sleep 0.1
done
expect_eq "$(c task ls | awk '$1=="k1"{print $3}')" STOPPED "status after SIGKILL"
[ -d "/proc/$exec_pid" ] && fail "exec $exec_pid survived its container's init"
out=$(c task exec --exec-id late k1 true 2>&1) && fail "exec into a stopped container succeeded"
echo "$out" | grep -q "failed precondition" || fail "exec into a stopped container: $out"
# Killing a finished task is not an error for containerd (NotFound is ignored).
c task kill -s SIGKILL k1 2>/dev/null || true
c task delete k1 || fail "task delete"
c container delete k1 || fail "container delete"
[ -d "/proc/$init_pid" ] && fail "init $init_pid still exists after delete"
for _ in $(seq 50); do [ -z "$(our_shims)" ] && break; sleep 0.1; done
[ -z "$(our_shims)" ] || fail "shim still running after the last task was deleted"
echo PASS
