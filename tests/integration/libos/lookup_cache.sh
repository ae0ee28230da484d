#!/usr/bin/env bash
# The sandbox's lookup cache (rootfs/lookup_cache.hpp) is in use, and a
# change made from outside the sandbox shows once its entry expires: a
# shell under `litebox do` looks up a missing /probe twice, the host then
# creates it in the root file system, and the shell looks again at once
# (the cached answer: still missing) and after the entry's lifetime
# (kLookupTtlCycles, under a second here: found). Changes made inside the
# sandbox show at once (conformance: lookups_test).
# usage: lookup_cache.sh BUILD_DIR
set -uo pipefail
BUILD=$1
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
LITEBOX=$BUILD/bin/litebox
[ -x "$LITEBOX" ] || { echo "SKIP: litebox not built"; exit 77; }
bash "$SRC/tests/images/build-busybox.sh" "$BUILD/images" >/dev/null || exit 1

WORK=$(mktemp -d /tmp/litebox-lookup.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -a "$BUILD/images/busybox-rootfs" "$WORK/root"
script='
look() { if [ -e /probe ]; then echo "$1 found"; else echo "$1 missing"; fi; }
look first; look second
echo asked
read line
look at-once
sleep 3
look later'
want=$'first missing\nsecond missing\nasked\nat-once missing\nlater found'
# As the default root; as a user without capabilities from the start (a
# class of credentials with a cache of its own, mapped at the hello); and
# as root turned nobody by su (setgroups, setgid, setuid: the new class's
# cache comes with the answer and is mapped over root's).
for user in "" "--user 1000:1000" "su"; do
  rm -f "$WORK/root/probe" "$WORK/go"
  mkfifo "$WORK/go"
  if [ "$user" = su ]; then
    cmd=(su -s /bin/sh nobody -c "$script")
    user=""
  else
    cmd=(/bin/sh -c "$script")
  fi
  # shellcheck disable=SC2086
  "$LITEBOX" do --rootfs "$WORK/root" $user -- "${cmd[@]}" <"$WORK/go" >"$WORK/out" 2>&1 &
  pid=$!
  exec 3>"$WORK/go"
  for _ in $(seq 100); do grep -q asked "$WORK/out" && break; sleep 0.05; done
  touch "$WORK/root/probe"
  echo go >&3
  exec 3>&-
  wait $pid
  rc=$?
  if [ $rc -ne 0 ] || [ "$(cat "$WORK/out")" != "$want" ]; then
    echo "FAIL (${user:-root}, exit $rc): expected"; echo "$want"; echo "got:"; cat "$WORK/out"
    exit 1
  fi
done
echo "PASS: the host's change was unseen at once and seen after the entry's lifetime"
