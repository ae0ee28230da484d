#!/usr/bin/env bash
# Faults under a real containerd (issue 8): SIGKILL of the supervisor or of
# the container's init while the task runs, and of the supervisor at points
# during `ctr run -d` (create/start). In every case containerd's view
# converges (the task stops or never appears; delete works) and nothing of
# the container is left: no guest, supervisor, state dir, mount or socket.
# (SIGKILL of the shim itself: shim_crash_cleanup.sh; containerd restart:
# containerd_restart.sh.)
. "$(dirname "$0")/lib.sh"
shim_setup faults

# Processes of container $1: guests and supervisors keep their cwd in its state dir.
procs_of() {
  local g
  for g in $(guest_pids) $(pgrep -f '__supervise' || true); do
    case $(readlink "/proc/$g/cwd" 2>/dev/null || true) in
      /run/litebox-shim/default/$1 | /run/litebox-shim/default/$1/*) echo "$g" ;;
    esac
  done
  return 0
}
supervisor_of() {
  local g
  for g in $(pgrep -f '__supervise' || true); do
    case $(readlink "/proc/$g/cwd" 2>/dev/null || true) in
      /run/litebox-shim/default/$1 | /run/litebox-shim/default/$1/*) echo "$g" ;;
    esac
  done
  return 0
}
# Deletes container $1 (task first, forced) and checks nothing of it is left.
converge() {
  c task delete -f "$1" >/dev/null 2>&1 || true
  c container delete "$1" >/dev/null 2>&1 || true
  for _ in $(seq 50); do [ -z "$(procs_of "$1")" ] && break; sleep 0.1; done
  [ -z "$(procs_of "$1")" ] || fail "$1: processes left: $(procs_of "$1")"
  [ -z "$(task_status "$1")" ] || fail "$1: task still listed: $(c task ls)"
  c container ls -q | grep -qx "$1" && fail "$1: container still listed"
  [ -e "/run/litebox-shim/default/$1" ] && fail "$1: state dir left"
  grep -F "/default/$1/rootfs" /proc/self/mountinfo && fail "$1: rootfs still mounted"
  [ -e "$(shim_socket "$1")" ] && fail "$1: shim socket left"
  return 0
}

# 1. The supervisor dies under a running task: the task stops.
c run -d --runtime io.litebox "$IMAGE" fs1 sleep 1000 || fail "run -d fs1"
sup=$(supervisor_of fs1)
[ -n "$sup" ] || fail "fs1: no supervisor found"
kill -9 $sup
wait_status fs1 STOPPED
converge fs1

# 2. The container's init is SIGKILLed from the host: the task stops.
c run -d --runtime io.litebox "$IMAGE" fs2 sh -c 'sleep 1000 & wait' || fail "run -d fs2"
init=$(c task ls | awk '$1=="fs2"{print $2}')
[ -n "$init" ] && [ -d "/proc/$init" ] || fail "fs2: init '$init' not alive"
kill -9 "$init"
wait_status fs2 STOPPED
converge fs2

# 3. An exec'd process is SIGKILLed from the host: the exec ends with 137,
#    the task runs on.
c run -d --runtime io.litebox "$IMAGE" fs3 sleep 1000 || fail "run -d fs3"
(set +e; c task exec --exec-id victim fs3 sleep 1000; echo $? >"$dir/victim.rc") &
victim=""
for _ in $(seq 100); do
  victim=$(c task ps fs3 | awk '/ExecID:victim/{print $1}')
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || fail "fs3: exec victim never showed in task ps"
kill -9 "$victim"
wait
expect_eq "$(cat "$dir/victim.rc")" 137 "fs3: exit status of the killed exec"
expect_eq "$(task_status fs3)" RUNNING "fs3 after its exec was killed"
converge fs3

# 4. The supervisor is killed at points during `ctr run -d` (create, start).
for delay in 0 0.02 0.05 0.1 0.2 0.4; do
  id=fp${delay/./}
  (c run -d --runtime io.litebox "$IMAGE" "$id" sleep 1000 >/dev/null 2>&1 || true) &
  runner=$!
  sleep "$delay"
  for _ in $(seq 20); do
    sup=$(supervisor_of "$id")
    [ -n "$sup" ] && break
    sleep 0.01
  done
  [ -n "$sup" ] && kill -9 $sup
  wait "$runner"
  st=$(task_status "$id")
  case $st in "" | STOPPED | CREATED) ;; *) wait_status "$id" STOPPED ;; esac
  converge "$id"
done
echo PASS
