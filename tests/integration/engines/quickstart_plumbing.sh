#!/usr/bin/env bash
# The quickstart's own steps (install, private containerd, image import,
# `ctr run --runtime io.litebox`, stop) work end to end, proven with a
# stand-in: containerd's runc shim installed under LiteBox's shim name.
# This says nothing about LiteBox itself (engines.quickstart does); it shows
# that when the real shim lands, the quickstart around it is not the problem.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd containerd ctr runc umoci
runc_shim=$(command -v containerd-shim-runc-v2) || skip "containerd-shim-runc-v2 is not installed"

t=$build/engines/qsp # short: unix socket paths under it are limited to 108 bytes
rm -rf "$t"
mkdir -p "$t/b/bin"
trap '"$fixture" stop "$t/b/quickstart-containerd" >/dev/null 2>&1 || true; rm -rf "$t"' EXIT
cp "$runc_shim" "$t/b/bin/containerd-shim-litebox-v1"
printf '#!/bin/sh\nexit 0\n' >"$t/b/bin/litebox"
cp "$t/b/bin/litebox" "$t/b/bin/litebox-guest"
chmod 755 "$t/b/bin/"*

out=$("$src/packaging/quickstart.sh" --no-deps --no-build --private --build-dir "$t/b" --prefix "$t/prefix")
grep -qx "hello from LiteBox" <<<"$out" || fail "the container did not print the greeting: $out"
grep -q "6/6 ctr run --rm --runtime io.litebox" <<<"$out" || fail "quickstart did not use runtime io.litebox: $out"
[ -L "$t/prefix/bin/containerd-shim-io-litebox" ] || fail "shim name for io.litebox not installed"
[ ! -e "$t/b/quickstart-containerd/containerd.pid" ] || fail "private containerd left running without --keep"
[ -z "$(mounts_under "$t")" ] || fail "mounts left under $t"

# --keep leaves it running and answering.
"$src/packaging/quickstart.sh" --keep --no-deps --no-build --private --build-dir "$t/b" --prefix "$t/prefix" >/dev/null
ctr --address "$t/b/quickstart-containerd/containerd.sock" version >/dev/null ||
  fail "--keep: the private containerd does not answer"
echo "PASS quickstart plumbing (runc shim standing in)"
