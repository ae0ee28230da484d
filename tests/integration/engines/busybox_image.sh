#!/usr/bin/env bash
# The busybox image builds, has the promised content, and a second build is a no-op.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd umoci jq

"$src/tests/images/build-busybox.sh" "$images"
r=$images/busybox-rootfs
[ -x "$r/bin/busybox" ] || fail "$r/bin/busybox missing"
cmp -s "$r/bin/busybox" /bin/busybox || fail "$r/bin/busybox differs from /bin/busybox"
assert_eq "$(readlink "$r/bin/sh")" busybox "/bin/sh link"
expected=$(/bin/busybox --list | grep -vx busybox | sort)
actual=$(find "$r/bin" -type l -lname busybox -printf '%f\n' | sort)
assert_eq "$actual" "$expected" "applet symlinks in /bin"
grep -q '^root:x:0:0:' "$r/etc/passwd" || fail "no root in /etc/passwd"
grep -q '^nobody:x:65534:65534:' "$r/etc/passwd" || fail "no nobody in /etc/passwd"
grep -q '^root:x:0:' "$r/etc/group" || fail "no root in /etc/group"
grep -q '^nobody:x:65534:' "$r/etc/group" || fail "no nobody in /etc/group"
[ -s "$r/etc/hostname" ] && grep -q '^ID=busybox' "$r/etc/os-release" || fail "hostname/os-release"
assert_eq "$(stat -c %a "$r/tmp")" 1777 "/tmp mode"
for d in proc dev sys root; do
  [ -d "$r/$d" ] && [ -z "$(ls -A "$r/$d")" ] || fail "/$d is not an empty directory"
done

# The tarball is an OCI layout naming "latest", with our config and the busybox binary in its layer.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
tar -C "$t" -xf "$images/busybox-oci.tar"
assert_eq "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$t/index.json")" latest "ref name"
m=$t/blobs/sha256/$(jq -r '.manifests[0].digest' "$t/index.json" | cut -d: -f2)
c=$t/blobs/sha256/$(jq -r .config.digest "$m" | cut -d: -f2)
assert_eq "$(jq -c .config.Cmd "$c")" '["/bin/sh"]' "config Cmd"
assert_eq "$(jq -c .config.Env "$c")" '["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]' "config Env"
assert_eq "$(jq -r '.os + "/" + .architecture' "$c")" linux/amd64 "platform"
layer=$t/blobs/sha256/$(jq -r '.layers[0].digest' "$m" | cut -d: -f2)
tar -tzf "$layer" >"$t/layer.list"
grep -Eqx "(\./)?bin/busybox" "$t/layer.list" || fail "layer has no bin/busybox"

# Cached: a second run changes nothing.
before=$(stat -c %Y.%i "$images/busybox-oci.tar" "$r")
out=$("$src/tests/images/build-busybox.sh" "$images")
assert_eq "$(stat -c %Y.%i "$images/busybox-oci.tar" "$r")" "$before" "outputs after a cached rebuild"
grep -q 'up to date' <<<"$out" || fail "second build did not report the cache: $out"
echo "PASS busybox image"
