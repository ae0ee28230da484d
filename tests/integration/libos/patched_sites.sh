#!/usr/bin/env bash
# The trap-free syscall sites are in use, not merely harmless: under
# `litebox --debug-log`, the conformance binary syscall_sites_test passes and
# the libOS reports rewriting both kinds of site (a glibc wrapper's
# `mov $nr, %eax; syscall` and glibc's syscall()), in the first process and
# again after an exec. On a CPU without FSGSBASE the rewrite is off: skip.
# usage: patched_sites.sh BUILD_DIR
set -uo pipefail
BUILD=$1
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
LITEBOX=$BUILD/bin/litebox
BIN=$BUILD/conformance/syscall_sites_test
[ -x "$LITEBOX" ] && [ -x "$BIN" ] || { echo "SKIP: litebox or $BIN not built"; exit 77; }
grep -qw fsgsbase /proc/cpuinfo || { echo "SKIP: no FSGSBASE on this CPU"; exit 77; }
bash "$SRC/tests/images/build-busybox.sh" "$BUILD/images" >/dev/null || exit 1

WORK=$(mktemp -d /tmp/litebox-sites.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -a "$BUILD/images/busybox-rootfs" "$WORK/root"
cp "$BIN" "$WORK/root/sites_test"
if ! "$LITEBOX" do --rootfs "$WORK/root" --debug-log "$WORK/log" --env CONFORMANCE_TMP=/tmp/sites \
    -- /sites_test >"$WORK/out" 2>&1; then
  echo "FAIL: syscall_sites_test failed under litebox"; cat "$WORK/out"; exit 1
fi
fail=0
# The inline getpid site of InlineSiteKeepsRegistersAndFlags (mov $39, %eax).
grep -q '^\[1\] patched syscall site .* nr 39$' "$WORK/log" ||
  { echo "FAIL: no getpid site rewritten in the first process"; fail=1; }
# glibc's syscall(): its site is rewritten for the first direct number it
# traps with; the binary's syscall() address tells which line that is.
addr=$(nm "$BIN" | awk '$3 == "syscall" {print $1}')
insn=$(objdump -d --start-address=0x$addr --stop-address=$((0x$addr + 64)) "$BIN" |
  awk '/\tsyscall *$/ {sub(":", "", $1); print $1; exit}')
site=$(printf '0x%x' $((0x$insn - 5)))  # the 5-byte mov 0x8(%rsp),%r9 before it
grep -q "^\[1\] patched syscall site $site " "$WORK/log" ||
  { echo "FAIL: glibc syscall() ($site) was not rewritten"; fail=1; }
# ExecAfterRewrittenSites: the exec'd image starts unpatched and patches anew.
execed=$(grep -c '^\[[2-9][0-9]*\] patched syscall site .* nr 257$' "$WORK/log")
[ "$execed" -ge 1 ] || { echo "FAIL: no openat site rewritten after the exec"; fail=1; }
if [ $fail -ne 0 ]; then grep patched "$WORK/log"; exit 1; fi
echo "PASS: $(grep -c 'patched syscall site' "$WORK/log") sites rewritten"
