"""Runs one command in one runtime and turns its output into figures.

A run counts only when the runtime exited 0, printed what the benchmark
expects, and every RESULT line's check matched the reference (native);
otherwise the run is a failure with the reason kept for RESULTS.md.
"""
import os
import subprocess


class RunFailed(Exception):
    pass


def run_once(argv, timeit_out, timeout):
    """Runs argv (already wrapped in the timer); returns (wall_ms, stdout)."""
    if os.path.exists(timeit_out):
        os.unlink(timeit_out)
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RunFailed(f"timed out after {timeout} s")
    tail = (p.stderr.strip().splitlines() or [""])[-1][:300]
    if p.returncode != 0:
        out_tail = (p.stdout.strip().splitlines() or [""])[-1][:200]
        raise RunFailed(f"exit status {p.returncode}; stderr: {tail!r}; stdout: {out_tail!r}")
    try:
        with open(timeit_out) as f:
            ns, status = f.read().split()
    except (OSError, ValueError):
        raise RunFailed(f"the timer wrote no result; stderr: {tail!r}")
    return int(ns) / 1e6, p.stdout


def parse_results(stdout):
    """RESULT lines of the micro programs -> {name: (value, unit, check, ops)}."""
    found = {}
    for line in stdout.splitlines():
        f = line.split()
        if f and f[0] == "FAIL":
            raise RunFailed("benchmark program: " + line)
        if len(f) == 6 and f[0] == "RESULT":
            found[f[1]] = (float(f[2]), f[3], f[4], int(f[5]))
    return found


def smaps_rollup(pid):
    """(rss_kib, pss_kib) of one process."""
    rss = pss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def descendants(*pids):
    """The given pids and every process below them, from /proc/*/stat
    parent links (one scan of /proc however many roots)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], list(pids)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
        return " ".join(a.decode(errors="replace") for a in args[:3] if a)[:60]
    except OSError:
        return "?"
