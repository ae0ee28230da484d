#!/usr/bin/env bash
# 20 runs at once all succeed, and afterwards nothing of them is left: no
# shim or guest process, no rootfs mount, no shim socket, no sandbox state.
. "$(dirname "$0")/lib.sh"
shim_setup parallel
N=20
pids=()
for i in $(seq $N); do
  (out=$(c run --rm --runtime io.litebox "$IMAGE" p$i sh -c "echo out-$i") &&
    [ "$out" = "out-$i" ] || { echo "p$i: '$out'" >&2; exit 1; }) &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
expect_eq "$failed" 0 "failed parallel runs"

for _ in $(seq 50); do [ -z "$(our_shims)" ] && break; sleep 0.1; done
[ -z "$(our_shims)" ] || fail "shims still running: $(our_shims)"
for i in $(seq $N); do
  [ -e "$(shim_socket p$i)" ] && fail "socket for p$i left: $(shim_socket p$i)"
  [ -e "/run/litebox-shim/default/p$i" ] && fail "sandbox state left: /run/litebox-shim/default/p$i"
done
grep -F "$dir/" /proc/self/mountinfo | grep -F rootfs && fail "rootfs mounts left under $dir"
c task ls | grep -q '^p' && fail "tasks left: $(c task ls)"
# Guests (litebox-guest) and supervisors keep their cwd in the sandbox's
# state dir: none of this test's may remain.
for g in $(guest_pids) $(pgrep -f '__supervise' || true); do
  cwd=$(readlink "/proc/$g/cwd" 2>/dev/null || true)
  case $cwd in /run/litebox-shim/default/p[0-9]*) fail "process $g ($cwd) of this test still running" ;; esac
done
echo PASS
