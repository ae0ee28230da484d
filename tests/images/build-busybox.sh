#!/usr/bin/env bash
# Builds the busybox test image, cached:
#   OUT_DIR/busybox-rootfs/   a root filesystem directory (for bundles, `litebox do`)
#   OUT_DIR/busybox-oci.tar   the same tree as an OCI image tarball; import with
#                             ctr images import --base-name localhost/busybox OUT_DIR/busybox-oci.tar
#                             to get localhost/busybox:latest
# Work is skipped when OUT_DIR/busybox.stamp records the same inputs (the
# busybox binary and these scripts). Concurrent callers serialise on a lock.
#
# usage: build-busybox.sh OUT_DIR
set -euo pipefail
umask 022 # the image is read by other uids (nobody), whatever the caller's umask

die() { echo "build-busybox.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: build-busybox.sh OUT_DIR"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
grep -q "Requesting program interpreter" < <(readelf -l "$busybox" 2>/dev/null) &&
  die "$busybox is not statically linked: the image has no libc (install busybox-static)"

mkdir -p "$1"
out=$(cd "$1" && pwd)
rootfs=$out/busybox-rootfs
tarball=$out/busybox-oci.tar
stamp=$out/busybox.stamp

exec 9>"$out/.busybox.lock"
flock 9

inputs=$(sha256sum "$busybox" "$here/build-busybox.sh" "$here/pack-oci.sh" | cut -d' ' -f1 | tr '\n' ' ')
if [ -d "$rootfs" ] && [ -f "$tarball" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
  echo "build-busybox.sh: $rootfs and $tarball are up to date"
  exit 0
fi
rm -f "$stamp"

new=$(mktemp -d "$out/.busybox-rootfs.XXXXXX")
trap 'rm -rf "$new"' EXIT
chmod 755 "$new"

mkdir -p "$new"/{bin,sbin,usr/bin,usr/sbin,etc,proc,dev,sys,root,tmp,var/tmp}
chmod 1777 "$new/tmp" "$new/var/tmp"
chmod 700 "$new/root"
install -m 755 "$busybox" "$new/bin/busybox"
n=0
while read -r applet; do
  [ -n "$applet" ] && [ "$applet" != busybox ] || continue
  ln -s busybox "$new/bin/$applet"
  n=$((n + 1))
done < <("$busybox" --list)
[ "$n" -gt 100 ] || die "$busybox --list printed only $n applets"

cat >"$new/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >"$new/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
G
echo litebox >"$new/etc/hostname"
# Read the whole banner (head would close the pipe early: SIGPIPE, which
# pipefail turns into a failed build now and then).
version=$("$busybox" 2>&1 | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p' || true)
cat >"$new/etc/os-release" <<O
NAME="BusyBox"
ID=busybox
VERSION_ID="${version:-unknown}"
PRETTY_NAME="BusyBox ${version:-unknown} (LiteBox test image)"
O

rm -rf "$rootfs"
mv "$new" "$rootfs"
trap - EXIT
"$here/pack-oci.sh" "$rootfs" "$tarball" /bin/sh
echo "$inputs" >"$stamp"
echo "build-busybox.sh: built $rootfs ($n applets) and $tarball"
