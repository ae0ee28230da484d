#!/usr/bin/env bash
# Load through a real containerd (issue 8): a long-lived shim serving many
# execs does not grow (fds, RSS); sequential run/delete cycles and 50
# concurrent runs all succeed and leave nothing behind. Sizes:
# LITEBOX_LOAD_EXECS (default 100), LITEBOX_LOAD_CYCLES (default 100;
# `tests/run.sh --long` sets 1000), LITEBOX_LOAD_CONCURRENT (default 50).
. "$(dirname "$0")/lib.sh"
execs=${LITEBOX_LOAD_EXECS:-100}
cycles=${LITEBOX_LOAD_CYCLES:-100}
conc=${LITEBOX_LOAD_CONCURRENT:-50}
shim_setup load

fds_of() { ls "/proc/$1/fd" | wc -l; }
rss_kib_of() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# 1. One long-lived task; its shim serves $execs execs.
c run -d --runtime io.litebox "$IMAGE" ld0 sleep 100000 || fail "run -d ld0"
shim=$(our_shims)
[ "$(echo "$shim" | wc -w)" = 1 ] || fail "expected one shim, got: $shim"
for i in $(seq 10); do c task exec --exec-id warm$i ld0 true || fail "warm-up exec $i"; done
fd0=$(fds_of "$shim")
rss0=$(rss_kib_of "$shim")
for i in $(seq "$execs"); do
  out=$(c task exec --exec-id x$i ld0 echo exec-$i) || fail "exec $i"
  [ "$out" = "exec-$i" ] || fail "exec $i printed '$out'"
done
fd1=$(fds_of "$shim")
rss1=$(rss_kib_of "$shim")
echo "shim after $execs execs: fds $fd0 -> $fd1, RSS ${rss0} -> ${rss1} KiB"
[ "$fd1" -le $((fd0 + 2)) ] || fail "the shim's fds grew over $execs execs: $fd0 -> $fd1"
[ "$rss1" -le $((rss0 + 4096)) ] || fail "the shim's RSS grew over $execs execs: $rss0 -> $rss1 KiB"

# 2. Sequential run/delete cycles.
start=$SECONDS
for i in $(seq "$cycles"); do
  out=$(c run --rm --runtime io.litebox "$IMAGE" lc$i echo cycle-$i) || fail "cycle $i"
  [ "$out" = "cycle-$i" ] || fail "cycle $i printed '$out'"
done
echo "$cycles sequential run/delete cycles in $((SECONDS - start)) s"

# 3. Concurrent runs.
pids=()
for i in $(seq "$conc"); do
  (c run --rm --runtime io.litebox "$IMAGE" cc$i sh -c "echo conc-$i" >"$dir/cc$i.out" 2>&1) &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
[ "$failed" = 0 ] || fail "$failed of $conc concurrent runs failed (e.g. $(cat "$dir"/cc*.out | head -3))"
for i in $(seq "$conc"); do grep -qx "conc-$i" "$dir/cc$i.out" || fail "cc$i printed: $(cat "$dir/cc$i.out")"; done

# Nothing of the cycles or the concurrent runs is left.
c task kill -s SIGKILL ld0 >/dev/null
wait_status ld0 STOPPED
c task delete ld0 >/dev/null || fail "delete ld0"
c container delete ld0 >/dev/null || fail "container delete ld0"
for _ in $(seq 50); do [ -z "$(our_shims)" ] && break; sleep 0.1; done
[ -z "$(our_shims)" ] || fail "shims still running: $(our_shims)"
c task ls | grep -Eq '^(lc|cc|ld)' && fail "tasks left: $(c task ls)"
c container ls -q | grep -Eq '^(lc|cc|ld)' && fail "containers left: $(c container ls -q)"
ls /run/litebox-shim/default 2>/dev/null | grep -Eq '^(lc|cc|ld)[0-9]' &&
  fail "sandbox state left: $(ls /run/litebox-shim/default)"
grep -F "$dir/" /proc/self/mountinfo | grep -F rootfs && fail "rootfs mounts left under $dir"
for g in $(guest_pids) $(pgrep -f '__supervise' || true); do
  case $(readlink "/proc/$g/cwd" 2>/dev/null || true) in
    /run/litebox-shim/default/lc* | /run/litebox-shim/default/cc* | /run/litebox-shim/default/ld0*)
      fail "process $g of this test still running" ;;
  esac
done
echo PASS
