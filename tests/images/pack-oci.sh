#!/usr/bin/env bash
# Packs a root filesystem directory into a single-layer OCI image tarball
# with umoci, without any registry. The tarball is an OCI layout whose
# index names the image "latest", so
#   ctr images import --base-name localhost/NAME OUT_TAR
# names it localhost/NAME:latest (and `oci-archive:` works for podman/skopeo).
#
# usage: pack-oci.sh ROOTFS_DIR OUT_TAR [CMD...]
#   CMD defaults to /bin/sh; the image env is PATH=/usr/sbin:/usr/bin:/sbin:/bin.
set -euo pipefail
umask 022 # the image is read by other uids (nobody), whatever the caller's umask

die() { echo "pack-oci.sh: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: pack-oci.sh ROOTFS_DIR OUT_TAR [CMD...]"
rootfs=$1
out=$2
shift 2
[ $# -gt 0 ] || set -- /bin/sh
[ -d "$rootfs" ] || die "rootfs $rootfs: not a directory"
command -v umoci >/dev/null || die "umoci not found (apt-get install umoci)"

out_dir=$(dirname "$out")
mkdir -p "$out_dir"
work=$(mktemp -d "$out_dir/.pack-oci.XXXXXX")
trap 'rm -rf "$work"' EXIT

umoci init --layout "$work/oci"
umoci new --image "$work/oci:latest"
# unpack gives an (empty) bundle whose rootfs umoci tracks; what we copy in
# becomes the image's one layer on repack.
umoci unpack --image "$work/oci:latest" "$work/bundle" >/dev/null
cp -a "$rootfs/." "$work/bundle/rootfs/"
umoci repack --image "$work/oci:latest" "$work/bundle"

cmd_args=()
for a in "$@"; do cmd_args+=(--config.cmd "$a"); done
umoci config --image "$work/oci:latest" \
  --os linux --architecture amd64 \
  --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  --config.workingdir / \
  "${cmd_args[@]}"
# repack/config leave the superseded manifests and configs behind.
umoci gc --layout "$work/oci"

tar -C "$work/oci" -cf "$work/image.tar" .
mv -f "$work/image.tar" "$out"
