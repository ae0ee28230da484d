"""The runtimes compared: how each one runs a command over a rootfs.

Every runtime turns (rootfs, args) into one argv the harness times. The
"native" baseline chroots into the same rootfs (no namespace, no seccomp),
so every runtime runs the same binaries over the same files.
"""
import copy
import json
import os
import shutil
import subprocess


class Runtime:
    name = "?"
    # Why the runtime cannot run here (None: it can).
    unavailable = None
    version = ""

    def argv(self, rootfs, args, cid, timeit_out, timeit):
        """argv that runs `args` in `rootfs`, wrapped in the timer."""
        raise NotImplementedError

    def describe(self):
        """The exact command shape, for RESULTS.md."""
        raise NotImplementedError

    def leftovers(self, prefix, pids):
        """State the runtime still keeps of containers that are gone: ids
        starting with prefix, or state named after one of `pids` (the
        processes the containers ran as); none for runtimes without state."""
        return []

    def close(self):
        pass


def _first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"


class Native(Runtime):
    name = "native"

    def __init__(self):
        self.version = "host kernel " + os.uname().release

    def argv(self, rootfs, args, cid, timeit_out, timeit):
        return [timeit, timeit_out, "--chroot", rootfs, "--"] + args

    def describe(self):
        return "chroot ROOTFS CMD (no namespaces, no seccomp; chroot done by the timer)"


class Bundles:
    """Writes one OCI bundle per container from `runc spec`'s template:
    root = the shared rootfs (writable: the file benchmarks create files),
    no terminal, the given args, cwd /."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "bundles")
        os.makedirs(self.dir, exist_ok=True)
        tmpl = os.path.join(self.dir, "template")
        os.makedirs(tmpl, exist_ok=True)
        path = os.path.join(tmpl, "config.json")
        if os.path.exists(path):
            os.unlink(path)
        subprocess.run(["runc", "spec", "--bundle", tmpl], check=True)
        with open(path) as f:
            self.template = json.load(f)

    def make(self, cid, rootfs, args, host_network=False):
        spec = copy.deepcopy(self.template)
        spec["root"] = {"path": rootfs, "readonly": False}
        proc = spec["process"]
        proc["terminal"] = False
        proc["args"] = args
        proc["cwd"] = "/"
        proc["env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "HOME=/root"]
        if host_network:
            spec["linux"]["namespaces"] = [n for n in spec["linux"]["namespaces"]
                                           if n["type"] != "network"]
        bundle = os.path.join(self.dir, cid)
        os.makedirs(bundle, exist_ok=True)
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(spec, f)
        return bundle

    def remove(self, cid):
        shutil.rmtree(os.path.join(self.dir, cid), ignore_errors=True)


class Runc(Runtime):
    name = "runc"

    def __init__(self, bundles):
        self.bundles = bundles
        self.version = _first_line(["runc", "--version"])
        if not shutil.which("runc"):
            self.unavailable = "runc is not installed"

    def engine(self):
        return ["runc"]

    def argv(self, rootfs, args, cid, timeit_out, timeit):
        b = self.bundles.make(cid, rootfs, args)
        return [timeit, timeit_out, "--"] + self.engine() + ["run", "--bundle", b, cid]

    def describe(self):
        return " ".join(self.engine()) + " run --bundle BUNDLE ID"

    def control(self):
        """argv prefix for the runtime's other commands (list, kill)."""
        return self.engine()

    def leftovers(self, prefix, pids):
        p = subprocess.run(self.control() + ["list", "-q"], capture_output=True, text=True,
                           timeout=60)
        return [i for i in p.stdout.split() if i.startswith(prefix)]


class Crun(Runc):
    """crun refuses hybrid cgroups; it runs inside a long-lived private
    mount namespace (slave propagation, so later host mounts still appear)
    with cgroup2 on /sys/fs/cgroup, with --cgroup-manager=disabled (no
    cgroup limits, like the real-engines.md wrapper). The timer itself runs
    inside that namespace, so entering it (nsenter) is not counted."""
    name = "crun"

    def __init__(self, bundles):
        self.bundles = bundles
        self.holder = None
        self.version = _first_line(["crun", "--version"])
        if not shutil.which("crun"):
            self.unavailable = "crun is not installed"
            return
        self.holder = subprocess.Popen(
            ["unshare", "-m", "--propagation", "slave", "sh", "-c",
             "mount -t cgroup2 none /sys/fs/cgroup && echo ready && exec sleep infinity"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.holder.stdout.readline().strip()
        if line != "ready":
            self.holder.kill()
            err = self.holder.stderr.read().strip()
            self.unavailable = f"private cgroup2 namespace for crun failed: {err}"
            self.holder.wait()
            self.holder = None

    def engine(self):
        return ["crun", "--cgroup-manager=disabled"]

    def argv(self, rootfs, args, cid, timeit_out, timeit):
        b = self.bundles.make(cid, rootfs, args)
        return (["nsenter", f"--mount=/proc/{self.holder.pid}/ns/mnt", timeit, timeit_out, "--"]
                + self.engine() + ["run", "--bundle", b, cid])

    def describe(self):
        return ("crun --cgroup-manager=disabled run --bundle BUNDLE ID, in a private mount "
                "namespace with cgroup2 on /sys/fs/cgroup")

    def control(self):
        return ["nsenter", f"--mount=/proc/{self.holder.pid}/ns/mnt"] + self.engine()

    def close(self):
        if self.holder:
            self.holder.kill()
            self.holder.wait()


class Runsc(Runc):
    name = "runsc"

    def __init__(self, bundles):
        self.bundles = bundles
        if not shutil.which("runsc"):
            self.unavailable = ("runsc (gVisor) is not installed: apt-get install runsc "
                                "(packaging/install-deps.sh)")
            return
        self.version = _first_line(["runsc", "--version"])

    def engine(self):
        return ["runsc", "--platform=ptrace", "--network=none"]


class LiteboxDo(Runtime):
    name = "litebox"

    def __init__(self, bindir):
        self.bin = os.path.join(bindir, "litebox")
        if not os.access(self.bin, os.X_OK):
            self.unavailable = f"{self.bin} was not built"
            return
        self.version = _first_line([self.bin, "--version"])

    # `litebox do` has no network by default; the redis benchmark sets
    # "host" (as it gives the bundle runtimes the host's namespace).
    network = "none"

    def argv(self, rootfs, args, cid, timeit_out, timeit):
        return [timeit, timeit_out, "--", self.bin, "do", "--rootfs", rootfs,
                "--network", self.network, "--"] + args

    def describe(self):
        return "litebox do --rootfs ROOTFS -- CMD (--network host for redis)"

    def leftovers(self, prefix, pids):
        # Each `litebox do` keeps its state in <root>/do-<its pid>-<random>;
        # root is /dev/shm/litebox-do-<euid> where /run is not tmpfs.
        roots = [os.environ.get("LITEBOX_ROOT", "/run/litebox"),
                 f"/dev/shm/litebox-do-{os.geteuid()}"]
        mine = {f"do-{pid}-" for pid in pids}
        left = []
        for root in roots:
            try:
                names = os.listdir(root)
            except FileNotFoundError:
                continue
            left += [os.path.join(root, n) for n in names if n[:n.rfind("-") + 1] in mine]
        return left


def litebox_has_run(bindir):
    """True once the runc-compatible `litebox run` exists."""
    exe = os.path.join(bindir, "litebox")
    try:
        out = subprocess.run([exe, "run", "--help"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "unknown command" not in (out.stdout + out.stderr)


class LiteboxRun(Runc):
    """`litebox run --bundle`, the runc-compatible CLI (when it exists)."""
    name = "litebox-run"

    def __init__(self, bundles, bindir):
        self.bundles = bundles
        self.bin = os.path.join(bindir, "litebox")
        if not litebox_has_run(bindir):
            self.unavailable = "`litebox run` does not exist yet in this build (CLI not landed)"
        self.version = _first_line([self.bin, "--version"])

    def engine(self):
        return [self.bin]


def all_runtimes(workdir, bindir):
    bundles = Bundles(workdir)
    rts = [Native(), Runc(bundles), Crun(bundles), Runsc(bundles), LiteboxDo(bindir),
           LiteboxRun(bundles, bindir)]
    return rts, bundles

