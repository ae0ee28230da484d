"""RESULTS.md and the PNG plots from one run's results.json."""
import os
import statistics

import plots


def summary(cell):
    if not cell or not cell["samples"]:
        return None
    s = cell["samples"]
    return statistics.median(s), min(s), max(s), len(s)


def fmt(v):
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ratio(rows, metric, rt, base):
    a, b = summary(rows[metric].get(rt)), summary(rows[metric].get(base))
    if not a or not b or b[0] == 0:
        return None
    return a[0] / b[0]


# (target text, metric, runtime, kind, bound): kind "ratio_native" / "abs" /
# "ratio_to:<runtime>" / "ratio_to_metric:<other metric>@<runtime>" (the
# figure over another figure's median); "le"/"ge" is in the bound's sign.
TARGETS = [
    ("pass-class syscall (read 1 B /dev/zero) ≤ 1.05× native", "read 1 B /dev/zero",
     "litebox", "ratio_native", ("le", 1.05)),
    ("pass-class syscall (write 1 B pipe) ≤ 1.05× native", "write 1 B pipe", "litebox",
     "ratio_native", ("le", 1.05)),
    # The same two calls against the floor any seccomp sandbox pays: native
    # under a one-instruction allow-all filter (bench/micro/syscalls.c).
    ("pass-class read 1 B ≤ 1.05× native under an allow-all seccomp filter",
     "read 1 B /dev/zero", "litebox",
     "ratio_to_metric:seccomp floor: read 1 B /dev/zero@native", ("le", 1.05)),
    ("pass-class write 1 B ≤ 1.05× native under an allow-all seccomp filter",
     "write 1 B pipe", "litebox",
     "ratio_to_metric:seccomp floor: write 1 B pipe@native", ("le", 1.05)),
    ("getpid ≤ 1.5 µs", "getpid", "litebox", "abs", ("le", 1500)),
    ("getpid ≤ 1.05× native getpid trapped to an empty SIGSYS handler", "getpid", "litebox",
     "ratio_to_metric:seccomp floor: getpid trapped@native", ("le", 1.05)),
    ("open+close ≤ 8 µs", "open+close", "litebox", "abs", ("le", 8000)),
    ("sequential read ≥ 0.97× native", "sequential read", "litebox", "ratio_native",
     ("ge", 0.97)),
    ("python3 -c pass ≤ 1.5× native (inside the container)", "python3 -c pass (inside)",
     "litebox", "ratio_native", ("le", 1.5)),
    ("litebox do -- /bin/true ≤ 5 ms", "startup /bin/true", "litebox", "abs", ("le", 5.0)),
    ("fork+exec+wait ≤ 1.5× native", "fork+exec+wait", "litebox", "ratio_native", ("le", 1.5)),
    ("make -j2 of a 50-file C project ≤ 1.3× native (inside)", "make -j2", "litebox",
     "ratio_native", ("le", 1.3)),
    ("pipe throughput ≥ 0.95× native", "pipe: dd bs=64k count=16k into cat", "litebox", "ratio_native",
     ("ge", 0.95)),
    ("litebox run ≤ 0.5× crun (run of a bundle, echo hello)", "startup echo hello",
     "litebox-run", "ratio_to:crun", ("le", 0.5)),
    ("ctr run --rm ≤ 0.8× crun", "ctr run --rm echo hello", "litebox", "ratio_to:crun",
     ("le", 0.8)),
]


CAVEATS = [
    "`native` is the same binary chrooted into the same rootfs by the timer: no "
    "namespaces, no seccomp, no cgroups (the rootfs copy has /dev/null, zero, full, random, "
    "urandom nodes for it; containers mount or synthesize their own /dev).",
    "runc and crun run `runc spec` bundles, which carry **no seccomp profile**; LiteBox "
    "always runs its partition filter (generated from libos/syscall_table.def), so its "
    "pass-class figures include the filter's evaluation on every call. The kernel's action "
    "cache lets an unconditionally allowed call skip the BPF program, but any filter at all "
    "sends every syscall down the slow entry path: the `seccomp floor` rows measure that "
    "cost natively (a one-instruction allow-all filter), the least any seccomp sandbox pays.",
    "`litebox` is `litebox do` over the rootfs directory; `litebox-run` is the runc-compatible "
    "`litebox run --bundle` over the same bundle as runc/crun/runsc.",
    "gVisor runs on its ptrace platform (KVM hangs on this VM); its sentry caches file data "
    "and directory entries, so re-reads and repeated getdents/stat can be served without the "
    "host (faster than native is possible there). It mounts its own tmpfs on an empty /tmp, "
    "so the small-file benchmark works in /bench/scratch on the rootfs for everyone.",
    "File data is in the page cache (the data file is written, then read once natively "
    "before the timed runs): the read figures compare the read path, not the disk. The "
    "rootfs is on ext4 mounted with `discard`, which makes create+delete slow for everybody.",
    "Per-call figures (syscalls, 4 KiB random read, fork+exec+wait) are the median over "
    "batches within one run (256 calls; 4 listings for getdents; 10 forks), so a preemption "
    "on this shared machine spoils a batch, not the figure; sequential read, small files and "
    "the pipe are totals over the whole run.",
    "Start-up figures include the runtime CLI's own exec, container set-up, the command and "
    "the teardown (fork to reap of the runtime command). For crun, entering its cgroup2 "
    "mount namespace (nsenter) happens before the timer starts.",
]


def find_metric(rows, prefix):
    for m in rows:
        if m.startswith(prefix):
            return m
    return None


_META = {}


def meta_unit(rows, metric):
    return _META.get(metric, ("",))[0]


def judge(rows, target):
    text, prefix, rt, kind, (op, bound) = target
    metric = find_metric(rows, prefix)
    if not metric:
        return "not measured", "benchmark not run in this mode/selection", metric
    cell = rows[metric].get(rt)
    if not summary(cell):
        why = (cell or {}).get("error") or "no samples"
        return "not measured", why, metric
    if kind == "abs":
        value = summary(cell)[0]
        shown = f"{fmt(value)} {meta_unit(rows, metric)}"
    elif kind.startswith("ratio_to_metric:"):
        other_prefix, base = kind.split(":", 1)[1].rsplit("@", 1)
        other = find_metric(rows, other_prefix)
        other_cell = rows[other].get(base) if other else None
        if not summary(other_cell):
            why = (other_cell or {}).get("error") or "no samples"
            return "not measured", f"{other_prefix} ({base}): {why}", metric
        value = summary(cell)[0] / summary(other_cell)[0]
        shown = f"{value:.2f}× {base} under the filter"
    else:
        base = "native" if kind == "ratio_native" else kind.split(":")[1]
        value = ratio(rows, metric, rt, base)
        if value is None:
            err = (rows[metric].get(base) or {}).get("error") or "no samples"
            return "not measured", f"{base}: {err}", metric
        shown = f"{value:.2f}× {base}"
    met = value <= bound if op == "le" else value >= bound
    return ("met" if met else "NOT met"), shown, metric


def write(result, out, runtime_names):
    info, rows, meta = result["info"], result["rows"], result["meta"]
    _META.update(meta)
    L = []
    L.append("# LiteBox benchmarks: native, runc, crun, gVisor and LiteBox side by side\n")
    L.append("Written by `bench/run.sh` (do not edit by hand; re-run it). "
             f"Mode: **{info['mode']}**, groups: {', '.join(info['groups'])}.\n")
    L.append("## Machine\n")
    L.append(f"- date: {info['date']}; LiteBox commit: {info['litebox_commit']}")
    L.append(f"- {info['os']}, kernel {info['kernel']}, {info['cpu']}, {info['cores']} cores, "
             f"{info['memory']} RAM")
    L.append(f"- load before: `{info['uptime_before']}`")
    L.append(f"- load after: `{info['uptime_after']}`")
    try:
        load = float(info["uptime_before"].split("load average:")[1].split(",")[0])
    except (IndexError, ValueError):
        load = 0
    if load > 1.0:
        # The 1-minute load average also counts work that ended just before
        # the run; it says the figures may be noisy, not why.
        L.append(f"- **The 1-minute load average was {load:.1f} on {info['cores']} cores "
                 "when the run started**: absolute figures may be inflated and noisy; "
                 "runtimes were interleaved run by run so ratios are the fairer reading.")
    L.append("\n## Runtimes and versions\n")
    L.append("| runtime | version | exact command |")
    L.append("|---|---|---|")
    for rt in runtime_names:
        cmd = info["commands"].get(rt)
        ver = info["versions"].get(rt, "")
        L.append(f"| {rt} | {ver} | " + (f"`{cmd}`" if cmd else
                                        f"**not available**: {info['unavailable'].get(rt)}") + " |")
    L.append("\nEvery container runs the same static programs (`bench/micro/*.c`) over the "
             "same rootfs (busybox image + `/bench`; the Debian image for python3 and redis). "
             "Bundles come from `runc spec` (writable root, no terminal, own network namespace). "
             "Start-up figures are wall time measured by `bench-timeit` around the runtime "
             "command (fork to reap); the other figures are measured inside the container by "
             "the program itself. A run counts only if it exited 0 and its check (checksum, "
             "entry/record count, output) equals native's. Each cell: median (min–max, n runs); "
             "ratios compare medians.\n")

    L.append("How to read them:\n")
    for c in CAVEATS:
        L.append(f"- {c}")
    L.append("")
    L.append("## Targets (LiteBox)\n")
    L.append("| target | figure | verdict |")
    L.append("|---|---|---|")
    for t in TARGETS:
        verdict, shown, _ = judge(rows, t)
        L.append(f"| {t[0]} | {shown} | **{verdict}** |")

    L.append("\n## Figures\n")
    benches = []
    for m in rows:
        b = meta[m][2]
        if b not in benches:
            benches.append(b)
    for b in benches:
        ms = [m for m in rows if meta[m][2] == b]
        L.append(f"### {b}\n")
        L.append(f"Command in the container: `{meta[ms[0]][3]}`\n")
        L.append("| figure | " + " | ".join(runtime_names) + " |")
        L.append("|---|" + "---|" * len(runtime_names))
        for m in ms:
            unit, better = meta[m][0], meta[m][1]
            cells = []
            for rt in runtime_names:
                c = rows[m].get(rt)
                s = summary(c)
                if not s:
                    err = (c or {}).get("error") or "not run"
                    cells.append(err.replace("|", "/")[:120])
                    continue
                txt = f"**{fmt(s[0])}** ({fmt(s[1])}–{fmt(s[2])}, n={s[3]})"
                extra = []
                for base in ("native", "runc"):
                    r = ratio(rows, m, rt, base)
                    if r is not None and rt != base:
                        extra.append(f"{r:.2f}× {base}")
                if extra:
                    txt += "<br>" + ", ".join(extra)
                cells.append(txt)
            L.append(f"| {m} [{unit}, {better} is better] | " + " | ".join(cells) + " |")
        L.append("")
    fd = result.get("footprint_detail") or {}
    if fd:
        L.append("### footprint, per process (idle `sleep 3`, sampled after 2 s)\n")
        L.append("| runtime | process | RSS KiB | PSS KiB |")
        L.append("|---|---|---|---|")
        for rt, procs in fd.items():
            for p in procs:
                L.append(f"| {rt} | `{p['cmd']}` | {p['rss_kib']:,} | {p['pss_kib']:,} |")
        L.append("")
    for n in result.get("notes", []):
        L.append(f"- {n}")
    L.append("\n## Plots\n")
    for png, title in plots.draw(result, out, runtime_names):
        L.append(f"![{title}]({png})\n")
    L.append("## Reproduce\n")
    L.append("`bench/run.sh --quick` (under 5 minutes) or `bench/run.sh` (full); "
             "`--only GROUP` (startup, python, syscalls, files, procs, build, footprint, ctr, redis, "
             "nginx) "
             "runs one group and writes its RESULTS.md to the build dir unless `--out` is given.")
    with open(os.path.join(out, "RESULTS.md"), "w") as f:
        f.write("\n".join(L) + "\n")
