#!/usr/bin/env bash
# stop cleans up after a containerd that died with a container running:
# the orphaned shim, the container, its mount and runc's state entry.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd containerd ctr runc jq
[ -f "$images/busybox-oci.tar" ] || fail "$images/busybox-oci.tar missing: engines.busybox_image must run first"

dir=$build/engines/fx-crash
id=crash-$$
trap '"$fixture" stop "$dir" >/dev/null 2>&1 || true' EXIT
sock=$("$fixture" start "$dir" /usr/bin)
pid=$(cat "$dir/containerd.pid")
"$fixture" import "$dir" "$images/busybox-oci.tar" localhost/busybox >/dev/null 2>&1
ctr --address "$sock" run -d --null-io --runtime io.containerd.runc.v2 localhost/busybox:latest "$id" sleep 600 >/dev/null
kill -KILL "$pid"
while [ -d "/proc/$pid" ]; do sleep 0.1; done
runc --root /run/containerd/runc/default state "$id" >/dev/null || fail "runc lost $id before stop (test cannot show cleanup)"
shim_sock=$(sed 's|^unix://||' "$dir/state/io.containerd.runtime.v2.task/default/$id/address")
[ -S "$shim_sock" ] || fail "shim socket $shim_sock missing before stop (test cannot show cleanup)"

"$fixture" stop "$dir"
assert_fixture_gone "$dir" "$pid"
if runc --root /run/containerd/runc/default state "$id" >/dev/null 2>&1; then
  fail "runc state of $id left behind"
fi
[ ! -e "$shim_sock" ] || fail "shim socket $shim_sock left behind"
echo "PASS stop after a containerd crash"
