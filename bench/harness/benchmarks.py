"""The benchmarks that run one command per container, and the interleaved
runner: repetition r runs every runtime once (in an order rotated by r),
so a load spike on this shared machine hits all runtimes alike.
"""
import itertools
import statistics
import sys

from measure import RunFailed, parse_results, run_once

# (metric, unit, better) per benchmark; "wall" metrics are the timer's own
# measurement around the whole container (start-up included).


class Bench:
    def __init__(self, name, group, args, metrics, rootfs="busybox", expect_stdout=None,
                 wall_metric=None, reps=None, timeout=300, note=""):
        self.name, self.group, self.args_fn = name, group, args
        self.metrics = metrics  # {result name -> (metric, unit, better)}
        self.rootfs = rootfs
        self.expect_stdout = expect_stdout
        self.wall_metric = wall_metric  # (metric, unit) or None
        self.reps = reps
        self.timeout = timeout
        self.note = note


def define(quick):
    """The benchmark list; quick mode uses smaller counts, same programs."""
    budget = "100" if quick else "400"
    rand = "5000" if quick else "20000"
    small = "500" if quick else "10000"
    forks = "100" if quick else "1000"
    big_mib = 256 if quick else 1024
    return big_mib, [
        Bench("startup_echo", "startup", lambda c: ["echo", "hello"], {},
              expect_stdout="hello\n", wall_metric=("startup echo hello", "ms"),
              reps=5 if quick else 15),
        Bench("startup_true", "startup", lambda c: ["/bin/true"], {},
              wall_metric=("startup /bin/true", "ms"), reps=5 if quick else 15),
        Bench("python", "python",
              lambda c: ["/bench/bin/timeit", "-", "--", "/usr/bin/python3", "-c", "pass"],
              {"exec": ("python3 -c pass (inside)", "ms", "lower")}, rootfs="debian",
              wall_metric=("python3 -c pass (with start-up)", "ms"), reps=3 if quick else 10),
        Bench("syscalls", "syscalls",
              lambda c: ["/bench/bin/syscalls", budget, "/bench/data"],
              {"read_devzero": ("read 1 B /dev/zero", "ns/op", "lower"),
               "write_pipe": ("write 1 B pipe", "ns/op", "lower"),
               "getpid": ("getpid", "ns/op", "lower"),
               "getppid": ("getppid", "ns/op", "lower"),
               "open_close": ("open+close", "ns/op", "lower"),
               "stat": ("stat", "ns/op", "lower"),
               "getdents_1000": ("getdents 1,000 entries", "ns/op", "lower"),
               "seccomp_floor_read_devzero": ("seccomp floor: read 1 B /dev/zero under an "
                                              "allow-all filter", "ns/op", "lower"),
               "seccomp_floor_write_pipe": ("seccomp floor: write 1 B pipe under an "
                                            "allow-all filter", "ns/op", "lower"),
               "seccomp_floor_trap_getpid": ("seccomp floor: getpid trapped to a SIGSYS "
                                             "handler", "ns/op", "lower")},
              reps=3 if quick else 5),
        # The same calls as Google Benchmark cases (bench/micro/gbench.cpp),
        # over the Debian image (it is dynamically linked against libbenchmark).
        Bench("gbench", "syscalls",
              lambda c: ["/bench/bin/gbench", "--benchmark_min_time=0.2" if quick else
                         "--benchmark_min_time=0.5"],
              {"gb_getpid": ("gbench getpid", "ns/op", "lower"),
               "gb_read_devzero": ("gbench read 1 B /dev/zero", "ns/op", "lower"),
               "gb_write_pipe": ("gbench write 1 B pipe", "ns/op", "lower"),
               "gb_open_close": ("gbench open+close", "ns/op", "lower"),
               "gb_stat": ("gbench stat", "ns/op", "lower")},
              rootfs="debian", reps=2 if quick else 3),
        Bench("seqread", "files", lambda c: ["/bench/bin/files", "seqread", "/bench/data/big"],
              {"seqread": (f"sequential read {big_mib} MiB", "MiB/s", "higher")},
              reps=3 if quick else 5),
        Bench("randread", "files",
              lambda c: ["/bench/bin/files", "randread", "/bench/data/big", rand],
              {"randread_4k": ("4 KiB random read", "ns/op", "lower")}, reps=3 if quick else 5),
        Bench("smallfiles", "files",
              lambda c: ["/bench/bin/files", "smallfiles", f"/bench/scratch/sf-{c}", small],
              {"smallfiles_create_delete": (f"create+delete {small} files", "ns/file",
                                            "lower")}, reps=3),
        Bench("forkexec", "procs", lambda c: ["/bench/bin/procs", "forkexec", forks, "/bin/true"],
              {"forkexec": (f"fork+exec+wait /bin/true x{forks}", "ns/op", "lower")},
              reps=3 if quick else 5),
        # A clean build of a 50-file C project (bench/harness/main.py writes
        # it) with make -j2 and gcc from the Debian image, then its program,
        # which exits 0 only if the sum of every unit is right. Timed inside;
        # the copy to /tmp (the rootfs, or runsc's own tmpfs) is included.
        Bench("make", "build",
              lambda c: ["/bench/bin/timeit", "-", "--", "/bin/sh", "-c",
                         f"rm -rf /tmp/mk-{c} && cp -r /bench/mkproj /tmp/mk-{c} && "
                         f"make -s -j2 -C /tmp/mk-{c} && /tmp/mk-{c}/prog >/dev/null && "
                         f"rm -rf /tmp/mk-{c}"],
              {"exec": ("make -j2, 50 C files (inside)", "ms", "lower")}, rootfs="debian",
              reps=2 if quick else 5, timeout=600),
        Bench("pipe", "procs", lambda c: ["/bench/bin/procs", "pipe"],
              {"pipe_dd_cat": ("pipe: dd bs=64k count=16k into cat", "MiB/s", "higher")},
              reps=3 if quick else 5),
    ]


class Table:
    """results[metric][runtime] = {"samples": [...], "error": str|None}"""

    def __init__(self):
        self.rows = {}  # metric -> dict
        self.meta = {}  # metric -> (unit, better, bench name, command)

    def add_metric(self, metric, unit, better, bench, command):
        self.rows.setdefault(metric, {})
        self.meta[metric] = (unit, better, bench, command)

    def cell(self, metric, rt):
        return self.rows[metric].setdefault(rt, {"samples": [], "error": None})

    def summary(self, metric, rt):
        c = self.rows.get(metric, {}).get(rt)
        if not c or not c["samples"]:
            return None
        s = c["samples"]
        return statistics.median(s), min(s), max(s), len(s)


def run_bench(bench, runtimes, rootfs_of, timeit_host, workdir, table, log):
    """Runs bench on every available runtime, interleaved, and fills table."""
    all_metrics = [(m, u, b) for (m, u, b) in bench.metrics.values()]
    if bench.wall_metric:
        all_metrics.append((bench.wall_metric[0], bench.wall_metric[1], "lower"))
    command = " ".join(bench.args_fn("ID"))
    for m, u, b in all_metrics:
        table.add_metric(m, u, b, bench.name, command)
    rootfs = rootfs_of(bench.rootfs)
    live = []
    for rt in runtimes:
        if rt.unavailable:
            for m, _, _ in all_metrics:
                table.cell(m, rt.name)["error"] = "not available: " + rt.unavailable
        elif isinstance(rootfs, str):
            live.append(rt)
    if not isinstance(rootfs, str):  # (None, reason): the image could not be built
        for rt in runtimes:
            for m, _, _ in all_metrics:
                table.cell(m, rt.name)["error"] = "not run: " + rootfs[1]
        return
    reference = {}  # result name -> check value of the first (native) good run
    # One untimed native run first warms the page cache for everybody (the
    # first timed run would otherwise pay for cold files).
    if any(rt.name == "native" for rt in live):
        native = next(rt for rt in live if rt.name == "native")
        try:
            out = f"{workdir}/timeit.out"
            run_once(native.argv(rootfs, bench.args_fn("warmup"), "warmup", out, timeit_host),
                     out, bench.timeout)
        except RunFailed as e:
            log(f"  {bench.name}: native warm-up run failed: {e}")
    counter = itertools.count()
    for rep in range(bench.reps):
        order = live[rep % len(live):] + live[:rep % len(live)] if live else []
        for rt in order:
            if any(table.cell(m, rt.name)["error"] for m, _, _ in all_metrics):
                continue  # failed before: report the first failure, do not retry
            cid = f"lbbench-{bench.name}-{rt.name}-{next(counter)}"
            out = f"{workdir}/timeit.out"
            try:
                argv = rt.argv(rootfs, bench.args_fn(cid), cid, out, timeit_host)
                wall_ms, stdout = run_once(argv, out, bench.timeout)
                if bench.expect_stdout is not None and stdout != bench.expect_stdout:
                    raise RunFailed(f"printed {stdout[:80]!r}, expected {bench.expect_stdout!r}")
                found = parse_results(stdout)
                for res, (metric, unit, _) in bench.metrics.items():
                    if res not in found:
                        raise RunFailed(f"no RESULT {res} in its output: {stdout[-200:]!r}")
                    value, got_unit, check, ops = found[res]
                    if got_unit != unit:
                        raise RunFailed(f"{res}: unit {got_unit}, expected {unit}")
                    if res == "exec" and check != "0":
                        raise RunFailed(f"the timed command exited {check}")
                    ref = reference.setdefault(res, check)
                    if check != ref:
                        raise RunFailed(f"{res}: check {check} differs from the reference {ref}"
                                        " (wrong data or count)")
                for res, (metric, unit, _) in bench.metrics.items():
                    table.cell(metric, rt.name)["samples"].append(found[res][0])
                if bench.wall_metric:
                    table.cell(bench.wall_metric[0], rt.name)["samples"].append(wall_ms)
                log(f"  {bench.name} rep {rep + 1}/{bench.reps} {rt.name}: ok ({wall_ms:.1f} ms)")
            except (RunFailed, OSError) as e:
                log(f"  {bench.name} {rt.name}: FAILED: {e}")
                for m, _, _ in all_metrics:
                    table.cell(m, rt.name)["error"] = f"failed: {e}"
            finally:
                if hasattr(rt, "bundles"):
                    rt.bundles.remove(cid)
    sys.stdout.flush()
