"""bench/run.sh's driver: prepares the rootfs and data, runs every selected
benchmark on every runtime (interleaved), then writes results.json,
RESULTS.md and the plots.

usage: main.py --src DIR --build-dir DIR --out DIR [--quick] [--only GROUP]...
"""
import argparse
import datetime
import json
import os
import shutil
import stat
import subprocess
import sys
import time

import benchmarks
import extras
import report
import runtimes

GROUPS = ["startup", "python", "syscalls", "files", "procs", "build", "footprint", "ctr",
          "redis", "nginx"]


def log(msg):
    print(msg, flush=True)


def prepare_busybox(src, build, workdir, big_mib):
    """busybox image + /bench/bin programs + /bench/data (small file,
    1,000-entry dir, the big file for the read benchmarks)."""
    images = os.path.join(build, "images")
    subprocess.run([f"{src}/tests/images/build-busybox.sh", images], check=True,
                   stdout=subprocess.DEVNULL)
    root = os.path.join(workdir, "rootfs-busybox")
    if not os.path.isdir(root):
        shutil.copytree(os.path.join(images, "busybox-rootfs"), root, symlinks=True)
    install_programs(build, root)
    # The native baseline chroots without mounting /dev: give it the nodes
    # the programs open (containers mount or synthesize their own /dev).
    for name, minor in (("null", 3), ("zero", 5), ("full", 7), ("random", 8), ("urandom", 9)):
        node = os.path.join(root, "dev", name)
        if not os.path.exists(node):
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
            os.chmod(node, 0o666)
    data = os.path.join(root, "bench", "data")
    os.makedirs(os.path.join(data, "dir1000"), exist_ok=True)
    with open(os.path.join(data, "small"), "w") as f:
        f.write("a small file for open/stat\n")
    for i in range(1000):
        p = os.path.join(data, "dir1000", f"entry-{i:04d}")
        if not os.path.exists(p):
            open(p, "w").close()
    big = os.path.join(data, "big")
    if not os.path.exists(big) or os.path.getsize(big) != big_mib << 20:
        log(f"writing the {big_mib} MiB data file")
        subprocess.run([f"{build}/bin/bench-files", "gen", big, str(big_mib)], check=True)
    # Small files go to /bench/scratch, not /tmp: runsc mounts its own
    # tmpfs on an empty /tmp, which would measure memory, not the rootfs.
    # Leftovers of an interrupted run would fail its empty-dir check.
    scratch = os.path.join(root, "bench", "scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    os.chmod(scratch, 0o1777)
    return root


def install_programs(build, root):
    dst = os.path.join(root, "bench", "bin")
    os.makedirs(dst, exist_ok=True)
    for p in ("syscalls", "files", "procs", "timeit", "gbench"):
        shutil.copy2(f"{build}/bin/bench-{p}", os.path.join(dst, p))


def prepare_debian(src, build):
    """Debian image (python3, redis-server); (None, reason) when it cannot
    be built (no archive)."""
    images = os.path.join(build, "images")
    p = subprocess.run([f"{src}/tests/images/build-debian.sh", images],
                       capture_output=True, text=True)
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["?"])[-1]
        return (None, f"Debian image not built (build-debian.sh exit {p.returncode}: {tail})")
    root = os.path.join(images, "debian-rootfs")
    install_programs(build, root)
    write_make_project(os.path.join(root, "bench", "mkproj"))
    return root


MAKE_FILES = 50


def write_make_project(d):
    """A C project of MAKE_FILES small units and a main that checks their
    sum: `prog` exits 0 only if every unit was compiled and linked right."""
    os.makedirs(d, exist_ok=True)
    for i in range(MAKE_FILES):
        with open(os.path.join(d, f"unit{i:02d}.c"), "w") as f:
            # A few loops and a table so that cc1 has some work per file.
            f.write(f"static const int t[] = {{{', '.join(str(i * k % 97) for k in range(64))}}};\n"
                    f"int unit{i:02d}(int x) {{\n  int s = 0;\n"
                    f"  for (int k = 0; k < 64; ++k) s += t[k] * (x + k) % 13;\n"
                    f"  return s + {i};\n}}\n")
    expected = 0
    for i in range(MAKE_FILES):
        t = [i * k % 97 for k in range(64)]
        expected += sum(t[k] * (1 + k) % 13 for k in range(64)) + i
    decls = "".join(f"int unit{i:02d}(int);\n" for i in range(MAKE_FILES))
    calls = " + ".join(f"unit{i:02d}(1)" for i in range(MAKE_FILES))
    with open(os.path.join(d, "main.c"), "w") as f:
        f.write(f"#include <stdio.h>\n{decls}int main(void) {{\n  long s = {calls};\n"
                f"  printf(\"sum %ld\\n\", s);\n  return s == {expected} ? 0 : 1;\n}}\n")
    objs = " ".join(f"unit{i:02d}.o" for i in range(MAKE_FILES))
    with open(os.path.join(d, "Makefile"), "w") as f:
        f.write(f"prog: main.o {objs}\n\tgcc -o $@ $^\n%.o: %.c\n\tgcc -O2 -c $< -o $@\n")


def machine_info(rts):
    def sh(cmd):
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "cores": os.cpu_count(),
        "memory": sh("free -h | awk '/Mem:/ {print $2}'"),
        "kernel": os.uname().release,
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
        "uptime_before": sh("uptime"),
        "versions": {rt.name: rt.version for rt in rts},
        "litebox_commit": sh("git -C %s log -1 --format='%%h %%s'" % os.environ.get("SRC", ".")),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--out", required=True, help="where RESULTS.md and the plots go")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", action="append",
                    help="a group (%s) or one benchmark's name" % ", ".join(GROUPS))
    a = ap.parse_args()
    os.environ["SRC"] = a.src
    build = os.path.abspath(a.build_dir)
    workdir = os.path.join(build, "bench-work")
    os.makedirs(workdir, exist_ok=True)
    big_mib, benches = benchmarks.define(a.quick)
    names = {b.name: b.group for b in benches}
    for o in a.only or []:
        if o not in GROUPS and o not in names:
            ap.error(f"--only {o}: not a group ({', '.join(GROUPS)}) nor a benchmark "
                     f"({', '.join(names)})")
    groups = a.only or [g for g in GROUPS if not (a.quick and g == "redis")]
    benches = [b for b in benches if b.group in groups or b.name in groups]
    groups = groups + sorted({names[o] for o in groups if o in names})

    rts, bundles = runtimes.all_runtimes(workdir, f"{build}/bin")
    info = machine_info(rts)
    info["mode"] = "quick" if a.quick else "full"
    info["groups"] = groups
    info["commands"] = {rt.name: rt.describe() for rt in rts if not rt.unavailable}
    info["unavailable"] = {rt.name: rt.unavailable for rt in rts if rt.unavailable}
    for rt in rts:
        log(f"runtime {rt.name}: " + (f"NOT AVAILABLE: {rt.unavailable}" if rt.unavailable
                                      else rt.version))
    table = benchmarks.Table()
    try:
        busybox = prepare_busybox(a.src, build, workdir, big_mib)
        debian = None
        if {"python", "syscalls", "redis", "build", "nginx"} & set(groups):
            debian = prepare_debian(a.src, build)
            if isinstance(debian, tuple):
                log("Debian image: " + debian[1])

        def rootfs_of(kind):
            return busybox if kind == "busybox" else debian

        timeit = f"{build}/bin/bench-timeit"
        for b in benches:
            t0 = time.monotonic()
            log(f"== {b.name} ({b.reps} repetitions, interleaved)")
            benchmarks.run_bench(b, rts, rootfs_of, timeit, workdir, table, log)
            log(f"   ({time.monotonic() - t0:.0f} s)")
        if "footprint" in groups:
            log("== footprint")
            extras.footprint(rts, busybox, timeit, workdir, table, log,
                             reps=1 if a.quick else 3)
            count = 20 if a.quick else 100
            log(f"== {count} idle containers at once")
            extras.many_idle(rts, busybox, timeit, workdir, table, log, count)
        if "ctr" in groups:
            log("== ctr run --rm")
            extras.ctr_run(a.src, build, rts, table, log, reps=3 if a.quick else 10)
        if "redis" in groups:
            log("== redis")
            extras.redis(rts, debian, timeit, workdir, table, log)
        if "nginx" in groups:
            log("== nginx")
            extras.nginx(rts, debian, timeit, workdir, table, log, a.quick)
    finally:
        for rt in rts:
            rt.close()
    info["uptime_after"] = subprocess.run(["uptime"], capture_output=True,
                                          text=True).stdout.strip()
    result = {"info": info, "rows": table.rows, "meta": table.meta,
              "footprint_detail": getattr(table, "footprint_detail", {}),
              "notes": getattr(table, "notes", [])}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    report.write(result, a.out, [rt.name for rt in rts])
    log(f"wrote {a.out}/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
