#!/usr/bin/env bash
# The quickstart end to end on this build: install into a scratch prefix,
# private containerd, busybox image, `ctr run --runtime io.litebox ... echo`.
# SKIPs loudly while the build has no shim; then quickstart_without_shim covers it.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd containerd ctr umoci
for b in litebox litebox-guest containerd-shim-litebox-v1; do
  [ -x "$build/bin/$b" ] || skip "$build/bin/$b is not built yet: LiteBox cannot run the quickstart"
done
prefix=$build/engines/qs-prefix
rm -rf "$prefix"
out=$("$src/packaging/quickstart.sh" --no-deps --no-build --private --build-dir "$build" --prefix "$prefix")
echo "$out"
grep -qx "hello from LiteBox" <<<"$out" || fail "the quickstart container did not print 'hello from LiteBox'"
[ ! -e "$build/quickstart-containerd/containerd.pid" ] || fail "quickstart left its private containerd running without --keep"
echo "PASS quickstart"
