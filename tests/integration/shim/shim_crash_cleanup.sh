#!/usr/bin/env bash
# A SIGKILLed shim: containerd runs the shim's `delete` command, which must
# kill the sandbox and leave no guest, supervisor, mount or state behind.
. "$(dirname "$0")/lib.sh"
shim_setup crash
c run -d --runtime io.litebox "$IMAGE" kz sleep 1000 || fail "run -d"
pid=$(c task ls | awk '$1=="kz"{print $2}')
[ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "init pid '$pid' not alive"
shim=$(our_shims)
[ -n "$shim" ] || fail "no shim found for kz"
kill -9 $shim
for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
[ -d "/proc/$pid" ] && fail "guest $pid survived its shim's delete"
for _ in $(seq 50); do [ -z "$(c task ls | awk '$1=="kz"')" ] && break; sleep 0.1; done
[ -z "$(c task ls | awk '$1=="kz"')" ] || fail "task kz still listed: $(c task ls)"
# Only the delete command removes the state dir (guests may die on their own).
[ -e /run/litebox-shim/default/kz ] && fail "sandbox state dir left"
grep -F "/default/kz/rootfs" /proc/self/mountinfo && fail "rootfs of kz still mounted"
for g in $(guest_pids) $(pgrep -f '__supervise' || true); do
  case $(readlink "/proc/$g/cwd" 2>/dev/null || true) in
    /run/litebox-shim/default/kz*) fail "process $g of kz still running" ;;
  esac
done
[ -e "$(shim_socket kz)" ] && fail "socket of the dead shim left: $(shim_socket kz)"
c container delete kz || fail "container delete"
echo PASS
