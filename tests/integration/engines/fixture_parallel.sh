#!/usr/bin/env bash
# Two fixtures run at once in different DIRs, and stopping one leaves the other working.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd containerd ctr runc
[ -f "$images/busybox-oci.tar" ] || fail "$images/busybox-oci.tar missing: engines.busybox_image must run first"

a=$build/engines/fx-a
b=$build/engines/fx-b
trap '"$fixture" stop "$a" >/dev/null 2>&1 || true; "$fixture" stop "$b" >/dev/null 2>&1 || true' EXIT
"$fixture" start "$a" /usr/bin >/dev/null &
started_a=$!
sb=$("$fixture" start "$b" /usr/bin)
wait "$started_a" || fail "start of $a (beside $b) failed"
sa=$("$fixture" address "$a")
for d in "$a" "$b"; do
  "$fixture" import "$d" "$images/busybox-oci.tar" localhost/busybox >/dev/null 2>&1
done
pa=$(cat "$a/containerd.pid")
pb=$(cat "$b/containerd.pid")
[ "$pa" != "$pb" ] || fail "both fixtures report containerd pid $pa"

# Each instance sees only its own containers. (runc keeps its state per
# namespace under /run/containerd/runc, shared by all instances: ids must differ.)
ctr --address "$sa" containers create localhost/busybox:latest "only-a-$$" >/dev/null
grep -qx "only-a-$$" <<<"$(ctr --address "$sa" containers ls -q)" || fail "container missing in a"
if grep -qx "only-a-$$" <<<"$(ctr --address "$sb" containers ls -q)"; then fail "a's container visible in b"; fi

"$fixture" stop "$a" >/dev/null
assert_fixture_gone "$a" "$pa"
out=$(ctr --address "$sb" run --rm --runtime io.containerd.runc.v2 localhost/busybox:latest "b-$$" echo still here)
assert_eq "$out" "still here" "b after a stopped"
"$fixture" stop "$b" >/dev/null
assert_fixture_gone "$b" "$pb"
echo "PASS two fixtures at once"
