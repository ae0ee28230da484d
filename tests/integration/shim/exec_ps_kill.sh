#!/usr/bin/env bash
# A detached task, exec into it, list its processes, kill, delete.
. "$(dirname "$0")/lib.sh"
shim_setup exec-ps-kill
c container create --runtime io.litebox "$IMAGE" k1 sleep 1000 || fail "container create"
c task start -d k1 || fail "task start -d"
init_pid=$(c task ls | awk '$1=="k1"{print $2}')
[ -n "$init_pid" ] && [ -d "/proc/$init_pid" ] || fail "init pid '$init_pid' is not a live host process"
expect_eq "$(task_status k1)" RUNNING "status after start"

out=$(c task exec --exec-id x1 k1 sh -c 'echo exec-out; exit 5' 2>&1) && fail "exec exit 5 reported success"
expect_eq "$out" "exec-out" "exec output"

c task exec -d --exec-id x2 k1 sleep 500 || fail "detached exec"
sleep 0.5
ps_out=$(c task ps k1)
echo "$ps_out" | grep -q "^$init_pid " || fail "task ps lacks the init pid $init_pid: $ps_out"
echo "$ps_out" | grep -q "ExecID:x2" || fail "task ps lacks exec x2: $ps_out"
exec_pid=$(echo "$ps_out" | awk '/ExecID:x2/{print $1}')
[ -d "/proc/$exec_pid" ] || fail "exec pid $exec_pid not alive"

# Pause stops every process of the container and resume lets them go on:
# a counter, read through the bundle's rootfs, stands still while paused.
c task exec -d --exec-id counter k1 sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done' ||
  fail "counter exec"
count_file=$dir/state/io.containerd.runtime.v2.task/default/k1/rootfs/tmp/count
count() { cat "$count_file" 2>/dev/null || echo 0; }
sleep 0.5
c task pause k1 || fail "task pause"
expect_eq "$(task_status k1)" PAUSED "status after pause"
sleep 0.2
paused_at=$(count)
sleep 0.6
expect_eq "$(count)" "$paused_at" "counter while paused"
c task resume k1 || fail "task resume"
expect_eq "$(task_status k1)" RUNNING "status after resume"
sleep 0.6
[ "$(count)" -gt "$paused_at" ] || fail "counter did not move after resume ($(count) <= $paused_at)"
# Metrics without limits (no cgroup): counted from the sandbox's processes.
out=$(c task metrics k1 2>&1) || fail "task metrics k1: $out"
n=$(awk '$1=="pids.current"{print $2}' <<<"$out")
[ "${n:-0}" -ge 1 ] || fail "task metrics k1: no processes counted: $out"

# A duplicate exec id is refused.
c task exec -d --exec-id x2 k1 true 2>/dev/null && fail "duplicate exec id accepted"

c task kill -s SIGKILL k1 || fail "task kill"
wait_status k1 STOPPED
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
