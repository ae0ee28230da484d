#!/usr/bin/env bash
# Builds a Debian package of LiteBox from a build directory: the files of
# install.sh with PREFIX=/usr, staged with DESTDIR. Depends lists the Debian
# packages that own the shared libraries the binaries load (ldd + dpkg -S).
#
# usage: build-deb.sh [--build-dir DIR] OUT_DIR   (DIR defaults to $LITEBOX_BUILD_DIR or <repo>/build)
#   prints the path of the .deb
set -euo pipefail

die() { echo "build-deb.sh: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
build=${LITEBOX_BUILD_DIR:-$repo/build}
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$out" ] || die "one OUT_DIR only"; out=$1; shift ;;
  esac
done
[ -n "$out" ] || die "usage: build-deb.sh [--build-dir DIR] OUT_DIR"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

version=$(sed -n 's/^project(litebox VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
[ -n "$version" ] || die "no 'project(litebox VERSION x.y.z' line in $repo/CMakeLists.txt"
arch=$(dpkg --print-architecture)

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "$out/.deb-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
DESTDIR=$stage "$here/install.sh" --build-dir "$build" /usr >/dev/null

# Packages owning the libraries the ELF binaries load (ldd says nothing
# useful for scripts and static binaries, which is right: no dependency).
libs=$(find "$stage/usr" -type f -perm -u+x -exec sh -c 'ldd "$1" 2>/dev/null || true' _ {} \; |
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
deps=()
for lib in $libs; do
  pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true)
  pkg=$(head -n1 <<<"$pkg" | cut -d: -f1)
  [ -n "$pkg" ] || die "no Debian package owns $lib, which the binaries load"
  deps+=("$pkg")
done
depends=""
[ ${#deps[@]} -eq 0 ] || depends=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')

mkdir -p "$stage/DEBIAN"
{
  echo "Package: litebox"
  echo "Version: $version"
  echo "Architecture: $arch"
  echo "Maintainer: LiteBox developers <litebox@localhost>"
  echo "Section: admin"
  echo "Priority: optional"
  [ -z "$depends" ] || echo "Depends: $depends"
  echo "Recommends: containerd"
  echo "Installed-Size: $(du -sk "$stage/usr" | cut -f1)"
  echo "Description: OCI container runtime on a library OS"
  echo " LiteBox runs each container process atop an in-process library OS;"
  echo " the host kernel sees only a small seccomp-filtered set of system calls."
  echo " Includes the runc-compatible 'litebox' CLI and the containerd shim"
  echo " (runtimes io.containerd.litebox.v1 and io.litebox)."
} >"$stage/DEBIAN/control"
deb=$out/litebox_${version}_$arch.deb
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "$deb"
