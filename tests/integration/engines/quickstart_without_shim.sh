#!/usr/bin/env bash
# quickstart.sh stops after the build when the shim is not built, says
# what is missing, exits non-zero, installs nothing and starts no containerd.
source "$(dirname "$0")/lib.sh"
need_root
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/build/bin"
printf '#!/bin/sh\n' >"$t/build/bin/litebox"
chmod 755 "$t/build/bin/litebox"
rc=0
msg=$("$src/packaging/quickstart.sh" --no-deps --no-build --private --build-dir "$t/build" --prefix "$t/prefix" 2>&1) || rc=$?
assert_eq "$rc" 3 "quickstart exit code without the shim"
grep -q "STOPPED after the build: not there yet: .*$t/build/bin/containerd-shim-litebox-v1" <<<"$msg" ||
  fail "message does not name the missing shim: $msg"
grep -qF "$t/build/bin/litebox-guest" <<<"$msg" || fail "message does not name the missing guest: $msg"
if grep -qF "$t/build/bin/litebox " <<<"$msg "; then fail "message names litebox although it exists: $msg"; fi
[ ! -e "$t/prefix" ] || fail "quickstart installed into $t/prefix"
[ ! -e "$t/build/quickstart-containerd" ] || fail "quickstart started a containerd"
echo "PASS quickstart stops without the shim"
