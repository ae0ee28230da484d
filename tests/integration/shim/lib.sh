# Shared by the shim integration tests: a private containerd (the fixture in
# tests/lib) whose PATH finds this build's shim, with localhost/busybox:latest
# imported. Source it, then call shim_setup NAME.
#
# Environment (set by CTest): SHIM_BIN_DIR (the build's bin/), REPO (source
# root), IMAGES_DIR (cache for the busybox image).
set -euo pipefail

: "${SHIM_BIN_DIR:?set by CTest}" "${REPO:?set by CTest}" "${IMAGES_DIR:?set by CTest}"
fixture=$REPO/tests/lib/containerd-fixture.sh
IMAGE=localhost/busybox:latest

fail() {
  echo "FAIL: $*" >&2
  if [ -n "${dir:-}" ] && [ -f "$dir/containerd.log" ]; then
    echo "--- last shim/containerd log lines:" >&2
    grep -E 'litebox-shim|level=(error|warning)' "$dir/containerd.log" | tail -20 >&2 || true
  fi
  exit 1
}

shim_setup() {
  dir=/tmp/lbshim-$1
  "$fixture" stop "$dir" >/dev/null 2>&1 || true
  trap shim_teardown EXIT
  "$fixture" start "$dir" "$SHIM_BIN_DIR" >/dev/null || fail "containerd fixture did not start"
  # Retried: a fresh image build sometimes dies of SIGPIPE (141) in
  # build-busybox.sh's `busybox | head -n1` under pipefail.
  "$REPO/tests/images/build-busybox.sh" "$IMAGES_DIR" >/dev/null ||
    "$REPO/tests/images/build-busybox.sh" "$IMAGES_DIR" >/dev/null || fail "busybox image build"
  "$fixture" import "$dir" "$IMAGES_DIR/busybox-oci.tar" localhost/busybox >/dev/null ||
    fail "image import"
}

shim_teardown() {
  "$fixture" stop "$dir" >/dev/null 2>&1 || true
}

# ctr against this test's containerd, with a timeout so a hang fails the test
# (SIGKILL: `ctr run` forwards SIGTERM to the container and keeps waiting).
c() { timeout -s KILL "${CTR_TIMEOUT:-60}" "$fixture" ctr "$dir" "$@"; }

# Status of task $1 as `ctr task ls` shows it ("" when there is none).
task_status() { c task ls | awk -v id="$1" '$1==id{print $3}'; }
# Waits up to 10 s for task $1 to reach status $2; fails the test otherwise.
wait_status() {
  for _ in $(seq 100); do [ "$(task_status "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail "$1: status '$(task_status "$1")', expected $2"
}

# Shim daemons serving this containerd: their argv carries its grpc address.
our_shims() {
  local p
  for p in $(pgrep -f 'containerd-shim-(litebox-v1|io-litebox)' || true); do
    tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" | grep -qxF "$dir/containerd.sock" && echo "$p"
  done
  return 0
}

# Host pids of LiteBox guests: processes whose executable is litebox-guest
# (their task name is the application's, as after any execve).
guest_pids() {
  local d
  for d in /proc/[0-9]*; do
    case $(readlink "$d/exe" 2>/dev/null) in
      */litebox-guest | */"litebox-guest (deleted)") echo "${d#/proc/}" ;;
    esac
  done
}

# The socket address `start` computes for container ID (no grouping).
shim_socket() { echo "/run/containerd/s/$(printf '%s' "$dir/containerd.sock/default/$1" | sha256sum | cut -c1-64)"; }

expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
