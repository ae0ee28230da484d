#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (as root): installs the
# dependencies, builds, builds the test images, runs CTest. Non-zero on any
# failure. `tests/run.sh --long` also runs the slow suites (full-size fuzz,
# load); CI runs the default suite plus whatever fits in its time budget.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${LITEBOX_BUILD_DIR:-$ROOT/build}
LONG=0
for a in "$@"; do
  case "$a" in
    --long) LONG=1 ;;
    *) echo "usage: tests/run.sh [--long]" >&2; exit 2 ;;
  esac
done

bash packaging/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD" -j"$(nproc)"

# Images several suites share (cached under the build dir).
bash tests/images/build-busybox.sh "$BUILD/images"

labels=()
[ "$LONG" -eq 1 ] || labels=(-LE slow)
# Fuzz targets (tests/fuzz): 60 s each by default, 10 min each with --long.
# Load (tests/integration/shim/load.sh): 100 run/delete cycles, 1,000 with --long.
if [ "$LONG" -eq 1 ]; then
  export LITEBOX_FUZZ_SECONDS=${LITEBOX_FUZZ_SECONDS:-600}
  export LITEBOX_LOAD_CYCLES=${LITEBOX_LOAD_CYCLES:-1000} LITEBOX_LOAD_EXECS=${LITEBOX_LOAD_EXECS:-500}
else
  export LITEBOX_FUZZ_SECONDS=${LITEBOX_FUZZ_SECONDS:-60}
fi
rc=0
ctest --test-dir "$BUILD" --output-on-failure --timeout 600 -j2 "${labels[@]}" || rc=$?
if [ "$rc" -ne 0 ]; then
  # The failures again, alone and last, where a truncated CI log still shows
  # their output. A test that fails again fails the run. One that passes
  # alone failed only beside others (timing, load under -j2): it is listed
  # as FLAKY at the very end of the log -- a defect to chase, not a pass to
  # forget -- and does not fail the run.
  failed=$(sed 's/^[0-9]*://' "$BUILD/Testing/Temporary/LastTestsFailed.log" | tr '\n' ' ')
  echo "=== tests/run.sh: re-running the failed tests once, alone: $failed==="
  rc=0
  ctest --test-dir "$BUILD" --rerun-failed --output-on-failure --timeout 600 -j1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "=== FLAKY: failed under -j2, passed alone: $failed==="
  fi
  exit "$rc"
fi
