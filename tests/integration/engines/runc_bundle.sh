#!/usr/bin/env bash
# Real runc runs commands from bundles written by make-bundle.sh over the busybox rootfs.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd runc
r=$images/busybox-rootfs
[ -x "$r/bin/busybox" ] || fail "$r missing: engines.busybox_image must run first"

b=$(mktemp -d "$build/engines-bundle.XXXXXX")
id=engines-bundle-$$
trap 'runc delete -f "$id" >/dev/null 2>&1; rm -rf "$b"' EXIT

"$src/tests/images/make-bundle.sh" "$r" "$b" -- echo ok >/dev/null
assert_eq "$(jq -r .root.path "$b/config.json")" "$r" "root.path"
assert_eq "$(jq -r .process.terminal "$b/config.json")" false "process.terminal"
assert_eq "$(runc run --bundle "$b" "$id" </dev/null)" ok "runc run echo ok"

# Arguments with blanks and quotes arrive intact; exit codes come back.
"$src/tests/images/make-bundle.sh" --env 'GREETING=a "quoted" value' "$r" "$b" -- \
  sh -c 'echo "$GREETING|$1"; exit 3' sh 'two words' >/dev/null
set +e
out=$(runc run --bundle "$b" "$id" </dev/null)
rc=$?
set -e
assert_eq "$out" 'a "quoted" value|two words' "output of sh -c in the bundle"
assert_eq "$rc" 3 "exit code through runc"
echo "PASS runc bundle"
