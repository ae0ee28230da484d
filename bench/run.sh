#!/usr/bin/env bash
# LiteBox against native, runc, crun and gVisor (runsc), side by side, on
# the same machine in the same run: builds what it needs, runs every
# benchmark on every runtime (interleaved), writes RESULTS.md + PNG plots.
#
# usage: bench/run.sh [--quick] [--only GROUP]... [--build-dir DIR] [--out DIR]
#   --quick       smaller counts, fewer repetitions, no redis (under 5 minutes)
#   --only GROUP  startup|python|syscalls|files|procs|build|footprint|ctr|redis|nginx (repeatable)
#   --build-dir   cmake/ninja build directory (default: <repo>/build-bench)
#   --out         where RESULTS.md, results.json and the plots go (default: bench/
#                 for a run of every group, <build>/bench-results with --only)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build-bench
out=""
quick=()
only=()
die() { echo "bench/run.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=(--quick); shift ;;
    --only) [ $# -ge 2 ] || die "--only needs a group"; only+=(--only "$2"); shift 2 ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "must run as root (runc, crun, runsc and chroot need it)"
mkdir -p "$build"
build=$(cd "$build" && pwd)
if [ -z "$out" ]; then
  if [ ${#only[@]} -eq 0 ]; then out=$src/bench; else out=$build/bench-results; fi
fi
# Debian's python3 carries python3-matplotlib; another python3 on PATH may not.
py=/usr/bin/python3
[ -x "$py" ] || die "/usr/bin/python3 missing (packaging/install-deps.sh)"
"$py" -c 'import matplotlib' 2>/dev/null ||
  echo "bench/run.sh: WARNING: python3-matplotlib missing, RESULTS.md will have no plots" >&2

# Build: the runtime (litebox + its guest) and the benchmark programs; the
# shim only when `ctr` runs (its failure to build is reported, not fatal).
# Only the components benchmarked (tests/ is left out: a half-written test
# directory of someone else must not stop the benchmarks).
cmake -S "$src" -B "$build" -G Ninja "-DLITEBOX_ONLY=oci;libos;rootfs;runtime;shim-v2;bench" \
  >/dev/null || die "cmake configure of $build failed"
ninja -C "$build" -j2 bench-programs
ninja -C "$build" -j2 litebox ||
  echo "bench/run.sh: ######## litebox did not build: it is reported as not available ########" >&2
wants_ctr=1
if [ ${#only[@]} -gt 0 ]; then
  wants_ctr=0
  for g in "${only[@]}"; do [ "$g" = ctr ] && wants_ctr=1; done
fi
[ "${#quick[@]}" -gt 0 ] && [ ${#only[@]} -eq 0 ] && wants_ctr=1
if [ "$wants_ctr" = 1 ]; then
  # Not `ninja ... | grep -q`: grep stops reading at the match, ninja dies of
  # SIGPIPE and pipefail turns the match into a failure.
  targets=$(ninja -C "$build" -t targets all 2>/dev/null || true)
  if grep -q '^containerd-shim-litebox-v1:' <<<"$targets"; then
    ninja -C "$build" -j2 containerd-shim-litebox-v1 ||
      echo "bench/run.sh: ######## LiteBox shim did not build: ctr run for LiteBox is skipped ########" >&2
  else
    echo "bench/run.sh: ######## no shim target in this build: ctr run for LiteBox is skipped ########" >&2
  fi
fi

cd "$src/bench/harness"
exec "$py" main.py --src "$src" --build-dir "$build" --out "$out" "${quick[@]}" "${only[@]}"
