#!/usr/bin/env bash
# A full disk under a real containerd (issue 8): the filesystem that holds
# the shim's per-sandbox state (/run/litebox-shim/<namespace>) has no room
# left. `ctr run` must fail with an error that names the path and says the
# disk is full; nothing of the container may be left (no process, mount,
# state dir, shim socket, task); kill/delete of a container that was
# already running keep working; once room is made again, a run succeeds.
#
# The namespace dir gets its own tiny tmpfs, so the host's /run is never
# filled. Exit 77 (skip) when tmpfs cannot be mounted there.
. "$(dirname "$0")/lib.sh"
shim_setup diskfull

ns=diskfull
nsdir=/run/litebox-shim/$ns
cn() { c -n "$ns" "$@"; }

teardown_disk() {
  for t in $(c -n "$ns" task ls -q 2>/dev/null); do c -n "$ns" task delete -f "$t" >/dev/null 2>&1 || true; done
  for t in $(c -n "$ns" container ls -q 2>/dev/null); do c -n "$ns" container delete "$t" >/dev/null 2>&1 || true; done
  umount "$nsdir" 2>/dev/null || umount -l "$nsdir" 2>/dev/null || true
  rmdir "$nsdir" 2>/dev/null || true
  shim_teardown
}
trap teardown_disk EXIT

# Processes of container $1 in our namespace: guests and supervisors keep
# their cwd in its state dir.
procs_of() {
  local g
  for g in $(guest_pids) $(pgrep -f '__supervise' || true); do
    case $(readlink "/proc/$g/cwd" 2>/dev/null || true) in
      "$nsdir/$1" | "$nsdir/$1"/*) echo "$g" ;;
    esac
  done
  return 0
}
nothing_left_of() {
  for _ in $(seq 50); do [ -z "$(procs_of "$1")" ] && break; sleep 0.1; done
  [ -z "$(procs_of "$1")" ] || fail "$1: processes left: $(procs_of "$1")"
  cn task ls -q | grep -qx "$1" && fail "$1: task still listed"
  cn container ls -q | grep -qx "$1" && fail "$1: container still listed"
  [ -e "$nsdir/$1" ] && fail "$1: state dir left: $(ls -la "$nsdir/$1")"
  grep -F "/$ns/$1/" /proc/self/mountinfo && fail "$1: a mount of it is left"
  [ -e "$(printf '/run/containerd/s/%s' "$(printf '%s' "$dir/containerd.sock/$ns/$1" | sha256sum | cut -c1-64)")" ] &&
    fail "$1: shim socket left"
  return 0
}

# The image, in this test's namespace.
cn images import --base-name localhost/busybox "$IMAGES_DIR/busybox-oci.tar" >/dev/null || fail "image import into $ns"
if ! cn images ls -q | grep -qx "$IMAGE"; then
  cn images tag "$(cn images ls -q | grep -m1 '^localhost/busybox:')" "$IMAGE" >/dev/null || fail "image tag in $ns"
fi

mkdir -p "$nsdir"
mountpoint -q "$nsdir" && umount "$nsdir"
if ! mount -t tmpfs -o size=256k,nr_inodes=64,mode=711 tmpfs "$nsdir"; then
  echo "SKIP: cannot mount a tmpfs on $nsdir"
  exit 77
fi

# A container that is already running when the disk fills.
cn run -d --runtime io.litebox "$IMAGE" before sleep 1000 || fail "run -d before (disk not yet full)"

# Fill it: bytes first, then every inode left.
dd if=/dev/zero of="$nsdir/.fill" bs=4k 2>/dev/null || true
i=0
while { : >"$nsdir/.f$i"; } 2>/dev/null; do i=$((i + 1)); done
mkdir "$nsdir/probe" 2>/dev/null && fail "the tmpfs is not full (mkdir succeeded)"

# 1. A run on the full disk fails, saying where and why.
set +e
out=$(cn run --rm --runtime io.litebox "$IMAGE" df1 echo hi 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "df1: ctr run succeeded on a full disk: $out"
grep -q "No space left on device" <<<"$out" || fail "df1: error does not say the disk is full: $out"
grep -qF "$nsdir" <<<"$out" || fail "df1: error does not name the path: $out"
echo "df1 error (expected): $out"
cn container delete df1 >/dev/null 2>&1 || true
nothing_left_of df1

# 2. The container that was running still answers kill and delete.
expect_eq "$(cn task ls | awk '$1=="before"{print $3}')" RUNNING "before, on the full disk"
cn task kill -s KILL before || fail "kill before on a full disk"
for _ in $(seq 100); do
  [ "$(cn task ls | awk '$1=="before"{print $3}')" = STOPPED ] && break
  sleep 0.1
done
expect_eq "$(cn task ls | awk '$1=="before"{print $3}')" STOPPED "before after kill"
cn task delete before >/dev/null || fail "task delete before on a full disk"
cn container delete before >/dev/null || fail "container delete before"
nothing_left_of before

# 3. Room again: a run works.
rm -f "$nsdir"/.f* "$nsdir/.fill"
out=$(cn run --rm --runtime io.litebox "$IMAGE" df2 echo recovered 2>&1) || fail "df2 after room was made: $out"
expect_eq "$out" recovered "df2 output"
nothing_left_of df2
echo PASS
