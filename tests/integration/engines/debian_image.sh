#!/usr/bin/env bash
# The Debian image builds from the archive (or the test SKIPs loudly when the
# archive is unreachable), and real runc runs its python3 from a bundle.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd debootstrap umoci runc jq

rc=0
"$src/tests/images/build-debian.sh" "$images" || rc=$?
[ "$rc" -ne 77 ] || skip "build-debian.sh could not reach the Debian archive"
[ "$rc" -eq 0 ] || fail "build-debian.sh exited $rc"
r=$images/debian-rootfs
grep -q '^ID=debian' "$r/etc/os-release" || fail "$r/etc/os-release is not Debian's"
grep -q '^VERSION_CODENAME=bookworm' "$r/etc/os-release" || fail "$r is not bookworm"

t=$(mktemp -d)
b=$build/engines-debian-bundle.$$
id=engines-debian-$$
trap 'runc delete -f "$id" >/dev/null 2>&1; rm -rf "$t" "$b"' EXIT
tar -C "$t" -xf "$images/debian-oci.tar" ./index.json
assert_eq "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$t/index.json")" latest "ref name"

"$src/tests/images/make-bundle.sh" "$r" "$b" -- python3 -c 'import sys; print(6 * 7, sys.version_info[0])' >/dev/null
assert_eq "$(runc run --bundle "$b" "$id" </dev/null)" "42 3" "python3 in the Debian bundle"
echo "PASS Debian image"
