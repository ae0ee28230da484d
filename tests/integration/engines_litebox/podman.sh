#!/usr/bin/env bash
# podman (through conmon) with `--runtime litebox`: run, exit status, exec,
# stop, kill, rm -- private storage, nothing of the containers left.
source "$(dirname "$0")/lib.sh"
need_root
command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
need_cmd conmon jq
busybox_image

dir=$build/el-podman
p=(podman --root "$dir/storage" --runroot "$dir/run" --tmpdir "$dir/tmp"
  --cgroup-manager cgroupfs --events-backend file)
rt=(--runtime "$litebox" --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
img=localhost/busybox:latest
cleanup() { "${p[@]}" rm -af -t 0 >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
if ! "${p[@]}" image exists "$img"; then
  out=$("${p[@]}" pull -q "oci-archive:$images/busybox-oci.tar" 2>&1) ||
    skip "podman cannot load an image here: $out"
  "${p[@]}" tag "$(tail -n 1 <<<"$out")" "$img"
fi
# litebox state as podman sees it (podman passes no --root: the default).
root=/run/litebox

out=$(timeout 60 "${p[@]}" run --rm "${rt[@]}" "$img" echo hello 2>&1) ||
  fail "podman run echo hello failed: $out"
assert_eq "$out" hello "podman run echo hello"

set +e
timeout 60 "${p[@]}" run --rm "${rt[@]}" "$img" sh -c 'exit 3'
rc=$?
set -e
assert_eq "$rc" 3 "exit status of sh -c 'exit 3' through podman"

# A terminal (run -t): conmon passes --console-socket and takes the pty
# master; script(1) gives podman a terminal of its own.
if command -v script >/dev/null; then
  set +e
  out=$(timeout 60 script -qec "$(printf '%q ' "${p[@]}") run --rm -t $(printf '%q ' "${rt[@]}") \
    $img sh -c 'test -t 0 && test -t 1 && echo stdio-is-a-tty; exit 5'" /dev/null)
  rc=$?
  set -e
  grep -q stdio-is-a-tty <<<"$out" || fail "podman run -t: container stdio is not a terminal: $out"
  assert_eq "$rc" 5 "exit status through podman run -t"
else
  echo "######## NOTE [$test_name]: script(1) missing, terminal case not run ########" >&2
fi

name=el-pod-$$
"${p[@]}" run -d --name "$name" "${rt[@]}" "$img" \
  sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
cid=$("${p[@]}" inspect "$name" --format '{{.Id}}')
assert_eq "$("$litebox" --root "$root" state "$cid" | jq -r .status)" running "litebox state of $name"
set +e
out=$(timeout 30 "${p[@]}" exec "$name" sh -c 'echo from-exec; exit 4')
rc=$?
set -e
assert_eq "$out" from-exec "podman exec output"
assert_eq "$rc" 4 "podman exec exit status"
timeout 60 "${p[@]}" stop -t 10 "$name" >/dev/null
assert_eq "$("${p[@]}" inspect "$name" --format '{{.State.ExitCode}}')" 0 "exit code after stop (SIGTERM trapped)"
"${p[@]}" rm "$name" >/dev/null
assert_litebox_gone "$root" "$cid"

name=el-podkill-$$
"${p[@]}" run -d --name "$name" "${rt[@]}" "$img" sleep 600 >/dev/null
cid=$("${p[@]}" inspect "$name" --format '{{.Id}}')
timeout 30 "${p[@]}" kill "$name" >/dev/null
"${p[@]}" wait "$name" >/dev/null
assert_eq "$("${p[@]}" inspect "$name" --format '{{.State.ExitCode}}')" 137 "exit code after podman kill"
"${p[@]}" rm "$name" >/dev/null
assert_litebox_gone "$root" "$cid"
echo "PASS podman with --runtime litebox"
