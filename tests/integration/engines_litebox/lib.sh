# shellcheck shell=bash
# Sourced by the engines_litebox.* tests: the engines.* helpers (fail, skip
# with exit 77, assert_eq, alive, ...) plus the litebox binary and image.
# Every script is called as: SCRIPT SOURCE_DIR BUILD_DIR
source "$1/tests/integration/engines/lib.sh"
litebox=$build/bin/litebox
[ -x "$litebox" ] || fail "$litebox is not built"

# The busybox image (rootfs + OCI tarball), cached in $images.
busybox_image() {
  bash "$src/tests/images/build-busybox.sh" "$images" >/dev/null ||
    fail "tests/images/build-busybox.sh $images failed"
}

# Polls until "$@" prints text matching the ERE; fails after 20 s.
wait_for_output() {
  local re=$1 what=$2 out i
  shift 2
  for i in $(seq 200); do
    out=$("$@" 2>&1 || true)
    grep -Eq -- "$re" <<<"$out" && return 0
    sleep 0.1
  done
  fail "$what: no output matching /$re/ after 20 s; last: $out"
}

# No process of the sandbox for container id under runtime root R is left:
# its litebox state and sandbox directory are gone.
assert_litebox_gone() {
  local root=$1 id=$2 out
  out=$("$litebox" --root "$root" state "$id" 2>&1) && fail "litebox state $id still answers: $out"
  grep -q "does not exist" <<<"$out" || fail "litebox state $id: unexpected error: $out"
  # Sandbox dirs live in /run/litebox-sb, or /dev/shm/litebox-sb where /run is not tmpfs.
  # (Only one of the two exists on a given machine: find's complaint about
  # the other must not end the test.)
  left=$(find /run/litebox-sb /dev/shm/litebox-sb -mindepth 2 -maxdepth 2 -name "$id" 2>/dev/null || true)
  [ -z "$left" ] || fail "sandbox directory left for $id: $left"
}
