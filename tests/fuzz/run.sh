#!/usr/bin/env bash
# tests/fuzz/run.sh build DIR [MAIN] configure + build the fuzz targets with clang in DIR
#                                    (MAIN: the main build dir, for task_service)
# tests/fuzz/run.sh run DIR TARGET   run one target for $LITEBOX_FUZZ_SECONDS (default 60)
#                                    from tests/fuzz/corpus/TARGET; non-zero on any finding
# Exit 77 (skip) when clang with libFuzzer is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: run.sh build DIR | run DIR TARGET}
dir=${2:?usage: run.sh build DIR | run DIR TARGET}
case $cmd in
  build)
    if ! command -v clang++ >/dev/null; then
      echo "SKIP: clang++ not installed (packaging/install-deps.sh installs clang)"
      exit 77
    fi
    cmake -S "$here/project" -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang \
      -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DLITEBOX_MAIN_BUILD="${3:-}" >/dev/null
    ninja -C "$dir"
    ;;
  run)
    target=${3:?usage: run.sh run DIR TARGET}
    bin=$dir/fuzz_$target
    [ -x "$bin" ] || { echo "SKIP: $bin not built (fuzz.build skipped?)"; exit 77; }
    secs=${LITEBOX_FUZZ_SECONDS:-60}
    # Writable for nobody: task_service runs as nobody in a new root that
    # holds only this dir of the host's (LITEBOX_FUZZ_WORK).
    work=$(mktemp -d "$dir/work-$target.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    # A scratch corpus (the committed seeds stay as they are); findings go to $work.
    mkdir "$work/corpus"
    cp "$here/corpus/$target"/* "$work/corpus/" 2>/dev/null || true
    chmod -R a+rwX "$work"
    export LITEBOX_FUZZ_WORK=$work
    cd "$work"
    set +e
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
    rc=$?
    set -e
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$work/log" || true
    if [ "$rc" -ne 0 ]; then
      echo "FAIL: fuzz_$target exited $rc; the end of its log:"
      tail -n 60 "$work/log"
      for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
        [ -e "$a" ] && { echo "--- finding $a (base64):"; base64 "$a" | head -c 4000; echo; }
      done
      exit 1
    fi
    echo "PASS fuzz_$target: $(grep -m1 -oE 'number_of_executed_units: [0-9]+' "$work/log" | grep -oE '[0-9]+') executions, no finding"
    ;;
  *) echo "usage: run.sh build DIR | run DIR TARGET" >&2; exit 2 ;;
esac
