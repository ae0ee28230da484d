#!/usr/bin/env bash
# Docker 20.10 with `--add-runtime litebox=<build>/bin/litebox` (the
# daemon.json `runtimes.litebox.path` setup): dockerd's runc shim drives
# litebox. run, exit status, exec, stop, kill, rm; a private dockerd on a
# private containerd, stopped at the end.
source "$(dirname "$0")/lib.sh"
need_root
docker=/usr/bin/docker  # the 20.10 client; another one may be first on PATH
[ -x "$docker" ] && command -v dockerd >/dev/null ||
  skip "docker 20.10 (Debian docker.io) is not installed"
need_cmd containerd skopeo
busybox_image

dir=$build/el-docker
fx=$dir/fx
dsock=$dir/docker.sock
dk=("$docker" -H "unix://$dsock")
stop_all() {
  "${dk[@]}" rm -f $("${dk[@]}" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
  if [ -f "$dir/docker.pid" ]; then
    local pid
    pid=$(cat "$dir/docker.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  fi
  "$fixture" stop "$fx" >/dev/null 2>&1 || true
}
trap stop_all EXIT
mkdir -p "$dir"
stop_all
sock=$("$fixture" start "$fx" /usr/bin) || skip "containerd does not start here (see $fx/containerd.log)"
dockerd --data-root "$dir/data" --exec-root "$dir/exec" -H "unix://$dsock" \
  --pidfile "$dir/docker.pid" --containerd "$sock" --iptables=false --ip-masq=false \
  --bridge=none --storage-driver overlay2 --add-runtime "litebox=$litebox" \
  >"$dir/dockerd.log" 2>&1 &
up=0
for _ in $(seq 150); do
  "${dk[@]}" info >/dev/null 2>&1 && up=1 && break
  sleep 0.2
done
[ "$up" = 1 ] || skip "dockerd does not start here: $(tail -n 5 "$dir/dockerd.log")"
img=localhost/busybox:latest
if ! "${dk[@]}" image inspect "$img" >/dev/null 2>&1; then
  rm -f "$dir/busybox-docker.tar"
  skopeo copy -q "oci-archive:$images/busybox-oci.tar" \
    "docker-archive:$dir/busybox-docker.tar:$img" || fail "skopeo could not convert the image"
  "${dk[@]}" load -q -i "$dir/busybox-docker.tar" >/dev/null
fi
rt=(--network none --runtime litebox)
root=$dir/exec/runtime-runc/moby  # dockerd's runc shim --root for namespace moby

out=$(timeout 60 "${dk[@]}" run --rm "${rt[@]}" "$img" echo hello 2>&1) ||
  fail "docker run echo hello failed: $out"
assert_eq "$out" hello "docker run echo hello"

set +e
timeout 60 "${dk[@]}" run --rm "${rt[@]}" "$img" sh -c 'exit 3'
rc=$?
set -e
assert_eq "$rc" 3 "exit status of sh -c 'exit 3' through docker"

# A terminal (run -t): dockerd's runc shim passes --console-socket.
if command -v script >/dev/null; then
  set +e
  out=$(timeout 60 script -qec "$(printf '%q ' "${dk[@]}") run --rm -t $(printf '%q ' "${rt[@]}") \
    $img sh -c 'test -t 0 && test -t 1 && echo stdio-is-a-tty; exit 5'" /dev/null)
  rc=$?
  set -e
  grep -q stdio-is-a-tty <<<"$out" || fail "docker run -t: container stdio is not a terminal: $out"
  assert_eq "$rc" 5 "exit status through docker run -t"
else
  echo "######## NOTE [$test_name]: script(1) missing, terminal case not run ########" >&2
fi

name=el-dk-$$
cid=$("${dk[@]}" run -d --name "$name" "${rt[@]}" "$img" \
  sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done')
assert_eq "$("$litebox" --root "$root" state "$cid" | jq -r .status)" running "litebox state of $name"
set +e
out=$(timeout 30 "${dk[@]}" exec "$name" sh -c 'echo from-exec; exit 4')
rc=$?
set -e
assert_eq "$out" from-exec "docker exec output"
assert_eq "$rc" 4 "docker exec exit status"
timeout 60 "${dk[@]}" stop -t 10 "$name" >/dev/null
assert_eq "$("${dk[@]}" inspect "$name" --format '{{.State.ExitCode}}')" 0 "exit code after stop (SIGTERM trapped)"
"${dk[@]}" rm "$name" >/dev/null
assert_litebox_gone "$root" "$cid"

name=el-dkkill-$$
cid=$("${dk[@]}" run -d --name "$name" "${rt[@]}" "$img" sleep 600)
"${dk[@]}" kill "$name" >/dev/null
assert_eq "$(timeout 30 "${dk[@]}" wait "$name")" 137 "exit code after docker kill"
"${dk[@]}" rm "$name" >/dev/null
assert_litebox_gone "$root" "$cid"
echo "PASS docker 20.10 with --add-runtime litebox"
