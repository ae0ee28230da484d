#!/usr/bin/env bash
# Writes a runc-style OCI bundle: BUNDLE_DIR/config.json from `runc spec`,
# with root.path pointing at ROOTFS_DIR (absolute, not copied), the given
# process args and terminal off, so `runc run` / `litebox run` can run it
# without a tty (tests, benchmarks).
#
# usage: make-bundle.sh [--rootless] [--writable] [--env K=V]... [--cwd DIR]
#                       ROOTFS_DIR BUNDLE_DIR -- ARGS...
set -euo pipefail

die() { echo "make-bundle.sh: $*" >&2; exit 1; }
usage="usage: make-bundle.sh [--rootless] [--writable] [--env K=V]... [--cwd DIR] ROOTFS_DIR BUNDLE_DIR -- ARGS..."

rootless=0 writable=0 cwd=/
envs=()
while [ $# -gt 0 ]; do
  case $1 in
    --rootless) rootless=1; shift ;;
    --writable) writable=1; shift ;;
    --env) [ $# -ge 2 ] || die "--env needs K=V"; envs+=("$2"); shift 2 ;;
    --cwd) [ $# -ge 2 ] || die "--cwd needs a directory"; cwd=$2; shift 2 ;;
    --) die "$usage" ;;
    -*) die "unknown option $1; $usage" ;;
    *) break ;;
  esac
done
[ $# -ge 4 ] && [ "$3" = -- ] || die "$usage"
rootfs=$1 bundle=$2
shift 3
[ -d "$rootfs" ] || die "rootfs $rootfs: not a directory"
command -v runc >/dev/null || die "runc not found: it writes the base config (apt-get install runc)"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

rootfs=$(cd "$rootfs" && pwd)
mkdir -p "$bundle"
rm -f "$bundle/config.json"
spec_args=(spec --bundle "$bundle")
[ "$rootless" = 1 ] && spec_args+=(--rootless)
runc "${spec_args[@]}"

# Arguments reach python as argv, so no quoting games with JSON.
"$py" - "$bundle/config.json" "$rootfs" "$writable" "$cwd" "${#envs[@]}" "${envs[@]}" "$@" <<'PY'
import json, sys
path, rootfs, writable, cwd, nenv = sys.argv[1:6]
rest = sys.argv[6:]
envs, args = rest[:int(nenv)], rest[int(nenv):]
with open(path) as f:
    spec = json.load(f)
spec["root"]["path"] = rootfs
spec["root"]["readonly"] = writable != "1"
proc = spec["process"]
proc["terminal"] = False
proc["args"] = args
proc["cwd"] = cwd
keys = {e.split("=", 1)[0] for e in envs}
proc["env"] = [e for e in proc.get("env", []) if e.split("=", 1)[0] not in keys] + envs
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
PY
echo "$bundle/config.json"
