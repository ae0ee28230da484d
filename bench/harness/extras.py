"""Benchmarks that are not "one command per container": the memory
footprint of an idle container, `ctr run --rm` through a private
containerd, and redis-server driven by redis-benchmark from the host.
"""
import os
import subprocess
import time

from measure import RunFailed, comm, descendants, smaps_rollup

TIMER_NAMES = ("bench-timeit", "nsenter")


def footprint(rts, rootfs, timeit, workdir, table, log, reps):
    """RSS and PSS summed over the runtime's processes while `sleep 3`
    idles in the container, sampled 2 s after start. The timer (and
    nsenter for crun) is left out; everything below it counts: runc run +
    container, runsc + sandbox + gofer, litebox do + supervisor + guest."""
    rss_m, pss_m = "idle sleep container RSS", "idle sleep container PSS"
    table.add_metric(rss_m, "KiB", "lower", "footprint", "sleep 3 (sampled after 2 s)")
    table.add_metric(pss_m, "KiB", "lower", "footprint", "sleep 3 (sampled after 2 s)")
    table.footprint_detail = {}
    live = []
    for rt in rts:
        if rt.unavailable:
            for m in (rss_m, pss_m):
                table.cell(m, rt.name)["error"] = "not available: " + rt.unavailable
        else:
            live.append(rt)
    for rep in range(reps):
        for rt in live[rep % len(live):] + live[:rep % len(live)]:
            if table.cell(rss_m, rt.name)["error"]:
                continue
            procs, why = _sample_idle(rt, rootfs, timeit, workdir, f"{rep}")
            if why:
                log(f"  footprint {rt.name}: FAILED: {why}")
                for m in (rss_m, pss_m):
                    table.cell(m, rt.name)["error"] = "failed: " + why
                continue
            table.cell(rss_m, rt.name)["samples"].append(sum(x["rss_kib"] for x in procs))
            table.cell(pss_m, rt.name)["samples"].append(sum(x["pss_kib"] for x in procs))
            table.footprint_detail[rt.name] = procs
            log(f"  footprint {rt.name}: " + ", ".join(f"{x['cmd']} {x['pss_kib']} KiB PSS"
                                                     for x in procs))


def _sample_idle(rt, rootfs, timeit, workdir, tag):
    """Processes (with RSS/PSS) of one idle container; (procs, None) or
    (None, why it failed)."""
    cid = f"lbbench-footprint-{rt.name}-{os.getpid()}-{tag}"
    out = f"{workdir}/timeit-footprint.out"
    p = subprocess.Popen(rt.argv(rootfs, ["sleep", "3"], cid, out, timeit),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    procs = []
    for pid in descendants(p.pid):
        name = comm(pid)
        if any(name.split(" ")[0].endswith(t) for t in TIMER_NAMES):
            continue
        try:
            rss, pss = smaps_rollup(pid)
        except OSError:
            continue
        procs.append({"pid": pid, "cmd": name, "rss_kib": rss, "pss_kib": pss})
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    if hasattr(rt, "bundles"):
        rt.bundles.remove(cid)
    if p.returncode != 0 or not procs:
        return None, (f"exit {p.returncode}, {len(procs)} processes seen; "
                      f"stderr {err.strip()[-200:]!r}")
    return procs, None


def _fixture(src, *args, check=True):
    return subprocess.run([f"{src}/tests/lib/containerd-fixture.sh", *args],
                          capture_output=True, text=True, check=check, timeout=120)


def ctr_run(src, build, rts, table, log, reps):
    """`ctr run --rm IMG ID echo hello` through a private containerd, for
    runc (containerd's runc shim), crun (the same shim with --runc-binary
    pointing at a wrapper that enters crun's cgroup2 namespace), and
    LiteBox (runtime io.litebox, once the shim is built)."""
    metric = "ctr run --rm echo hello"
    table.add_metric(metric, "ms", "lower", "ctr",
                     "ctr run --rm [--runtime R | --runc-binary W] localhost/busybox:latest ID "
                     "echo hello")
    by_name = {rt.name: rt for rt in rts}
    names = ["runc", "crun", "runsc", "litebox"]
    for name in set(by_name) - set(names):
        table.cell(metric, name)["error"] = "not measured: no containerd shim for it here"
    shim = f"{build}/bin/containerd-shim-io-litebox"
    variants = {"runc": []}
    crun = by_name.get("crun")
    if crun and not crun.unavailable:
        # `create` needs the rootfs containerd mounted after the holder
        # namespace was made (host mounts are private: nothing propagates),
        # so it gets a fresh private namespace; the other calls (start,
        # state, kill, delete) only use crun's state dir and enter the
        # holder, which costs less.
        wrapper = f"{build}/bench-work/crun-for-containerd"
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n# crun with cgroup2 in a private mount namespace (hybrid host)\n"
                    "for a in \"$@\"; do [ \"$a\" = create ] && exec unshare -m sh -c "
                    "'mount -t cgroup2 none /sys/fs/cgroup && "
                    "exec crun --cgroup-manager=disabled \"$@\"' crun \"$@\"; done\n"
                    f"exec nsenter --mount=/proc/{crun.holder.pid}/ns/mnt "
                    "crun --cgroup-manager=disabled \"$@\"\n")
        os.chmod(wrapper, 0o755)
        variants["crun"] = ["--runc-binary", wrapper]
    else:
        table.cell(metric, "crun")["error"] = "not available: crun"
    runsc = by_name.get("runsc")
    if runsc and not runsc.unavailable:
        wrapper = f"{build}/bench-work/runsc-for-containerd"
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec runsc --platform=ptrace --network=none \"$@\"\n")
        os.chmod(wrapper, 0o755)
        variants["runsc"] = ["--runc-binary", wrapper]
    else:
        table.cell(metric, "runsc")["error"] = "not available: runsc"
    if os.access(shim, os.X_OK):
        variants["litebox"] = ["--runtime", "io.litebox"]
    else:
        table.cell(metric, "litebox")["error"] = (f"not available: {shim} was not built "
                                                  "(shim-v2 build failed or not present)")
        log(f"  ######## ctr: LiteBox SKIPPED: {shim} not built ########")
    d = f"/tmp/lbb-ctr-{os.getpid()}"
    os.makedirs(d, exist_ok=True)
    try:
        _fixture(src, "start", d, f"{build}/bin")
        image = _fixture(src, "import", d, f"{build}/images/busybox-oci.tar",
                         "localhost/busybox").stdout.strip()
        failed = set()
        order = list(variants.items())
        for rep in range(reps):
            for name, extra in order[rep % len(order):] + order[:rep % len(order)]:
                if name in failed:
                    continue
                cid = f"lbb-{name}-{os.getpid()}-{rep}"
                t0 = time.perf_counter_ns()
                p = subprocess.run(["ctr", "--address", f"{d}/containerd.sock", "run",
                                    "--rm", *extra, image, cid, "echo", "hello"],
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=120)
                ms = (time.perf_counter_ns() - t0) / 1e6
                if p.returncode != 0 or p.stdout != "hello\n":
                    why = (f"exit {p.returncode}, stdout {p.stdout[:60]!r}, "
                           f"stderr {p.stderr.strip()[-200:]!r}")
                    log(f"  ctr {name}: FAILED: {why}")
                    table.cell(metric, name)["error"] = "failed: " + why
                    failed.add(name)
                    continue
                table.cell(metric, name)["samples"].append(ms)
                log(f"  ctr {name} rep {rep + 1}/{reps}: {ms:.0f} ms")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        err = getattr(e, "stderr", "") or ""
        for name in variants:
            if not table.cell(metric, name)["samples"]:
                table.cell(metric, name)["error"] = f"containerd fixture failed: {err[-200:]!r}"
        log(f"  ctr: fixture failed: {err[-300:]}")
    finally:
        _fixture(src, "stop", d, check=False)
    table.notes = getattr(table, "notes", []) + [
        "ctr figures are wall time of the whole `ctr run --rm` client (image already "
        "imported, snapshot prepared by containerd each time), timed from Python. crun runs "
        "through containerd's runc shim with --runc-binary set to a wrapper: `create` in a "
        "fresh private mount namespace with cgroup2 mounted (unshare + sh + mount: a few ms), "
        "the other calls nsenter'd into the benchmark's crun namespace; runsc likewise through "
        "a wrapper adding --platform=ptrace --network=none."]


def redis(rts, debian, timeit, workdir, table, log):
    """redis-server inside the container on the host network, driven by
    redis-benchmark from the host over loopback (SET and GET, 50 clients).
    runsc is left out: with --network=none nothing reaches it, and it
    refuses the host's network namespace."""
    metrics = {"SET": "redis SET", "GET": "redis GET"}
    for m in metrics.values():
        table.add_metric(m, "req/s", "higher", "redis",
                         "redis-benchmark -h 127.0.0.1 -p PORT -t set,get -n N -q")
    if isinstance(debian, tuple) or not debian:
        for rt in rts:
            for m in metrics.values():
                table.cell(m, rt.name)["error"] = "not run: Debian image not available"
        return
    if not os.path.exists("/usr/bin/redis-benchmark"):
        for rt in rts:
            for m in metrics.values():
                table.cell(m, rt.name)["error"] = "not run: redis-benchmark not installed"
        return
    port = 16379
    for rt in rts:
        if rt.unavailable or rt.name == "runsc":
            why = ("not available: " + rt.unavailable) if rt.unavailable else \
                "not run: --network=none (required here) leaves no way in from the host"
            for m in metrics.values():
                table.cell(m, rt.name)["error"] = why
            continue
        port += 1
        cid = f"lbbench-redis-{rt.name}-{os.getpid()}"
        args = ["/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no"]
        if hasattr(rt, "bundles"):
            orig = rt.bundles.make
            rt.bundles.make = lambda c, r, a, host_network=True: orig(c, r, a, True)
        if hasattr(rt, "network"):
            rt.network = "host"
        try:
            argv = rt.argv(debian, args, cid, f"{workdir}/timeit-redis.out", timeit)
        finally:
            if hasattr(rt, "bundles"):
                rt.bundles.make = orig
            if hasattr(rt, "network"):
                rt.network = "none"
        # redis logs little (to stdout); kept for the failure message.
        server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            up = False
            for _ in range(100):
                if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                  text=True).stdout.strip() == "PONG":
                    up = True
                    break
                if server.poll() is not None:
                    break
                time.sleep(0.2)
            if not up:
                exited = server.poll()
                if exited is None:
                    server.kill()
                err = server.communicate()[0].strip().splitlines()
                last = [l for l in err if "#" in l][-2:] or err[-2:]
                state = (f"exited with status {exited}" if exited is not None else
                         "did not answer PING within 20 s")
                raise RunFailed(f"redis-server {state}; its log: " + " / ".join(last)[-300:])
            for rep in range(3):
                p = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
                                    "-t", "set,get", "-n", "50000", "-q"], capture_output=True,
                                   text=True, timeout=300)
                rates = {}
                for line in p.stdout.replace("\r", "\n").splitlines():
                    if "requests per second" in line:
                        op = line.split(":")[0].strip()
                        rates[op] = float(line.split(":")[1].split()[0])
                if set(rates) != set(metrics):
                    raise RunFailed(f"redis-benchmark printed no rates: {p.stdout[-200:]!r}")
                for op, m in metrics.items():
                    table.cell(m, rt.name)["samples"].append(rates[op])
                log(f"  redis {rt.name}: " + ", ".join(f"{k} {v:.0f}/s" for k, v in rates.items()))
            got = subprocess.run(["redis-cli", "-p", str(port), "dbsize"], capture_output=True,
                                 text=True).stdout.strip()
            if got != "1":  # redis-benchmark's SET uses one key, key:__rand_int__
                raise RunFailed(f"dbsize after the SETs is {got!r}, expected 1")
        except (RunFailed, subprocess.TimeoutExpired) as e:
            log(f"  redis {rt.name}: FAILED: {e}")
            for m in metrics.values():
                table.cell(m, rt.name)["error"] = f"failed: {e}"
                table.cell(m, rt.name)["samples"] = []
        finally:
            subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"],
                           capture_output=True)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if hasattr(rt, "bundles"):
                rt.bundles.remove(cid)
