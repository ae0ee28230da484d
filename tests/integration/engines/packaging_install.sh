#!/usr/bin/env bash
# packaging/install.sh puts every binary where it belongs, serves runtime
# io.litebox through the shim's second name, rewrites configuration paths
# for the prefix, and installs nothing when a binary is missing.
source "$(dirname "$0")/lib.sh"
need_cmd jq

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# A build directory with small programs standing in for the binaries, each
# printing its own name, so the test can tell which one an installed name runs.
mkdir -p "$t/build/bin"
for b in litebox litebox-guest containerd-shim-litebox-v1; do
  printf '#!/bin/sh\necho %s "$@"\n' "$b" >"$t/build/bin/$b"
  chmod 755 "$t/build/bin/$b"
done
p=$t/prefix
"$src/packaging/install.sh" --build-dir "$t/build" "$p" >/dev/null

assert_eq "$("$p/bin/litebox" state x)" "litebox state x" "installed litebox"
assert_eq "$("$p/lib/litebox/litebox-guest")" "litebox-guest" "installed guest"
assert_eq "$("$p/bin/containerd-shim-litebox-v1" start)" "containerd-shim-litebox-v1 start" "installed shim"
assert_eq "$("$p/bin/containerd-shim-io-litebox" start)" "containerd-shim-litebox-v1 start" "shim under the io.litebox name"
assert_eq "$(stat -c %a "$p/bin/litebox")" 755 "mode of litebox"
assert_eq "$(jq -r .runtimes.litebox.path "$p/share/litebox/docker-daemon.json")" "$p/bin/litebox" "docker runtime path"
grep -qF "runtime_path = \"$p/bin/containerd-shim-litebox-v1\"" "$p/share/litebox/containerd-config.toml" ||
  fail "containerd-config.toml does not point at $p/bin/containerd-shim-litebox-v1"
cmp -s "$src/packaging/runtimeclass.yaml" "$p/share/litebox/runtimeclass.yaml" || fail "runtimeclass.yaml changed on install"

# DESTDIR stages under another root with the prefix's paths inside files.
DESTDIR=$t/stage "$src/packaging/install.sh" --build-dir "$t/build" /opt/lb >/dev/null
[ -x "$t/stage/opt/lb/bin/litebox" ] || fail "DESTDIR install lacks bin/litebox"
assert_eq "$(jq -r .runtimes.litebox.path "$t/stage/opt/lb/share/litebox/docker-daemon.json")" /opt/lb/bin/litebox "staged docker runtime path"

# A missing binary is named, and nothing is installed.
rm "$t/build/bin/containerd-shim-litebox-v1"
rc=0
msg=$("$src/packaging/install.sh" --build-dir "$t/build" "$t/p2" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "install.sh succeeded without the shim"
grep -qF "$t/build/bin/containerd-shim-litebox-v1" <<<"$msg" || fail "message does not name the missing shim: $msg"
[ ! -e "$t/p2" ] || fail "install.sh installed something although the shim is missing"
echo "PASS install.sh"
