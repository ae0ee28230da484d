#!/usr/bin/env bash
# containerd restarts while a task runs: the shim lives on, containerd
# reconnects to it from <bundle>/address, and the task is still listed,
# running, and can be exec'd into, killed and deleted.
. "$(dirname "$0")/lib.sh"
shim_setup restart
c run -d --runtime io.litebox "$IMAGE" rs1 sh -c 'echo started > /tmp/mark; exec sleep 1000' ||
  fail "run -d"
shim_before=$(our_shims)
[ -n "$shim_before" ] || fail "no shim serves the task"

"$fixture" restart "$dir" >/dev/null || fail "containerd did not restart"

[ "$(our_shims)" = "$shim_before" ] || fail "the shim did not survive the restart: before $shim_before, now $(our_shims)"
status=$(task_status rs1)
expect_eq "$status" RUNNING "task status after the restart"
out=$(c task exec --exec-id after-restart rs1 cat /tmp/mark) || fail "exec after the restart: $out"
expect_eq "$out" started "exec after the restart"
c task kill -s SIGKILL rs1 || fail "kill after the restart"
wait_status rs1 STOPPED
c task delete rs1 >/dev/null || fail "task delete after the restart"
c container delete rs1 >/dev/null || fail "container delete after the restart"
for _ in $(seq 50); do
  [ -z "$(our_shims)" ] && break
  sleep 0.1
done
[ -z "$(our_shims)" ] || fail "shim $(our_shims) still runs after delete"
[ -e "$(shim_socket rs1)" ] && fail "socket left: $(shim_socket rs1)"
[ -e /run/litebox-shim/default/rs1 ] && fail "sandbox state left: /run/litebox-shim/default/rs1"
grep -F "$dir/" /proc/self/mountinfo | grep -F rootfs && fail "rootfs mounts left under $dir"
for g in $(guest_pids) $(pgrep -f '__supervise' || true); do
  case $(readlink "/proc/$g/cwd" 2>/dev/null || true) in
    /run/litebox-shim/default/rs1*) fail "process $g of rs1 still running" ;;
  esac
done
echo PASS
