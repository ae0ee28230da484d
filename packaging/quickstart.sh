#!/usr/bin/env bash
# From a fresh Debian 12 machine to a container running on LiteBox:
#   1. installs the build and test dependencies (packaging/install-deps.sh)
#   2. builds (cmake -G Ninja -B build; ninja)
#   3. installs the binaries (packaging/install.sh PREFIX)
#   4. uses the containerd on /run/containerd/containerd.sock if one answers,
#      else starts a private one (tests/lib/containerd-fixture.sh)
#   5. builds and imports the busybox test image (localhost/busybox:latest)
#   6. ctr run --rm --runtime io.litebox localhost/busybox:latest quickstart-PID echo "hello from LiteBox"
# A private containerd is stopped at the end unless --keep is given.
# Until the build produces the shim, this stops after step 2 and says what is
# missing; it never reports success without the container having run.
#
# usage: quickstart.sh [--keep] [--private] [--prefix DIR] [--build-dir DIR] [--no-deps] [--no-build]
#   --private     start a private containerd even if the system one answers
#   --prefix      install prefix (default /usr/local)
#   --build-dir   build directory (default <repo>/build)
#   --no-deps, --no-build   skip steps 1 and 2 (use an existing build)
set -euo pipefail

say() { echo "quickstart: $*"; }
die() { echo "quickstart: FAILED: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
build=$repo/build
prefix=/usr/local
keep=0 private=0 deps=1 do_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=1 ;;
    --private) private=1 ;;
    --no-deps) deps=0 ;;
    --no-build) do_build=0 ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages and binaries and runs containerd"
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [ $deps = 1 ]; then
  say "1/6 installing dependencies"
  "$here/install-deps.sh"
fi
if [ $do_build = 1 ]; then
  say "2/6 building in $build"
  cmake -S "$repo" -B "$build" -G Ninja
  ninja -C "$build"
fi

missing=()
for b in litebox litebox-guest containerd-shim-litebox-v1; do
  [ -x "$build/bin/$b" ] || missing+=("$build/bin/$b")
done
if [ ${#missing[@]} -gt 0 ]; then
  {
    echo "quickstart: STOPPED after the build: not there yet: ${missing[*]}"
    echo "quickstart: nothing was installed and no container was run; LiteBox cannot run a container through containerd without these."
  } >&2
  exit 3
fi

say "3/6 installing into $prefix"
"$here/install.sh" --build-dir "$build" "$prefix"

fixture=$repo/tests/lib/containerd-fixture.sh
fixture_dir=$build/quickstart-containerd
sock=/run/containerd/containerd.sock
started=0
if [ $private = 0 ] && timeout 5 ctr --address "$sock" version >/dev/null 2>&1; then
  say "4/6 using the containerd on $sock (it must find $prefix/bin/containerd-shim-io-litebox on its PATH)"
else
  say "4/6 starting a private containerd in $fixture_dir"
  sock=$("$fixture" start "$fixture_dir" "$prefix/bin")
  started=1
  if [ $keep = 0 ]; then
    trap '"$fixture" stop "$fixture_dir" >/dev/null || echo "quickstart: could not stop the containerd in $fixture_dir" >&2' EXIT
  fi
fi

say "5/6 building and importing the busybox image"
"$repo/tests/images/build-busybox.sh" "$build/images"
ctr --address "$sock" images import --base-name localhost/busybox "$build/images/busybox-oci.tar"

id=quickstart-$$
say "6/6 ctr run --rm --runtime io.litebox localhost/busybox:latest $id echo \"hello from LiteBox\""
out=$(ctr --address "$sock" run --rm --runtime io.litebox localhost/busybox:latest "$id" echo "hello from LiteBox") ||
  die "ctr run exited $? (output: $out)"
echo "$out"
[ "$out" = "hello from LiteBox" ] || die "the container printed '$out', not 'hello from LiteBox'"
say "done: a busybox container ran on LiteBox"
if [ $started = 1 ] && [ $keep = 1 ]; then
  say "the private containerd keeps running: ctr --address $sock ...; stop it with: $fixture stop $fixture_dir"
fi
