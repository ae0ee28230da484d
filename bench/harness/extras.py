"""Benchmarks that are not "one command per container": the memory
footprint of an idle container and of many at once, `ctr run --rm`
through a private containerd, and servers driven from the host
(redis-server by redis-benchmark, nginx by wrk).
"""
import os
import shutil
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


def _server_argv(rt, rootfs, args, cid, out, timeit):
    """argv for a server on the host network (loopback from the host)."""
    orig = getattr(rt, "bundles", None) and rt.bundles.make
    if orig:
        rt.bundles.make = lambda c, r, a, host_network=True: orig(c, r, a, True)
    if hasattr(rt, "network"):
        rt.network = "host"
    try:
        return rt.argv(rootfs, args, cid, out, timeit)
    finally:
        if orig:
            rt.bundles.make = orig
        if hasattr(rt, "network"):
            rt.network = "none"


def _http_get(port, path="/index.html", timeout=1.0):
    """(status, body) of one HTTP/1.0 GET on loopback, or (None, why)."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError as e:
        return None, str(e)
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        return int(head.split(b" ", 2)[1]), body
    except (IndexError, ValueError):
        return None, f"bad response {head[:60]!r}"


def _stop_server(server):
    """SIGTERM to the runtime command under the timer (runc, crun and
    litebox forward it to the container's init), then SIGKILL everything."""
    import signal
    for pid in descendants(server.pid)[1:2]:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        for pid in reversed(descendants(server.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        server.wait()


NGINX_PAGE = b"<html><body>" + b"LiteBox bench page. " * 30 + b"</body></html>\n"


def nginx(rts, debian, timeit, workdir, table, log, quick):
    """nginx (Debian's, master + 1 worker) inside the container on the host
    network serving a small static page, driven by wrk from the host over
    loopback; every response must be a 2xx. Also the time from the
    runtime command's start to nginx's first correct response. runsc is
    left out as for redis (--network=none)."""
    rps_m, lat_m, ttfb_m = "nginx small file", "nginx mean latency", "nginx start to first response"
    dur = 3 if quick else 10
    cmd = f"wrk -t2 -c50 -d{dur}s http://127.0.0.1:PORT/index.html"
    table.add_metric(rps_m, "req/s", "higher", "nginx", cmd)
    table.add_metric(lat_m, "ms", "lower", "nginx", cmd)
    table.add_metric(ttfb_m, "ms", "lower", "nginx", "nginx -g 'daemon off;' (first 200 on /index.html)")
    metrics = (rps_m, lat_m, ttfb_m)
    why_not = None
    if isinstance(debian, tuple) or not debian:
        why_not = "not run: Debian image not available"
    elif not os.path.exists(os.path.join(debian, "usr/sbin/nginx")):
        why_not = "not run: no nginx in the Debian image"
    elif not os.path.exists("/usr/bin/wrk"):
        why_not = "not run: wrk not installed (packaging/install-deps.sh)"
    if why_not:
        for rt in rts:
            for m in metrics:
                table.cell(m, rt.name)["error"] = why_not
        return
    www = os.path.join(debian, "bench", "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.html"), "wb") as f:
        f.write(NGINX_PAGE)
    port = 18080
    for rt in rts:
        if rt.unavailable or rt.name == "runsc":
            why = ("not available: " + rt.unavailable) if rt.unavailable else \
                "not run: --network=none (required here) leaves no way in from the host"
            for m in metrics:
                table.cell(m, rt.name)["error"] = why
            continue
        port += 1
        conf = f"/bench/nginx-{port}.conf"
        with open(debian + conf, "w") as f:
            f.write(f"user root;\nworker_processes 1;\npid /tmp/nginx-{port}.pid;\n"
                    "error_log stderr warn;\nevents { worker_connections 1024; }\n"
                    "http {\n  access_log off;\n"
                    f"  client_body_temp_path /tmp/nginx-{port}-body;\n"
                    f"  proxy_temp_path /tmp/nginx-{port}-proxy;\n"
                    f"  fastcgi_temp_path /tmp/nginx-{port}-fcgi;\n"
                    f"  uwsgi_temp_path /tmp/nginx-{port}-uwsgi;\n"
                    f"  scgi_temp_path /tmp/nginx-{port}-scgi;\n"
                    f"  server {{ listen 127.0.0.1:{port}; root /bench/www; }}\n}}\n")
        cid = f"lbbench-nginx-{rt.name}-{os.getpid()}"
        argv = _server_argv(rt, debian, ["/usr/sbin/nginx", "-c", conf, "-g", "daemon off;"],
                            cid, f"{workdir}/timeit-nginx.out", timeit)
        t0 = time.perf_counter_ns()
        server = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            ttfb = None
            last = ""
            while time.perf_counter_ns() - t0 < 20e9 and server.poll() is None:
                status, body = _http_get(port, timeout=0.5)
                if status == 200 and body == NGINX_PAGE:
                    ttfb = (time.perf_counter_ns() - t0) / 1e6
                    break
                last = f"status {status}: {body!r}"[:120]
                time.sleep(0.002)
            if ttfb is None:
                exited = server.poll()
                if exited is None:
                    _stop_server(server)
                out = (server.communicate()[0] or "").strip().splitlines()[-2:]
                raise RunFailed(f"no page from nginx ({last}); exit {server.returncode}; "
                                f"its log: {' / '.join(out)[-300:]}")
            table.cell(ttfb_m, rt.name)["samples"].append(ttfb)
            for rep in range(2 if quick else 3):
                p = subprocess.run(["wrk", "-t2", "-c50", f"-d{dur}s",
                                    f"http://127.0.0.1:{port}/index.html"],
                                   capture_output=True, text=True, timeout=dur + 60)
                text = p.stdout
                if "Non-2xx" in text or "Socket errors" in text or p.returncode != 0:
                    raise RunFailed("wrk saw errors: " + " / ".join(
                        l.strip() for l in text.splitlines() if "Non-2xx" in l or "errors" in l))
                rps = lat = None
                for line in text.splitlines():
                    f = line.split()
                    if line.startswith("Requests/sec:"):
                        rps = float(f[1])
                    elif f and f[0] == "Latency" and len(f) > 1:
                        v = f[1]
                        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
                        for suffix in ("us", "ms", "s"):
                            if v.endswith(suffix):
                                lat = float(v[:-len(suffix)]) * scale[suffix]
                                break
                requests = [l for l in text.splitlines() if "requests in" in l]
                if rps is None or lat is None or not requests:
                    raise RunFailed(f"wrk printed no rate: {text[-200:]!r}")
                table.cell(rps_m, rt.name)["samples"].append(rps)
                table.cell(lat_m, rt.name)["samples"].append(lat)
                log(f"  nginx {rt.name}: {rps:.0f} req/s, {lat:.2f} ms mean latency "
                    f"({requests[0].strip()}), first response after {ttfb:.0f} ms")
        except (RunFailed, subprocess.TimeoutExpired) as e:
            log(f"  nginx {rt.name}: FAILED: {e}")
            for m in metrics:
                table.cell(m, rt.name)["error"] = f"failed: {e}"
                table.cell(m, rt.name)["samples"] = []
        finally:
            if server.poll() is None:
                _stop_server(server)
            if hasattr(rt, "bundles"):
                rt.bundles.remove(cid)
            try:
                os.unlink(debian + conf)
            except OSError:
                pass
            # nginx made its temp dirs in the image's /tmp: not ours to keep.
            for kind in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
                shutil.rmtree(f"{debian}/tmp/nginx-{port}-{kind}", ignore_errors=True)


# Memory the many-containers benchmark leaves to everybody else on this
# shared machine: a runtime whose containers would eat into it runs fewer
# of them, and says so.
MEM_RESERVE_KIB = 4 << 20


def mem_available_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def _set_subreaper(on):
    """While set, orphans of the containers (a runtime's daemonized helpers)
    become the harness's children, so the leftover check sees them instead
    of losing them to the host's init."""
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0)


def _orphans(keep):
    """Processes still below the harness once every container's runtime
    command exited, other than `keep` (the harness, crun's namespace
    holder): zombies are reaped, live ones are killed and returned."""
    left = []
    for _ in range(50):
        left = []
        for pid in descendants(os.getpid()):
            if pid in keep:
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            if st[st.rindex(")") + 2] == "Z":
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
                continue
            left.append((pid, comm(pid)))
        if not left:
            return []
        time.sleep(0.1)  # a runtime's helper may still be on its way out
    for pid, _ in left:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    return left


def many_idle(rts, rootfs, timeit, workdir, table, log, count):
    """`count` idle containers at once per runtime: the time from the first
    launch until every one has printed "ready" (all launched back to back),
    the RSS/PSS of every process of theirs (runtime, monitors, the
    containers' own) while they idle, and the time until all are gone once
    their stdin is closed (each runs `sh -c 'echo ready; read x'`). Then
    nothing may be left: no process below the harness (a subreaper
    meanwhile), no id in the runtime's `list`, no `litebox do` state dir.
    A runtime whose single idle container (footprint, just measured) says
    that `count` would not fit above MEM_RESERVE_KIB runs fewer."""
    t_m, rss_m, pss_m = (f"{count} idle containers: start all", f"{count} idle containers: RSS",
                         f"{count} idle containers: PSS")
    stop_m, per_m = f"{count} idle containers: stop all", "idle containers: PSS per container"
    cmd = f"{count} x (sh -c 'echo ready; read x'), launched together"
    for m, unit in ((t_m, "ms"), (rss_m, "MiB"), (pss_m, "MiB"), (per_m, "KiB"), (stop_m, "ms")):
        table.add_metric(m, unit, "lower", "many", cmd)
    metrics = (t_m, rss_m, pss_m, per_m, stop_m)
    keep = {os.getpid()}
    for rt in rts:
        if getattr(rt, "holder", None):
            keep.update(descendants(rt.holder.pid))
    _set_subreaper(True)
    try:
        for rt in rts:
            if rt.unavailable:
                for m in metrics:
                    table.cell(m, rt.name)["error"] = "not available: " + rt.unavailable
                continue
            n, why_fewer = count, ""
            one = table.summary("idle sleep container RSS", rt.name)
            if one:
                fit = int((mem_available_kib() - MEM_RESERVE_KIB) // one[0])
                if fit < count:
                    n = max(fit, 1)
                    why_fewer = (f"only {n} started: one idle container takes "
                                 f"{one[0] / 1024:.0f} MiB RSS, {count} would not fit in "
                                 f"MemAvailable minus {MEM_RESERVE_KIB >> 20} GiB")
            try:
                got = _many_idle_once(rt, rootfs, timeit, workdir, n, keep)
            except RunFailed as e:
                log(f"  {count} idle {rt.name}: FAILED: {e}")
                for m in metrics:
                    table.cell(m, rt.name)["error"] = f"failed: {e}"
                continue
            all_ms, rss, pss, stop_ms = got
            if why_fewer:
                # Totals of fewer containers are not comparable; per container is.
                for m in (t_m, rss_m, pss_m, stop_m):
                    table.cell(m, rt.name)["error"] = why_fewer
                table.notes = getattr(table, "notes", []) + [f"{rt.name}: {why_fewer}"]
            else:
                table.cell(t_m, rt.name)["samples"].append(all_ms)
                table.cell(rss_m, rt.name)["samples"].append(rss / 1024)
                table.cell(pss_m, rt.name)["samples"].append(pss / 1024)
                table.cell(stop_m, rt.name)["samples"].append(stop_ms)
            table.cell(per_m, rt.name)["samples"].append(pss / n)
            log(f"  {n} idle {rt.name}: all ready after {all_ms:.0f} ms, "
                f"{rss / 1024:.0f} MiB RSS, {pss / 1024:.0f} MiB PSS ({pss / n:.0f} KiB each), "
                f"all gone {stop_ms:.0f} ms after their stdin closed, nothing left")
    finally:
        _set_subreaper(False)


def _many_idle_once(rt, rootfs, timeit, workdir, n, keep):
    """(start ms, RSS KiB, PSS KiB, stop ms) of n idle containers."""
    prefix = f"lbbench-many-{rt.name}-{os.getpid()}-"
    procs, pids = [], []
    failure = None
    try:
        t0 = time.perf_counter_ns()
        for i in range(n):
            if i % 10 == 9 and mem_available_kib() < MEM_RESERVE_KIB:
                raise RunFailed(f"MemAvailable fell below {MEM_RESERVE_KIB >> 20} GiB after "
                                f"{i} containers")
            cid = f"{prefix}{i}"
            argv = rt.argv(rootfs, ["sh", "-c", "echo ready; read x"], cid,
                           f"{workdir}/timeit-many-{i}.out", timeit)
            procs.append((cid, subprocess.Popen(argv, stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE)))
        for cid, p in procs:
            line = p.stdout.readline()
            if line != b"ready\n":
                p.stdin.close()
                err = p.stderr.read().decode(errors="replace").strip()[-200:]
                raise RunFailed(f"{cid} printed {line[:40]!r}; stderr {err!r}")
        all_ms = (time.perf_counter_ns() - t0) / 1e6
        rss = pss = 0
        pids = descendants(*(p.pid for _, p in procs))
        for pid in pids:
            name = comm(pid)
            if any(name.split(" ")[0].endswith(t) for t in TIMER_NAMES):
                continue
            try:
                r, s = smaps_rollup(pid)
            except OSError:
                continue
            rss, pss = rss + r, pss + s
    except Exception as e:  # whatever it was, the containers still go
        failure = e
    # Stop: stdin closes, `read x` ends, the runtime tears the container down.
    t1 = time.perf_counter_ns()
    for _, p in procs:
        try:
            p.stdin.close()
        except OSError:
            pass
    stuck = []
    for cid, p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            stuck.append(cid)
            for pid in reversed(descendants(p.pid)):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            p.wait()
        p.stdout.close()
        p.stderr.close()
    stop_ms = (time.perf_counter_ns() - t1) / 1e6
    for i, (cid, _) in enumerate(procs):
        if hasattr(rt, "bundles"):
            rt.bundles.remove(cid)
        try:
            os.unlink(f"{workdir}/timeit-many-{i}.out")
        except FileNotFoundError:
            pass
    left, state = _orphans(keep), rt.leftovers(prefix, pids)
    if isinstance(failure, (RunFailed, OSError)):
        raise RunFailed(str(failure))
    if failure:
        raise failure
    if stuck or left or state:
        raise RunFailed(f"left behind: {len(stuck)} containers still running 60 s after their "
                        f"stdin closed, processes {left[:5]}, runtime state {state[:5]}")
    return all_ms, rss, pss, stop_ms
