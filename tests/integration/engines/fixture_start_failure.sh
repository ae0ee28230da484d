#!/usr/bin/env bash
# start fails loudly, with containerd's log tail, when containerd dies at
# startup or never answers, and leaves no process behind. A `containerd` in
# BINDIR (first on the PATH the fixture starts it with) plays the broken daemon.
source "$(dirname "$0")/lib.sh"
need_root
t=$build/engines/fx-fail
rm -rf "$t"
mkdir -p "$t/bin"
trap '"$fixture" stop "$t/dir" >/dev/null 2>&1 || true; rm -rf "$t"' EXIT

printf '#!/bin/sh\necho "broken containerd: cannot start (test)"\nexit 1\n' >"$t/bin/containerd"
chmod 755 "$t/bin/containerd"
rc=0
msg=$("$fixture" start "$t/dir" "$t/bin" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "start succeeded with a containerd that exits"
grep -q "containerd exited during startup" <<<"$msg" || fail "no startup-exit message: $msg"
grep -q "broken containerd: cannot start (test)" <<<"$msg" || fail "log tail not shown: $msg"

# Never answers: start gives up after its 20 s deadline and kills it.
printf '#!/bin/sh\necho "hung containerd (test)"\nexec sleep 300\n' >"$t/bin/containerd"
rc=0
start=$SECONDS
msg=$("$fixture" start "$t/dir" "$t/bin" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "start succeeded with a containerd that never answers"
[ $((SECONDS - start)) -ge 19 ] && [ $((SECONDS - start)) -le 40 ] || fail "gave up after $((SECONDS - start)) s, not about 20 s"
grep -q "did not answer on $t/dir/containerd.sock within 20 s" <<<"$msg" || fail "no timeout message: $msg"
grep -q "hung containerd (test)" <<<"$msg" || fail "log tail not shown: $msg"
pid=$(cat "$t/dir/containerd.pid")
! alive "$pid" || fail "the hung containerd (pid $pid) still runs"
echo "PASS fixture start failures"
