#!/usr/bin/env bash
# With the archive unreachable, build-debian.sh exits 77 with a loud message
# and leaves no image behind: never a silent pass.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd debootstrap
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
# Port 9 (discard) on loopback refuses connections at once.
msg=$(DEBIAN_MIRROR=http://127.0.0.1:9/debian "$src/tests/images/build-debian.sh" "$out" 2>&1) || rc=$?
assert_eq "$rc" 77 "exit code with an unreachable archive"
grep -q 'SKIPPED: the Debian archive http://127.0.0.1:9/debian is not reachable' <<<"$msg" ||
  fail "skip message does not name the archive: $msg"
[ ! -e "$out/debian-rootfs" ] && [ ! -e "$out/debian-oci.tar" ] || fail "an image was left in $out"
echo "PASS unreachable archive skips loudly"
