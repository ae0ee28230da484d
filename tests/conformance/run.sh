#!/usr/bin/env bash
# Runs the static conformance binaries natively or inside LiteBox.
#
#   run.sh BUILD_DIR native  [BINARY...]   each binary in a fresh scratch dir
#   run.sh BUILD_DIR litebox [BINARY...]   each binary under `litebox do` in a
#                                           fresh rootfs, minus known differences
#
# BINARY names are files in BUILD_DIR/conformance/ (default: every *_test).
# Exit status: 0 all passed, 1 a binary failed, 2 usage/setup error,
# 77 litebox mode without BUILD_DIR/bin/litebox (CTest SKIP_RETURN_CODE).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() {
  echo "conformance/run.sh: $*" >&2
  exit 2
}

[ $# -ge 2 ] || die "usage: run.sh BUILD_DIR native|litebox [BINARY...]"
build="$(cd "$1" 2>/dev/null && pwd)" || die "build dir '$1' does not exist"
mode="$2"
shift 2
bindir="$build/conformance"

bins=()
if [ $# -gt 0 ]; then
  for b in "$@"; do
    [ -x "$bindir/$b" ] || die "binary '$bindir/$b' missing (build target conformance first)"
    bins+=("$b")
  done
else
  for f in "$bindir"/*_test; do
    [ -x "$f" ] && bins+=("$(basename "$f")")
  done
  [ ${#bins[@]} -gt 0 ] || die "no *_test binaries in $bindir (build target conformance first)"
fi

# The same RLIMIT_NOFILE natively and in LiteBox (`litebox do` defaults to
# 1024:1024): the caller's hard limit, a soft limit of 2048 where it allows,
# so the fd cases past 1024 run in both (LiteBox's channel sits at 1024).
ulimit -Sn 2048 2>/dev/null || ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
nofile="$(ulimit -Sn):$(ulimit -Hn)"

# Root-only cases run only when we really are (virtual) root.
as_root=0
[ "$(id -u)" -eq 0 ] && as_root=1

failed=()
all_failed_cases=()
filter=""
# Scratch dirs and rootfs copies are removed even when we are interrupted.
cleanup_dirs=()
trap 'rm -rf "${cleanup_dirs[@]}"' EXIT

run_native() {
  local bin="$1" scratch rc=0
  scratch="$(mktemp -d /tmp/conformance-native.XXXXXX)"
  cleanup_dirs+=("$scratch")
  (cd "$scratch" && CONFORMANCE_TMP="$scratch/t" CONFORMANCE_AS_ROOT="$as_root" \
    "$bindir/$bin") || rc=$?
  rm -rf "$scratch"
  return $rc
}

# Negative gtest filter built from known-differences.txt: one entry per line,
# "Suite.Test  reason"; '#' starts a comment. An entry without a reason is an
# error, so nothing gets excluded silently.
known_filter() {
  local file="$here/known-differences.txt" name reason patterns=""
  [ -f "$file" ] || return 0
  while read -r name reason; do
    case "$name" in "" | \#*) continue ;; esac
    [ -n "$reason" ] || die "known-differences.txt: entry '$name' has no reason"
    patterns="${patterns:+$patterns:}$name"
  done <"$file"
  [ -z "$patterns" ] || echo "-$patterns"
}

# An entry that matches no case in any binary is a typo or a removed case:
# say so, since it silently excludes nothing.
warn_stale_entries() {
  local file="$here/known-differences.txt" name reason b matched
  [ -f "$file" ] || return 0
  while read -r name reason; do
    case "$name" in "" | \#*) continue ;; esac
    matched=0
    for b in "$bindir"/*_test; do
      if "$b" --gtest_list_tests "--gtest_filter=$name" | grep -q '^  '; then
        matched=1
        break
      fi
    done
    [ $matched -eq 1 ] || echo "conformance: WARNING: known-differences.txt entry '$name' matches no case" >&2
  done <"$file"
}

# A fresh rootfs per binary run, so parallel CTest runs do not collide.
make_rootfs() {
  local rootfs="$1" images="$build/images/busybox-rootfs"
  if [ -d "$images" ]; then
    cp -a "$images/." "$rootfs/" || die "copying $images into $rootfs failed"
  else
    mkdir -p "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp"
    chmod 1777 "$rootfs/tmp"
  fi
  mkdir -p "$rootfs/conformance" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
}

# Case names of a binary (Suite.Test), minus known differences; listing runs
# natively since it makes no interesting system calls.
list_cases() {
  local bin="$1" suite="" line
  "$bindir/$bin" --gtest_list_tests ${filter:+"--gtest_filter=$filter"} | while IFS= read -r line; do
    line="${line%%#*}"
    case "$line" in
      "  "*) echo "$suite${line//[[:space:]]/}" ;;
      *.*) suite="${line//[[:space:]]/}" ;;
    esac
  done
}

# "=SIGSYS" for statuses that mean killed by a signal, "=timeout" for timeout.
describe_status() {
  if [ "$1" -eq 124 ]; then
    echo "=timeout"
  elif [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
    echo "=SIG$(kill -l $(($1 - 128)))"
  fi
}

# Every sandbox run is bounded: a case that hangs under LiteBox must not hang
# the suite. timeout exits 124 (137 if it had to SIGKILL). Output goes to the
# file $log (not a pipe), so a guest that outlives its sandbox cannot keep our
# caller waiting for EOF; reap_leaked then finds it by that open file.
litebox_do() {
  local limit="$1" rootfs="$2" log="$3" bin="$4"
  shift 4
  # --network new: inet cases get a loopback of the sandbox's own, as they
  # get the host's natively (the namespace is made only if a case asks for
  # an AF_INET/AF_INET6 socket).
  timeout -k 5 "$limit" "$litebox" do --rootfs "$rootfs" --nofile "$nofile" --network new \
    --env CONFORMANCE_TMP=/tmp/ct --env CONFORMANCE_AS_ROOT=1 -- "/conformance/$bin" "$@" \
    >"$log" 2>&1
}

# Kills, by pid, processes still holding $1 open: guests of a sandbox that has
# already exited (LiteBox must end them all when the first process exits).
# Returns 1 if there were any.
reap_leaked() {
  local log="$1" pids
  pids="$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$log" 2>/dev/null | cut -d/ -f3 | sort -u)"
  [ -n "$pids" ] || return 0
  echo "conformance: LEAK: pid(s) $(echo $pids) outlived their sandbox; killing them" >&2
  kill -9 $pids 2>/dev/null || true
  return 1
}

# Runs the whole binary in one sandbox; if that fails (a case failed, or the
# sandbox killed the process and hid every later case), reruns each case in a
# sandbox of its own so the report names every failing case.
run_litebox() {
  local bin="$1" rootfs rc=0 case_rc
  rootfs="$(mktemp -d "$bindir/rootfs.XXXXXX")"
  cleanup_dirs+=("$rootfs")
  chmod 755 "$rootfs"  # mktemp makes it 0700; a rootfs root is 0755
  make_rootfs "$rootfs"
  cp "$bindir/$bin" "$rootfs/conformance/$bin"
  [ -z "$filter" ] || echo "conformance: excluding known differences: $filter"
  local log="$rootfs.log"
  cleanup_dirs+=("$log")
  litebox_do "${CONFORMANCE_TIMEOUT:-120}" "$rootfs" "$log" "$bin" ${filter:+"--gtest_filter=$filter"} ||
    rc=$?
  cat "$log"
  if ! reap_leaked "$log"; then
    all_failed_cases+=("$bin:processes-outlived-sandbox")
    [ $rc -ne 0 ] || rc=1
  fi
  if [ $rc -ne 0 ] && [ "${CONFORMANCE_NO_ISOLATE:-0}" != 1 ]; then
    echo "=== conformance [litebox] $bin exited $rc; rerunning each case in its own sandbox"
    local failed_cases=() name
    while IFS= read -r name; do
      case_rc=0
      litebox_do "${CONFORMANCE_CASE_TIMEOUT:-20}" "$rootfs" "$log" "$bin" "--gtest_filter=$name" ||
        case_rc=$?
      reap_leaked "$log" || failed_cases+=("$name(processes outlived sandbox)")
      if [ $case_rc -ne 0 ]; then
        failed_cases+=("$name(exit $case_rc$(describe_status "$case_rc"))")
        # The case's own output minus gtest's banner lines.
        grep -v -e '^\[ *\(RUN\|OK\|PASSED\) ' -e '^\[==' -e '^\[--' -e '^Running main' \
          -e '^Note: Google Test filter' -e '^ *$' "$log" | sed 's/^/    | /' | tail -n 30
      fi
    done < <(list_cases "$bin")
    echo "=== conformance [litebox] $bin: ${#failed_cases[@]} failing case(s): ${failed_cases[*]}"
    [ ${#failed_cases[@]} -gt 0 ] ||
      echo "=== conformance [litebox] $bin: every case passes alone: cases interfere under LiteBox"
    all_failed_cases+=("${failed_cases[@]}")
  fi
  rm -rf "$rootfs" "$log"
  return $rc
}

case "$mode" in
  native) runner=run_native ;;
  litebox)
    litebox="$build/bin/litebox"
    if [ ! -x "$litebox" ]; then
      echo "######################################################################" >&2
      echo "## conformance: SKIPPING LiteBox mode: $litebox does not exist yet." >&2
      echo "## Build the 'litebox' target, then rerun: $0 $build litebox" >&2
      echo "######################################################################" >&2
      exit 77
    fi
    runner=run_litebox
    # Computed once, outside `if` (where set -e is off), so a bad entry stops us.
    filter="$(known_filter)" || exit 2
    for bin in "${bins[@]}"; do
      # The rootfs holds no libc: a dynamic binary would fail for the wrong reason.
      if readelf -l "$bindir/$bin" | grep -q 'Requesting program interpreter'; then
        die "$bindir/$bin is dynamically linked; conformance binaries must be static"
      fi
    done
    warn_stale_entries
    ;;
  *) die "mode must be 'native' or 'litebox', got '$mode'" ;;
esac

for bin in "${bins[@]}"; do
  echo "=== conformance [$mode] $bin"
  if "$runner" "$bin"; then
    echo "=== conformance [$mode] $bin: PASS"
  else
    echo "=== conformance [$mode] $bin: FAIL (exit $?)"
    failed+=("$bin")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  if [ ${#all_failed_cases[@]} -gt 0 ]; then
    echo "conformance [$mode]: failing cases:" >&2
    printf '  %s\n' "${all_failed_cases[@]}" >&2
  fi
  echo "conformance [$mode]: ${#failed[@]} of ${#bins[@]} binaries FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "conformance [$mode]: all ${#bins[@]} binaries passed"
