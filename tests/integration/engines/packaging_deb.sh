#!/usr/bin/env bash
# packaging/build-deb.sh makes a package dpkg installs, with the files of
# install.sh under /usr and Depends taken from the libraries the binaries load.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd dpkg dpkg-deb jq
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# Stand-ins with known libraries: jq (dynamic: libjq1, libonig5, libc6) as the
# CLI, a script as the guest (no dependencies).
mkdir -p "$t/build/bin"
cp "$(command -v jq)" "$t/build/bin/litebox"
printf '#!/bin/sh\necho guest\n' >"$t/build/bin/litebox-guest"
printf '#!/bin/sh\necho shim\n' >"$t/build/bin/containerd-shim-litebox-v1"
chmod 755 "$t/build/bin/"*

deb=$("$src/packaging/build-deb.sh" --build-dir "$t/build" "$t/out")
assert_eq "$(dpkg-deb -f "$deb" Package)" litebox "Package"
version=$(sed -n 's/^project(litebox VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
assert_eq "$(dpkg-deb -f "$deb" Version)" "$version" "Version"
# Depends covers what Debian's own jq package depends on (its libraries)...
got=$(dpkg-deb -f "$deb" Depends | tr -d ' ' | tr , '\n')
for p in $(dpkg-query -W -f='${Depends}' jq | sed 's/([^)]*)//g' | tr -d ' ' | tr , '\n'); do
  grep -qx "$p" <<<"$got" || fail "Depends lacks $p, which Debian's jq package depends on: $(echo $got)"
done
# ...and names only packages that own a library jq loads.
for p in $got; do
  owned=0
  files=$(dpkg -L "$p" 2>/dev/null || true)
  for lib in $(ldd "$(command -v jq)" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    grep -qxF -e "$lib" -e "$(readlink -f "$lib")" <<<"$files" && owned=1
  done
  [ $owned = 1 ] || fail "Depends names $p, which owns no library jq loads"
done

# dpkg itself installs it into an empty root.
r=$t/root
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
touch "$r/var/lib/dpkg/status"
dpkg --root="$r" --force-depends --force-script-chrootless -i "$deb" >/dev/null 2>&1 ||
  fail "dpkg could not install $deb into $r"
assert_eq "$("$r/usr/lib/litebox/litebox-guest")" guest "installed guest"
assert_eq "$(readlink "$r/usr/bin/containerd-shim-io-litebox")" containerd-shim-litebox-v1 "io.litebox shim name"
assert_eq "$(jq -r .runtimes.litebox.path "$r/usr/share/litebox/docker-daemon.json")" /usr/bin/litebox "docker runtime path"
grep -qx /usr/bin/containerd-shim-litebox-v1 <<<"$(dpkg --root="$r" -L litebox)" || fail "dpkg -L does not list the shim"
echo "PASS build-deb.sh"
