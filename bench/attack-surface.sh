#!/usr/bin/env bash
# Prints, as a markdown table, how many distinct host (x86-64) syscall numbers
# a sandboxed workload can reach under LiteBox, gVisor (runsc) and Docker's
# default seccomp profile, with Linux's x86-64 syscall count for scale.
#
#   LiteBox  `litebox policy --stats` (its "host-reachable numbers" total)
#   gVisor   starts a tiny busybox container with runsc (ptrace platform,
#            --network=none), reads back the seccomp BPF the Sentry installed
#            on itself with PTRACE_SECCOMP_GET_FILTER and evaluates it for
#            every x86-64 syscall number (arguments treated as unknown);
#            cross-checked against the debug log's "Installing seccomp
#            filters for N syscalls" line. Everything it starts is deleted.
#   Docker   the default profile's allow rules (moby default.json if
#            installed, else containerd's contrib/seccomp/seccomp_default.go),
#            for a default `docker run` (default capability set, x86-64).
#
# usage: bench/attack-surface.sh [--build-dir DIR]   (default: <repo>/build, as tests/run.sh)
set -euo pipefail

die() { echo "attack-surface.sh: $*" >&2; exit 1; }

build_dir=${LITEBOX_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs an argument"; build_dir=$2; shift 2 ;;
    --build-dir=*) build_dir=${1#*=}; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (usage: attack-surface.sh [--build-dir DIR])" ;;
  esac
done

unistd=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
litebox=$build_dir/bin/litebox
busybox=${BUSYBOX:-/bin/busybox}
moby_json=/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json
ctrd_src=/usr/share/gocode/src/github.com/containerd/containerd
ctrd_go=$ctrd_src/contrib/seccomp/seccomp_default.go
ctrd_caps=$ctrd_src/oci/spec.go

# ---- tools -----------------------------------------------------------------
python=$(command -v /usr/bin/python3 || command -v python3 || true)
[ -n "$python" ] || die "python3 not found (apt-get install python3)"
[ -r "$unistd" ] || die "$unistd not found (apt-get install linux-libc-dev)"
[ -x "$litebox" ] || die "$litebox not found (build LiteBox or pass --build-dir DIR)"
command -v runsc >/dev/null || die "runsc not found (apt-get install runsc)"
command -v timeout >/dev/null || die "timeout not found (coreutils)"
[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
readelf -l "$busybox" 2>/dev/null | grep -q "Requesting program interpreter" &&
  die "$busybox is not statically linked (apt-get install busybox-static)"
if [ -r "$moby_json" ]; then
  docker_src=$moby_json
elif [ -r "$ctrd_go" ]; then
  docker_src=$ctrd_go
else
  die "no Docker default seccomp profile source: neither $moby_json nor $ctrd_go (apt-get install golang-github-containerd-containerd-dev)"
fi

# ---- helpers (python) -------------------------------------------------------
read -r -d '' PY <<'PYEOF' || true
import ctypes, json, os, re, struct, sys

def syscall_table(path):
    nr = {}
    for m in re.finditer(r'^#define __NR_(\w+)\s+(\d+)', open(path).read(), re.M):
        nr[m.group(1)] = int(m.group(2))
    return nr

# --- classic BPF evaluator: nr and arch fixed, everything else unknown -------
AUDIT_ARCH_X86_64 = 0xc000003e
def actions_for(prog, nr, arch=AUDIT_ARCH_X86_64):
    """Set of SECCOMP_RET_* values reachable for this nr over all argument values."""
    out, seen, stack = set(), set(), [(0, None, None, (None,) * 16)]
    M32 = 0xffffffff
    while stack:
        st = stack.pop()
        if st in seen:
            continue
        seen.add(st)
        pc, A, X, mem = st
        if pc >= len(prog):
            raise ValueError("pc out of range")
        code, jt, jf, k = prog[pc]
        cls = code & 7
        nxt = pc + 1
        if cls == 0 or cls == 1:                      # LD / LDX
            mode = code & 0xe0
            if mode == 0x00: v = k
            elif mode == 0x60: v = mem[k]
            elif mode == 0x80: v = 64
            elif mode == 0x20:
                v = nr if k == 0 else arch if k == 4 else None
            else: raise ValueError("ld mode %#x" % code)
            if cls == 0: A = v
            else: X = v
            stack.append((nxt, A, X, mem))
        elif cls == 2 or cls == 3:                    # ST / STX
            m = list(mem); m[k] = A if cls == 2 else X
            stack.append((nxt, A, X, tuple(m)))
        elif cls == 4:                                # ALU
            op, src = code & 0xf0, (X if code & 8 else k)
            if op == 0x80: A = None if A is None else (-A) & M32
            elif A is None or src is None:
                A = 0 if (op == 0x50 and src == 0) else None
            else:
                f = {0x00: lambda a, b: a + b, 0x10: lambda a, b: a - b,
                     0x20: lambda a, b: a * b, 0x30: lambda a, b: a // b if b else 0,
                     0x40: lambda a, b: a | b, 0x50: lambda a, b: a & b,
                     0x60: lambda a, b: a << b, 0x70: lambda a, b: a >> b,
                     0x90: lambda a, b: a % b if b else 0, 0xa0: lambda a, b: a ^ b}[op]
                A = f(A, src) & M32
            stack.append((nxt, A, X, mem))
        elif cls == 5:                                # JMP
            op = code & 0xf0
            if op == 0x00:
                stack.append((nxt + k, A, X, mem)); continue
            src = X if code & 8 else k
            if A is None or src is None: res = (True, False)
            else:
                res = ({0x10: A == src, 0x20: A > src, 0x30: A >= src, 0x40: (A & src) != 0}[op],)
            for r in res:
                stack.append((nxt + (jt if r else jf), A, X, mem))
        elif cls == 6:                                # RET
            rv = A if (code & 0x18) == 0x10 else k
            out.add(None if rv is None else rv & 0xffff0000)
        elif cls == 7:                                # TAX / TXA
            if code & 0xf8 == 0x80: A = X
            else: X = A
            stack.append((nxt, A, X, mem))
    return out

ALLOWISH = {0x7fff0000, 0x7ffc0000}                   # ALLOW, LOG

def classify(filters, numbers):
    """numbers reachable on the host (some args pass every filter) and which of those are arg-checked."""
    allowed, cond = [], []
    for n in numbers:
        acts = [actions_for(p, n) for p in filters]
        if all(a & ALLOWISH for a in acts):
            allowed.append(n)
            if any(a - ALLOWISH for a in acts):
                cond.append(n)
    return allowed, cond

def get_filters(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    SEIZE, INTERRUPT, DETACH, GET_FILTER = 0x4206, 0x4207, 17, 0x420c
    def err(what):
        e = ctypes.get_errno(); return "%s: %s" % (what, os.strerror(e))
    if libc.ptrace(SEIZE, pid, None, None) < 0:
        raise OSError(err("PTRACE_SEIZE"))
    filters = []
    try:
        if libc.ptrace(INTERRUPT, pid, None, None) < 0:
            raise OSError(err("PTRACE_INTERRUPT"))
        os.waitpid(pid, 0x40000000)                  # __WALL
        i = 0
        while True:
            n = libc.ptrace(GET_FILTER, pid, ctypes.c_void_p(i), None)
            if n < 0:
                if ctypes.get_errno() == 2 and i > 0:   # ENOENT: no more filters
                    break
                raise OSError(err("PTRACE_SECCOMP_GET_FILTER[%d]" % i))
            buf = ctypes.create_string_buffer(8 * n)
            if libc.ptrace(GET_FILTER, pid, ctypes.c_void_p(i), buf) != n:
                raise OSError(err("PTRACE_SECCOMP_GET_FILTER[%d] read" % i))
            filters.append([struct.unpack_from("<HBBI", buf.raw, 8 * j) for j in range(n)])
            i += 1
    finally:
        libc.ptrace(DETACH, pid, None, None)
    return filters

def cmd_linux(unistd):
    t = syscall_table(unistd)
    print("%d %d" % (len(set(t.values())), max(t.values())))

def cmd_gvisor_bpf(unistd, pid):
    t = syscall_table(unistd)
    filters = get_filters(int(pid))
    numbers = list(range(max(511, max(t.values())) + 1))   # also numbers newer than the headers
    allowed, cond = classify(filters, numbers)
    x32 = classify(filters, [0x40000000 | n for n in numbers])[0]
    byn = {n: "nr%d" % n for n in numbers}
    byn.update({v: k for k, v in t.items()})
    print("%d %d %d %d %s" % (len(allowed), len(cond), len(filters),
          sum(len(f) for f in filters), len(x32)))
    print("allowed: " + " ".join(byn[n] for n in allowed))
    print("arg-checked: " + " ".join(byn[n] for n in cond))

def cmd_gvisor_log(unistd, log):
    t = syscall_table(unistd)
    allow = "0x" + b"allow".hex()
    names, text = set(), open(log).read()
    # Only the Sentry's own filter: the lines between these two markers (the
    # log also holds rules built later for the ptrace stub processes).
    start = text.rindex("Installing seccomp filters for")
    section = text[start:text.index("Seccomp filters installed", start)]
    for m in re.finditer(r'syscall filter (\w+): .* => (0x[0-9a-f]+)', section):
        if m.group(2) == allow: names.add(m.group(1))
    print(len({t[n] for n in names if n in t}))

def go_block_end(text, i):
    depth = 0
    for j in range(i, len(text)):
        if text[j] == '{': depth += 1
        elif text[j] == '}':
            depth -= 1
            if depth == 0: return j
    raise ValueError("unbalanced braces")

def cmd_docker(unistd, src, caps_src):
    t = syscall_table(unistd)
    text = open(src).read()
    uncond, argchk, kern, capc, other = set(), set(), set(), {}, set()
    if src.endswith(".json"):                        # moby default.json
        prof = json.loads(text)
        caps = set()
        if caps_src and os.path.exists(caps_src):
            caps = set(re.findall(r'"(CAP_\w+)"', re.search(r'func defaultUnixCaps\(\)[^}]*}', open(caps_src).read()).group(0)))
        for r in prof["syscalls"]:
            if r.get("action") not in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG"): continue
            inc, exc = r.get("includes", {}), r.get("excludes", {})
            if inc.get("arches") and "amd64" not in inc["arches"] and "x86_64" not in inc["arches"]: continue
            if exc.get("arches") and ("amd64" in exc["arches"] or "x86_64" in exc["arches"]): continue
            if exc.get("caps") and set(exc["caps"]) & caps: continue
            names = set(r["names"])
            if inc.get("caps"):
                for c in inc["caps"]: capc.setdefault(c, set()).update(names)
            elif r.get("args"): argchk |= names
            elif inc.get("minKernel"): kern |= names
            else: uncond |= names
    else:                                             # containerd seccomp_default.go
        fn = text.index("func DefaultProfile(")
        body = text[fn:go_block_end(text, text.index("{", fn))]
        caps = set(re.findall(r'"(CAP_\w+)"', re.search(r'func defaultUnixCaps\(\)[^}]*}', open(caps_src).read()).group(0)))
        kv = body.find("kernelversion.GreaterEqualThan")
        arch_sw = body.find("// include by arch")
        for m in re.finditer(r'Names:\s*\[\]string\{([^}]*)\}', body):
            names = set(re.findall(r'"(\w+)"', m.group(1)))
            rule_end = go_block_end(body, body.rindex("{", 0, m.start()))
            rule = body[m.start():rule_end]
            act = re.search(r'Action:\s*specs\.(\w+)', rule).group(1)
            if act not in ("ActAllow", "ActLog"): continue
            labels = list(re.finditer(r'\b(case [^:]*|default):', body[:m.start()]))
            label = labels[-1].group(1) if labels else None
            has_args = "Index:" in rule
            if label and "CAP_" in label:
                for c in re.findall(r'"(CAP_\w+)"', label): capc.setdefault(c, set()).update(names)
                continue
            if label and m.start() > arch_sw and not ('"amd64"' in label or label == "default"):
                continue                              # another architecture's case
            if has_args: argchk |= names
            elif kv != -1 and kv < m.start() < arch_sw: kern |= names
            elif m.start() > arch_sw and label is not None:
                other |= names                        # amd64-only additions
            else: uncond |= names
    nums = lambda s: {t[n] for n in s if n in t}
    capd = set().union(*[v for c, v in capc.items() if c in caps]) if capc else set()
    allcap = set().union(*capc.values()) if capc else set()
    base = nums(uncond | other)
    total = base | nums(argchk) | nums(kern) | nums(capd)
    print("%d %d %d %d %d %d %d %d" % (len(total), len(base), len(nums(argchk) - base),
          len(nums(kern) - base), len(nums(capd) - base - nums(argchk) - nums(kern)),
          len(total | nums(allcap)),
          len(uncond | other | argchk | kern | capd), len((uncond | other | argchk | kern | capd) - set(t))))
    print("arg-checked: " + " ".join(sorted(argchk)))
    print("kernel-version: " + " ".join(sorted(kern)))
    print("default-caps: " + " ".join(sorted(capd)))

cmd = sys.argv[1]
{"linux": cmd_linux, "gvisor-bpf": cmd_gvisor_bpf, "gvisor-log": cmd_gvisor_log,
 "docker": cmd_docker}[cmd](*sys.argv[2:])
PYEOF
py() { "$python" -c "$PY" "$@"; }

# ---- Linux ------------------------------------------------------------------
read -r linux_total linux_max < <(py linux "$unistd")
hdr_ver=$(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null || echo unknown)

# ---- LiteBox ----------------------------------------------------------------
lb_out=$("$litebox" policy --stats) || die "$litebox policy --stats failed"
lb_total=$(sed -n 's/^host-reachable numbers.*: *\([0-9][0-9]*\) *$/\1/p' <<<"$lb_out")
lb_pass=$(awk '$1 == "pass" && $2 ~ /^[0-9]+$/ {print $2; exit}' <<<"$lb_out")
lb_gate=$(awk '$1 == "via" && $2 == "gate" {print $3; exit}' <<<"$lb_out")
[ -n "$lb_total" ] || die "could not find the 'host-reachable numbers' line in litebox policy --stats output"
lb_range=$(sed -n '1s/.*(\(.*\)).*/\1/p' <<<"$lb_out")

# ---- gVisor -----------------------------------------------------------------
tmp=$(mktemp -d /tmp/attack-surface.XXXXXX)
cid=attack-surface-$$
created=0
cleanup() {
  local rc=$?
  if [ "$created" = 1 ]; then
    timeout 30 runsc --root "$tmp/state" delete --force "$cid" >/dev/null 2>&1 || true
  fi
  # Anything of ours still alive (runsc-sandbox / runsc-gofer use --root=$tmp/state).
  local p
  for p in $(pgrep -f -- "--root=$tmp/state" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "${tmp:-}" ] && [ -d "$tmp" ]; then
    awk -v t="$tmp" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

runsc_ver=$(runsc --version 2>/dev/null | sed -n '1s/^runsc version //p')
gv_row="" gv_how=""
gv_fail() { gv_row="not measured: $1"; gv_how="gVisor: $1"; }

mkdir -p "$tmp/bundle/rootfs/bin" "$tmp/state" "$tmp/log"
cp "$busybox" "$tmp/bundle/rootfs/bin/busybox"
"$python" - "$tmp/bundle/config.json" <<'PYEOF'
import json, sys
json.dump({
  "ociVersion": "1.0.0",
  "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "cwd": "/",
              "args": ["/bin/busybox", "sleep", "600"], "env": ["PATH=/bin"]},
  "root": {"path": "rootfs", "readonly": True},
  "hostname": "attack-surface",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]},
}, open(sys.argv[1], "w"))
PYEOF

runsc_flags=(--root "$tmp/state" --platform=ptrace --network=none --debug --debug-log="$tmp/log/")
created=1
if ! timeout 60 runsc "${runsc_flags[@]}" run --detach --bundle "$tmp/bundle" "$cid" \
    </dev/null >"$tmp/run.out" 2>"$tmp/run.err"; then
  gv_fail "runsc run failed: $(tail -n 1 "$tmp/run.err" | tr -d '\r' | cut -c1-160)"
else
  gv_pid=$(runsc --root "$tmp/state" state "$cid" 2>/dev/null |
    "$python" -c 'import json,sys; print(json.load(sys.stdin).get("pid", ""))' || true)
  if [ -z "$gv_pid" ] || [ ! -d "/proc/$gv_pid" ]; then
    gv_fail "runsc state gave no live sandbox pid"
  else
    for _ in $(seq 100); do   # the Sentry installs its filter when the container starts
      [ "$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$gv_pid/status" 2>/dev/null || echo 0)" -ge 1 ] && break
      sleep 0.1
    done
    boot_log=$(ls "$tmp"/log/*boot* 2>/dev/null | head -n 1 || true)
    gofer_log=$(ls "$tmp"/log/*gofer* 2>/dev/null | head -n 1 || true)
    gv_logn=$( [ -n "$boot_log" ] && sed -n 's/.*Installing seccomp filters for \([0-9]*\) syscalls.*/\1/p' "$boot_log" | tail -n 1 || true)
    gv_gofern=$( [ -n "$gofer_log" ] && sed -n 's/.*Installing seccomp filters for \([0-9]*\) syscalls.*/\1/p' "$gofer_log" | tail -n 1 || true)
    if bpf=$(py gvisor-bpf "$unistd" "$gv_pid" 2>"$tmp/bpf.err"); then
      read -r gv_n gv_cond gv_nf gv_ninsn gv_x32 <<<"$(head -n 1 <<<"$bpf")"
      gv_argchk=$(sed -n 's/^arg-checked: //p' <<<"$bpf")
      gv_row="$gv_n"
      gv_how="gVisor: read the Sentry's installed filter back from the kernel (PTRACE_SECCOMP_GET_FILTER on runsc-sandbox pid $gv_pid: $gv_nf filter(s), $gv_ninsn BPF insns) and evaluated it for each x86-64 number 0-$(( linux_max > 511 ? linux_max : 511 )) with args unknown: $gv_n reach RET_ALLOW, $gv_cond of them only with argument checks ($gv_argchk); x32 numbers allowed: $gv_x32. Cross-check, Sentry debug log: \"Installing seccomp filters for ${gv_logn:-?} syscalls\" (syscalls with rules, any action); the gofer's separate filter: ${gv_gofern:-?} syscalls."
    elif [ -n "$boot_log" ] && [ -n "$gv_logn" ]; then
      gv_n=$(py gvisor-log "$unistd" "$boot_log")
      gv_row="$gv_n"
      gv_how="gVisor: PTRACE_SECCOMP_GET_FILTER failed ($(tail -n 1 "$tmp/bpf.err")); counted distinct syscalls with an allow rule in the boot debug log ($gv_n; log says \"Installing seccomp filters for $gv_logn syscalls\")."
    else
      gv_fail "could not read the Sentry's seccomp filter: $(tail -n 1 "$tmp/bpf.err")"
    fi
  fi
fi
timeout 30 runsc --root "$tmp/state" delete --force "$cid" >/dev/null 2>&1 || true
created=0

# ---- Docker -----------------------------------------------------------------
dk=$(py docker "$unistd" "$docker_src" "$ctrd_caps") || die "could not parse $docker_src"
read -r dk_total dk_base dk_args dk_kern dk_caps dk_allcaps dk_names dk_notx86 <<<"$(head -n 1 <<<"$dk")"
dk_argnames=$(sed -n 's/^arg-checked: //p' <<<"$dk")
dk_kernnames=$(sed -n 's/^kernel-version: //p' <<<"$dk")
dk_capnames=$(sed -n 's/^default-caps: //p' <<<"$dk")
case $docker_src in
  *.json) dk_label="moby profiles/seccomp/default.json" ;;
  *) dk_label="containerd $(dpkg-query -W -f='${Version}' golang-github-containerd-containerd-dev 2>/dev/null) contrib/seccomp/seccomp_default.go (no moby default.json installed)" ;;
esac

# ---- report -----------------------------------------------------------------
echo "| engine | host syscalls reachable | source |"
echo "|---|---|---|"
echo "| LiteBox | $lb_total | \`$litebox policy --stats\` |"
echo "| gVisor (runsc ${runsc_ver:-?}, ptrace) | $gv_row | Sentry seccomp filter, read from the running sandbox |"
echo "| Docker default seccomp | $dk_total | $dk_label |"
echo "| Linux x86-64 (all) | $linux_total | $unistd (linux-libc-dev $hdr_ver), numbers 0-$linux_max |"
echo
echo "- LiteBox: the total \`litebox policy --stats\` states as \"host-reachable numbers (pass + gate set)\": ${lb_pass:-?} pass-class + ${lb_gate:-?} gated, over ${lb_range:-its range}."
echo "- $gv_how"
echo "- Docker: distinct x86-64 numbers of the names allowed for a default \`docker run\` (default capability set from containerd oci/spec.go, no CAP_SYS_ADMIN, kernel >= 4.8): $dk_base unconditional (incl. amd64-only arch_prctl/modify_ldt) + $dk_args allowed only with argument checks ($dk_argnames) + $dk_kern by kernel version ($dk_kernnames) + $dk_caps by a default capability ($dk_capnames); $dk_notx86 of the $dk_names allowed names do not exist on x86-64 and are not counted; with every capability-gated rule as well: $dk_allcaps. The profile also admits the i386 and x32 ABIs (not counted)."
echo "- Linux: distinct __NR_ numbers in unistd_64.h (these headers may predate the running kernel $(uname -r))."
