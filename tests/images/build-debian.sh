#!/usr/bin/env bash
# Builds the Debian test image from the package archive, cached:
#   OUT_DIR/debian-rootfs/   debootstrap --variant=minbase bookworm with the
#                            one package set every test and benchmark uses
#                            (python3, procps, build-essential, redis-server,
#                            nginx, libbenchmark for bench/micro/gbench.cpp)
#                            plus the packages given with --with
#   OUT_DIR/debian-oci.tar   the same tree as an OCI image tarball; import with
#                            ctr images import --base-name localhost/debian OUT_DIR/debian-oci.tar
# Work is skipped when OUT_DIR/debian.stamp records the same inputs (these
# scripts, the mirror and the package list). The first build takes minutes.
# When the archive cannot be reached this exits 77 (CTest's skip code) with
# a loud message: a missing image is never reported as a pass.
#
# usage: build-debian.sh OUT_DIR [--with PKG,...]
set -euo pipefail
umask 022 # the image is read by other uids (nobody), whatever the caller's umask

die() { echo "build-debian.sh: $*" >&2; exit 1; }
skip() {
  {
    echo "############################################################"
    echo "## build-debian.sh: SKIPPED: $*"
    echo "############################################################"
  } >&2
  exit 77
}

usage="usage: build-debian.sh OUT_DIR [--with PKG,...]"
[ $# -ge 1 ] || die "$usage"
out_arg=$1
shift
extra=""
while [ $# -gt 0 ]; do
  case $1 in
    --with) [ $# -ge 2 ] || die "--with needs PKG,..."; extra=${extra:+$extra,}$2; shift 2 ;;
    --with=*) extra=${extra:+$extra,}${1#--with=}; shift ;;
    *) die "unknown argument $1; $usage" ;;
  esac
done
# One list for every caller: a caller asking for another set would rebuild
# the same directory under the others (the stamp records the list).
packages=python3-minimal,python3,procps,build-essential,redis-server,nginx,libbenchmark1debian${extra:+,$extra}
suite=bookworm

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap)"
command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"

# The machine's own Debian mirror, from one-line or deb822 apt sources;
# security and update suites are not what debootstrap wants.
find_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [opt=v opt=v] URI SUITE COMPONENTS...
    awk -v s="$suite" '$1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      /^[[:space:]]*$/ { if (uri != "" && has) { print uri; uri = ""; exit } uri = ""; has = 0; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) has = 1 }
      END { if (uri != "" && has) print uri }' "$f"
  done
}
mirror=${DEBIAN_MIRROR:-$(find_mirror | sed -n 1p)}
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$out_arg"
out=$(cd "$out_arg" && pwd)
rootfs=$out/debian-rootfs
tarball=$out/debian-oci.tar
stamp=$out/debian.stamp
log=$out/debian-debootstrap.log

exec 9>"$out/.debian.lock"
flock 9

inputs="$(sha256sum "$here/build-debian.sh" "$here/pack-oci.sh" | cut -d' ' -f1 | tr '\n' ' ')$mirror $suite $packages"
if [ -d "$rootfs" ] && [ -f "$tarball" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
  echo "build-debian.sh: $rootfs and $tarball are up to date"
  exit 0
fi

reachable() { curl -sfI --max-time 20 "$mirror/dists/$suite/Release" >/dev/null 2>&1; }
reachable || skip "the Debian archive $mirror is not reachable (no $mirror/dists/$suite/Release); no Debian image was built"

rm -f "$stamp"
new=$out/.debian-rootfs.new
rm -rf "$new"
echo "build-debian.sh: debootstrap $suite from $mirror with $packages (minutes; log: $log)"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$new" "$mirror" >"$log" 2>&1; then
  rm -rf "$new"
  reachable || skip "the Debian archive $mirror went away during debootstrap; log: $log"
  tail -n 30 "$log" >&2
  die "debootstrap failed (log above, full log: $log)"
fi
# Downloaded .debs and package lists are not part of the image.
rm -rf "$new"/var/cache/apt/archives/*.deb "$new"/var/lib/apt/lists/*
mkdir -p "$new/tmp" && chmod 1777 "$new/tmp"

rm -rf "$rootfs"
mv "$new" "$rootfs"
"$here/pack-oci.sh" "$rootfs" "$tarball" /bin/bash
echo "$inputs" >"$stamp"
echo "build-debian.sh: built $rootfs and $tarball"
