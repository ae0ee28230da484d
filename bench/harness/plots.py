"""PNG plots (matplotlib, Debian's python3-matplotlib): per benchmark group,
each runtime's median as a ratio to native (log scale), with min–max
whiskers; start-up also in absolute milliseconds."""
import os
import statistics

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # reported in RESULTS.md instead of a plot
    plt = None

COLORS = {"native": "#555555", "runc": "#1f77b4", "crun": "#2ca02c", "runsc": "#d62728",
          "litebox": "#ff7f0e", "litebox-run": "#9467bd"}


def _bars(ax, metrics, rows, runtimes, value_fn):
    width = 0.8 / max(1, len(runtimes))
    for i, rt in enumerate(runtimes):
        xs, ys, lo, hi = [], [], [], []
        for j, m in enumerate(metrics):
            v = value_fn(m, rt)
            if v is None:
                continue
            med, mn, mx = v
            xs.append(j + (i - (len(runtimes) - 1) / 2) * width)
            ys.append(med)
            lo.append(med - mn)
            hi.append(mx - med)
        if xs:
            ax.bar(xs, ys, width, yerr=[lo, hi], label=rt, color=COLORS.get(rt), capsize=2)
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels([m if len(m) < 36 else m[:34] + "…" for m in metrics], rotation=20,
                       ha="right", fontsize=8)
    ax.legend(fontsize=8)


def draw(result, out, runtimes):
    """Writes the plots; returns [(file name, title)]."""
    if plt is None:
        return []
    rows, meta = result["rows"], result["meta"]

    def stats(m, rt):
        c = rows[m].get(rt)
        if not c or not c["samples"]:
            return None
        s = c["samples"]
        return statistics.median(s), min(s), max(s)

    def rel(m, rt):
        a, b = stats(m, rt), stats(m, "native")
        if not a or not b or not b[0]:
            return None
        # "higher is better" figures are inverted so above 1 is always slower.
        if meta[m][1] == "higher":
            return b[0] / a[0], b[0] / a[2], b[0] / a[1]
        return a[0] / b[0], a[1] / b[0], a[2] / b[0]

    made = []
    groups = {}
    for m in rows:
        groups.setdefault(meta[m][2], []).append(m)
    with_native = [m for m in rows if stats(m, "native")]
    sets = [("syscalls", [m for m in with_native if meta[m][2] == "syscalls"]),
            ("files-procs", [m for m in with_native
                             if meta[m][2] in ("seqread", "randread", "smallfiles", "forkexec",
                                               "pipe", "python")])]
    for name, ms in sets:
        if not ms:
            continue
        fig, ax = plt.subplots(figsize=(10, 4.5))
        _bars(ax, ms, rows, runtimes, rel)
        ax.set_yscale("log")
        ax.axhline(1.0, color="black", linewidth=0.6)
        ax.set_ylabel("time relative to native (log; lower is better)")
        ax.set_title(f"{name}: median / native, min–max whiskers")
        fig.tight_layout()
        png = f"plot-{name}.png"
        fig.savefig(os.path.join(out, png), dpi=90)
        plt.close(fig)
        made.append((png, f"{name} relative to native"))
    abs_sets = [("startup", [m for m in rows if meta[m][2] in ("startup_echo", "startup_true",
                                                              "ctr")]),
                ("footprint", [m for m in rows if meta[m][2] == "footprint"])]
    for name, ms in abs_sets:
        if not ms:
            continue
        fig, ax = plt.subplots(figsize=(10, 4.5))
        _bars(ax, ms, rows, runtimes, stats)
        ax.set_ylabel(meta[ms[0]][0] + " (lower is better)")
        if name == "startup":
            ax.set_yscale("log")
        ax.set_title(f"{name}: median, min–max whiskers")
        fig.tight_layout()
        png = f"plot-{name}.png"
        fig.savefig(os.path.join(out, png), dpi=90)
        plt.close(fig)
        made.append((png, name))
    return made
