#!/usr/bin/env bash
# Installs LiteBox from a build directory:
#   PREFIX/bin/litebox                      runc-compatible CLI (and `litebox do`)
#   PREFIX/lib/litebox/litebox-guest        the library OS binary every guest process starts from
#   PREFIX/bin/containerd-shim-litebox-v1   containerd shim v2 (runtime io.containerd.litebox.v1)
#   PREFIX/bin/containerd-shim-io-litebox   the same shim under the name of runtime io.litebox
#   PREFIX/share/litebox/                   containerd, Kubernetes and Docker configuration,
#                                           with paths rewritten for PREFIX
# Every binary must be in the build; otherwise nothing is installed and the
# missing ones are named. DESTDIR is honoured for staging (packages).
#
# usage: install.sh [--build-dir DIR] [PREFIX]     (PREFIX defaults to /usr/local,
#                                                   DIR to $LITEBOX_BUILD_DIR or <repo>/build)
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

build=${LITEBOX_BUILD_DIR:-$repo/build}
prefix=/usr/local
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) prefix=$1; shift ;;
  esac
done
case $prefix in /*) ;; *) die "PREFIX $prefix must be an absolute path" ;; esac
[ -d "$build" ] || die "build directory $build does not exist (build first: cmake -S $repo -B $build -G Ninja && ninja -C $build)"

# source in the build : destination under PREFIX
binaries=(
  "bin/litebox:bin/litebox"
  "bin/litebox-guest:lib/litebox/litebox-guest"
  "bin/containerd-shim-litebox-v1:bin/containerd-shim-litebox-v1"
)
missing=()
for b in "${binaries[@]}"; do
  [ -x "$build/${b%%:*}" ] || missing+=("$build/${b%%:*}")
done
[ ${#missing[@]} -eq 0 ] || die "not built yet, nothing installed: ${missing[*]}"

root=${DESTDIR:-}$prefix
for b in "${binaries[@]}"; do
  install -D -m 755 "$build/${b%%:*}" "$root/${b#*:}"
  echo "installed $root/${b#*:}"
done
# containerd derives the binary name from the runtime name: io.litebox ->
# containerd-shim-io-litebox. One program serves both names.
ln -sfn containerd-shim-litebox-v1 "$root/bin/containerd-shim-io-litebox"
echo "installed $root/bin/containerd-shim-io-litebox -> containerd-shim-litebox-v1"

share=$root/share/litebox
mkdir -p "$share"
for f in containerd-config.toml runtimeclass.yaml docker-daemon.json; do
  sed "s|/usr/local/|$prefix/|g" "$here/$f" >"$share/$f"
  chmod 644 "$share/$f"
  echo "installed $share/$f"
done
