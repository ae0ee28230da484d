#!/usr/bin/env bash
# The fixture starts a private containerd, imports the busybox image, real
# runc runs a container through ctr, and stop leaves nothing behind.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd containerd ctr runc
[ -f "$images/busybox-oci.tar" ] || fail "$images/busybox-oci.tar missing: engines.busybox_image must run first"

dir=$build/engines/fx-runc
trap '"$fixture" stop "$dir" >/dev/null 2>&1 || true' EXIT
"$fixture" stop "$dir" >/dev/null
sock=$("$fixture" start "$dir" /usr/bin)
assert_eq "$sock" "$dir/containerd.sock" "socket printed by start"
pid=$(cat "$dir/containerd.pid")
# start again: the same daemon answers.
assert_eq "$("$fixture" start "$dir" /usr/bin)" "$sock" "second start"
assert_eq "$(cat "$dir/containerd.pid")" "$pid" "pid after second start"

assert_eq "$("$fixture" import "$dir" "$images/busybox-oci.tar" localhost/busybox 2>/dev/null)" \
  localhost/busybox:latest "imported name"
grep -qx localhost/busybox:latest <<<"$(ctr --address "$sock" images ls -q)" || fail "ctr images ls lacks localhost/busybox:latest"

out=$(ctr --address "$sock" run --rm --runtime io.containerd.runc.v2 localhost/busybox:latest "e1-$$" echo hello)
assert_eq "$out" hello "ctr run echo hello"

# A container still running at stop is killed and unmounted with the rest.
ctr --address "$sock" run -d --null-io --runtime io.containerd.runc.v2 localhost/busybox:latest "e2-$$" sleep 600 >/dev/null
[ -n "$(mounts_under "$dir")" ] || fail "no rootfs mount under $dir while e2 runs"
[ -n "$(procs_using "$sock")" ] || fail "no shim for e2 runs"
"$fixture" stop "$dir"
assert_fixture_gone "$dir" "$pid"
if runc --root /run/containerd/runc/default state "e2-$$" >/dev/null 2>&1; then
  fail "runc state of e2-$$ left behind by stop"
fi
"$fixture" stop "$dir" >/dev/null || fail "second stop failed"
echo "PASS containerd fixture with runc"
