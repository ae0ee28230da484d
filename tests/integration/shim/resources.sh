#!/usr/bin/env bash
# linux.resources through containerd (issue 6): `ctr run --memory-limit`
# OOM-kills a program that exceeds it (the same program without the limit
# exits 0); `ctr task metrics` reports the cgroup's limit and usage, and a
# container without limits still reports its processes; the cgroup is gone
# with the container. Skipped (77) without a usable cgroup v1 hierarchy.
. "$(dirname "$0")/lib.sh"
[ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ] || { echo "SKIP: no cgroup v1 memory/pids hierarchy"; exit 77; }
shim_setup resources

eat='dd if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null; echo rc=$?'
out=$(c run --rm --runtime io.litebox --memory-limit $((48 << 20)) "$IMAGE" res1 sh -c "$eat") ||
  fail "run res1: $out"
expect_eq "$out" rc=137 "res1 (96 MiB under a 48 MiB limit)"
out=$(c run --rm --runtime io.litebox "$IMAGE" res2 sh -c "$eat") || fail "run res2: $out"
expect_eq "$out" rc=0 "res2 (no limit)"

c run -d --runtime io.litebox --memory-limit $((100 << 20)) "$IMAGE" res3 sh -c 'sleep 1000 & sleep 1000' ||
  fail "run -d res3"
init=$(c task ls | awk '$1=="res3"{print $2}')
cg=$(awk -F: '$2=="memory"{print $3}' "/proc/$init/cgroup")
[ -n "$cg" ] && [ "$cg" != / ] || fail "res3: init $init is in no memory cgroup of its own ('$cg')"
for _ in $(seq 50); do
  metrics=$(c task metrics res3)
  grep -qE '^pids.current +2 *$' <<<"$metrics" && break
  sleep 0.1
done
grep -qE "^memory.limit_in_bytes +$((100 << 20)) *\$" <<<"$metrics" || fail "res3 metrics: no 100 MiB limit: $metrics"
grep -qE '^pids.current +2 *$' <<<"$metrics" || fail "res3 metrics: expected 2 processes: $metrics"
usage=$(awk '$1=="memory.usage_in_bytes"{print $2}' <<<"$metrics")
[ "${usage:-0}" -gt 0 ] || fail "res3 metrics: no memory usage: $metrics"

c run -d --runtime io.litebox "$IMAGE" res4 sleep 1000 || fail "run -d res4"
metrics=$(c task metrics res4) || fail "res4 metrics (no limits): $metrics"
grep -qE '^pids.current +1 *$' <<<"$metrics" || fail "res4 metrics: expected 1 process: $metrics"

for id in res3 res4; do
  c task kill -s KILL "$id"
  wait_status "$id" STOPPED
  c task delete "$id" >/dev/null
  c container delete "$id"
done
[ ! -d "/sys/fs/cgroup/memory$cg" ] || fail "res3's cgroup $cg is left"

# The supervisor SIGKILLed under a limited task: the task stops and its
# cgroup goes with the container all the same (the shim removes it).
c run -d --runtime io.litebox --memory-limit $((100 << 20)) "$IMAGE" res5 sleep 1000 || fail "run -d res5"
init=$(c task ls | awk '$1=="res5"{print $2}')
cg=$(awk -F: '$2=="memory"{print $3}' "/proc/$init/cgroup")
sup=""
for g in $(pgrep -f __supervise || true); do
  [ "$(readlink "/proc/$g/cwd" 2>/dev/null)" = /run/litebox-shim/default/res5 ] && sup=$g
done
[ -n "$sup" ] || fail "res5: no supervisor found"
kill -9 "$sup"
wait_status res5 STOPPED
c task delete res5 >/dev/null
c container delete res5
for _ in $(seq 50); do [ -d "/sys/fs/cgroup/memory$cg" ] || break; sleep 0.1; done
[ ! -d "/sys/fs/cgroup/memory$cg" ] || fail "res5: cgroup $cg left after its supervisor was killed"
echo PASS
