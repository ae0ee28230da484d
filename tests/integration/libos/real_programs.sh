#!/usr/bin/env bash
# Real programs under `litebox do` produce the same stdout and exit status
# as a native chroot run of the same rootfs (issue 3, "Real programs").
# usage: real_programs.sh BUILD_DIR busybox|debian
set -uo pipefail
BUILD=$1
KIND=$2
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
LITEBOX=$BUILD/bin/litebox
IMAGES=$BUILD/images
[ -x "$LITEBOX" ] || { echo "SKIP: $LITEBOX not built"; exit 77; }

case "$KIND" in
  busybox)
    bash "$SRC/tests/images/build-busybox.sh" "$IMAGES" >/dev/null || exit 1
    BASE=$IMAGES/busybox-rootfs ;;
  debian)
    bash "$SRC/tests/images/build-debian.sh" "$IMAGES" >/dev/null
    rc=$?
    [ $rc -eq 77 ] && { echo "SKIP: Debian rootfs could not be built (archive unreachable)"; exit 77; }
    [ $rc -eq 0 ] || exit 1
    BASE=$IMAGES/debian-rootfs ;;
  *) echo "unknown kind $KIND"; exit 2 ;;
esac

WORK=$(mktemp -d /tmp/litebox-real.XXXXXX)
trap 'umount -l "$WORK"/native/proc 2>/dev/null; rm -rf "$WORK"' EXIT
# Each side gets its own copy: programs write to /tmp.
cp -a "$BASE" "$WORK/native"
cp -a "$BASE" "$WORK/litebox"
# A shell gives a background job /dev/null as stdin: the native side needs
# the node the sandbox provides (its /dev is the library OS's own).
mkdir -p "$WORK/native/dev"
[ -e "$WORK/native/dev/null" ] || mknod -m 666 "$WORK/native/dev/null" c 1 3

pass=0
fail=0
run_case() {
  local name=$1
  shift
  local nout lout nrc lrc
  # Natively, with only fds 0-2 open (as a container's process starts).
  nout=$(unshare -m --propagation private sh -c 'mount -t proc proc "$0/proc" && exec python3 -c "import os,sys; os.closerange(3, 65536); os.execvp(\"chroot\", [\"chroot\"] + sys.argv[1:])" "$0" "$@"' "$WORK/native" "$@" 2>/dev/null)
  nrc=$?
  lout=$(timeout 60 "$LITEBOX" do --rootfs "$WORK/litebox" --hostname "$(hostname)" -- "$@" 2>/dev/null)
  lrc=$?
  report "$name" "$nout" "$nrc" "$lout" "$lrc"
}

# report NAME NATIVE_OUT NATIVE_RC LITEBOX_OUT LITEBOX_RC: same output and
# status, or a FAIL line with the difference.
report() {
  if [ "$2" == "$4" ] && [ "$3" -eq "$5" ]; then
    pass=$((pass + 1))
    echo "ok   $1"
  else
    fail=$((fail + 1))
    echo "FAIL $1 (native rc=$3, litebox rc=$5)"
    diff <(echo "$2") <(echo "$4") | head -20
  fi
}

if [ "$KIND" = busybox ]; then
  run_case sh-arith /bin/sh -c 'echo $((6*7)); x=abc; echo ${#x}'
  run_case sh-builtins /bin/sh -c 'set -- a b c; echo $#; shift; echo "$@"; test -d /etc && echo dir'
  run_case ls-etc /bin/ls -la /etc
  run_case ls-bin-count /bin/sh -c 'ls /bin | wc -l'
  run_case cat-passwd /bin/cat /etc/passwd
  run_case find-etc /bin/sh -c 'find /etc -type f | sort'
  run_case sha256sum /bin/sha256sum /etc/passwd /etc/group
  run_case wc /bin/wc /etc/passwd
  run_case sort /bin/sort -r /etc/passwd
  run_case pipe /bin/sh -c 'echo hi | wc -c'
  run_case pipeline /bin/sh -c 'yes | head -n 100000 | sort | uniq -c | sort -rn | head'
  run_case exit-3 /bin/sh -c 'exit 3'
  run_case child-sigkill /bin/sh -c 'sh -c "kill -9 \$\$"; echo $?'
  run_case subshell /bin/sh -c 'a=$(echo inner); echo "got $a"; (cd /etc && pwd); pwd'
  run_case background /bin/sh -c 'sleep 0.1 & sleep 0.1 & wait; echo waited'
  # A parent that exits right after a fork that did not wait for the
  # supervisor (LiteBox's kFork notice): each child must live on, 300 times.
  run_case fork-then-exit /bin/sh -c 'i=0; while [ $i -lt 300 ]; do
    sh -c "/bin/true; /bin/true; (echo born) & exit 0"; i=$((i + 1)); done | wc -l'
  run_case trap-term /bin/sh -c 'trap "echo got TERM" TERM; kill -TERM $$; echo after'
  run_case timeout /bin/sh -c 'timeout 1 sleep 5; echo $?'
  # Named FIFOs across processes: blocking opens, either side first (the
  # two sides of a pipeline run at once; no `&`: the native rootfs has no
  # /dev/null for a background job's stdin).
  run_case fifo /bin/sh -c 'mkfifo /tmp/p; echo one > /tmp/p | cat /tmp/p
    { sleep 0.1; echo two > /tmp/p; } | cat /tmp/p -; rm /tmp/p'
  run_case files /bin/sh -c 'mkdir -p /tmp/a/b && echo x > /tmp/a/b/f && cat /tmp/a/b/f && mv /tmp/a/b/f /tmp/a/g && ls /tmp/a && rm -r /tmp/a && ls /tmp'
  run_case symlink /bin/sh -c 'ln -s /etc/passwd /tmp/l && readlink /tmp/l && wc -l < /tmp/l && rm /tmp/l'
  run_case date /bin/date -u -d @0
  run_case exec /bin/sh -c 'exec /bin/echo replaced'
  run_case uname-n /bin/uname -n

  # The first image's PATH search (the container's args[0] has no slash):
  # the supervisor looks it up for the libOS, which searches itself when
  # that lookup passes (here: a file in an earlier entry that nobody may
  # execute, skipped as execvp skips it). Natively: env's execvp.
  for side in native litebox; do
    mkdir -p "$WORK/$side/opt/a" "$WORK/$side/opt/b"
    printf '#!/bin/sh\necho wrong\n' >"$WORK/$side/opt/a/echo"
    chmod 644 "$WORK/$side/opt/a/echo"
    printf '#!/bin/sh\necho "from b: $*"\n' >"$WORK/$side/opt/b/echo"
    chmod 755 "$WORK/$side/opt/b/echo"
  done
  run_path_case() {
    local name=$1 path=$2 nout lout nrc lrc
    shift 2
    nout=$(chroot "$WORK/native" /bin/env -i "PATH=$path" "$@" 2>/dev/null)
    nrc=$?
    lout=$(timeout 60 "$LITEBOX" do --rootfs "$WORK/litebox" --env "PATH=$path" -- "$@" 2>/dev/null)
    lrc=$?
    report "$name" "$nout" "$nrc" "$lout" "$lrc"
  }
  run_path_case path-first-hit /opt/b:/bin echo x
  run_path_case path-skips-unrunnable /nx:/opt/a:/bin echo x
  run_path_case path-only-unrunnable /opt/a echo x
  run_path_case path-missing /nx:/bin no-such-command
  run_path_case path-relative-entry opt/b:/bin echo x
else
  run_case bash /bin/bash -c 'for i in 1 2 3; do echo $i; done; echo $(( 2**10 )); f() { echo "fn $1"; }; f x'
  run_case bash-subshell /bin/bash -c 'x=$(ls /etc | wc -l); echo $((x > 10)); (exit 4); echo $?'
  run_case ls /bin/ls /usr/lib/os-release /etc/os-release
  run_case ls-la /bin/ls -la /etc/os-release /etc/hostname
  run_case stat /usr/bin/stat -c '%n %s %F %a %u' /etc/os-release /etc /usr/bin/python3
  run_case id /usr/bin/id
  run_case uname /bin/uname -a
  run_case readlink-f /bin/readlink -f /usr/bin/python3
  run_case date /bin/date -u -d @0
  run_case env-python /usr/bin/env python3 -c 'print("via env")'
  run_case python-stdlib /usr/bin/python3 -c '
import os, json, hashlib, threading
print(json.dumps({"a": [1, 2]}))
print(hashlib.sha256(b"litebox").hexdigest())
r = []
def f(i): r.append(i * i)
ts = [threading.Thread(target=f, args=(i,)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(r))
open("/tmp/x", "w").write("hello"); print(open("/tmp/x").read())
print(sorted(os.listdir("/proc/self/fd")))'
  run_case python-sum /usr/bin/python3 -c 'print(sum(range(10)))'
  # Job control (issue 5): a stopped and continued background job and its
  # status after a kill (143; `jobs` after the kill is left out: whether bash
  # has already reported the job then depends on when SIGCHLD lands, natively
  # too), the shell's own TERM trap, a background subshell's exit status.
  run_case bash-jobs /bin/bash -c 'set -m; sleep 5 & kill -STOP %1; sleep 0.2; jobs; kill -CONT %1; sleep 0.1; jobs; kill %1; wait %1; echo "status=$?"; echo done'
  run_case bash-trap /bin/bash -c 'trap "echo got TERM" TERM; kill -TERM $$; echo after; (sleep 0.1; exit 7) & wait $!; echo "bg=$?"'
  run_case python-procs /usr/bin/python3 -c '
import os, subprocess, multiprocessing
print(subprocess.run(["echo", "from child"], capture_output=True, text=True).stdout.strip())
print(subprocess.run(["sh", "-c", "exit 5"]).returncode)
with multiprocessing.Pool(4) as p:
    print(p.map(abs, [-1, -2, -3, -4, -5]))
pid = os.fork()
if pid == 0:
    os._exit(9)
_, st = os.waitpid(pid, 0)
print(os.WEXITSTATUS(st))'
  # make -j2 with gcc (build-essential in the image): two objects compiled in
  # parallel, linked, the program run; the tree is listed to show what was
  # built (output order of the parallel compiles varies, so make is quiet).
  for side in native litebox; do
    mkdir -p "$WORK/$side/src"
    printf '#include <stdio.h>\nint twice(int);\nint main(void) { printf("twice(21) = %%d\\n", twice(21)); return 0; }\n' >"$WORK/$side/src/main.c"
    printf 'int twice(int x) { return 2 * x; }\n' >"$WORK/$side/src/util.c"
    printf 'prog: main.o util.o\n\tgcc -o $@ main.o util.o\n%%.o: %%.c\n\tgcc -O2 -Wall -c $< -o $@\n' >"$WORK/$side/src/Makefile"
  done
  if [ -x "$WORK/native/usr/bin/gcc" ] && [ -x "$WORK/native/usr/bin/make" ]; then
    run_case make-j2 /bin/sh -c 'cd /src && make -s -j2 && ./prog && ls && make -s -q prog; echo "up-to-date=$?"'
  else
    fail=$((fail + 1))
    echo "FAIL make-j2: the Debian image has no gcc/make (build-essential)"
  fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
