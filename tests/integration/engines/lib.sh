# shellcheck shell=bash disable=SC2034
# Sourced by the engines.* tests: argument handling and assertions.
# Every test script is called as: SCRIPT SOURCE_DIR BUILD_DIR
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 SOURCE_DIR BUILD_DIR" >&2; exit 2; }
src=$1
build=$2
images=$build/images
fixture=$src/tests/lib/containerd-fixture.sh
test_name=$(basename "$0" .sh)

fail() { echo "FAIL [$test_name]: $*" >&2; exit 1; }
skip() {
  echo "######## SKIP [$test_name]: $* ########" >&2
  exit 77
}
assert_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
need_cmd() { local c; for c in "$@"; do command -v "$c" >/dev/null || skip "$c is not installed"; done; }

# Processes with DIR's grpc socket as an argument (shims, ctr clients).
procs_using() {
  local p sock=$1
  for p in /proc/[0-9]*; do
    grep -qxF -- "$sock" < <(tr '\0' '\n' <"$p/cmdline" 2>/dev/null) && echo "${p#/proc/}"
  done
  return 0
}
mounts_under() { awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo; }

# True while pid runs; a zombie waiting for a slow reaper (init) is not running.
alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

# A fixture stopped: no containerd, shim or mount of DIR is left.
assert_fixture_gone() {
  local dir=$1 pid=$2 left
  ! alive "$pid" || fail "containerd pid $pid of $dir still runs after stop"
  left=$(procs_using "$dir/containerd.sock")
  [ -z "$left" ] || fail "processes still use $dir/containerd.sock after stop: $left"
  left=$(mounts_under "$dir")
  [ -z "$left" ] || fail "mounts left under $dir after stop: $left"
  [ ! -e "$dir/state" ] && [ ! -e "$dir/root" ] || fail "$dir/state or $dir/root left after stop"
  [ ! -S "$dir/containerd.sock" ] || fail "$dir/containerd.sock left after stop"
}
