#!/usr/bin/env bash
# A private containerd for tests, beside any other containerd on the machine.
# Everything it owns lives under DIR: config.toml, root/, state/, the grpc
# socket DIR/containerd.sock, the ttrpc socket, containerd.pid and
# containerd.log. Shims are found through BINDIR, which goes first on its PATH
# (containerd-shim-litebox-v1, containerd-shim-io-litebox).
#
#   containerd-fixture.sh start DIR BINDIR       start (or find running); prints the grpc socket path
#   containerd-fixture.sh stop DIR               kill it, its shims and their containers; unmount; remove state
#   containerd-fixture.sh restart DIR            stop the daemon alone (SIGTERM) and start it again on the
#                                                same root and state: shims and their tasks live on
#   containerd-fixture.sh import DIR TARBALL NAME  import an OCI tarball as NAME (NAME or NAME:TAG)
#   containerd-fixture.sh address DIR            print the grpc socket path
#   containerd-fixture.sh ctr DIR ARGS...        run ctr against this containerd
#
# Every command is idempotent. Two fixtures in different DIRs run at once.
set -euo pipefail

prog=containerd-fixture.sh
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '8,14p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2; }

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd -P); }

# Sets the per-DIR paths; DIR must already exist.
set_paths() {
  dir=$1
  sock=$dir/containerd.sock
  ttrpc_sock=$dir/containerd.sock.ttrpc
  conf=$dir/config.toml
  pidfile=$dir/containerd.pid
  log=$dir/containerd.log
  # sockaddr_un.sun_path holds 108 bytes; leave room for ".ttrpc".
  [ ${#ttrpc_sock} -lt 108 ] || die "$ttrpc_sock is too long for a unix socket path (${#ttrpc_sock} >= 108 bytes): use a shorter DIR"
}

ctr_() { ctr --address "$sock" "$@"; }
answers() { timeout 3 ctr --address "$sock" version >/dev/null 2>&1; }

daemon_pid() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # A recycled pid must not be taken for ours: it must be containerd with our config.
  grep -qxF -- "$conf" < <(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  echo "$pid"
}

lock() {
  exec 9>"$dir/.fixture.lock"
  flock 9
}

write_config() {
  cat >"$conf" <<TOML
# Written by $prog: a private containerd for tests.
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = "$sock"

[ttrpc]
  address = "$ttrpc_sock"

[debug]
  level = "info"

[plugins]
  [plugins."io.containerd.runtime.v2.task"]
    platforms = ["linux/amd64"]
  [plugins."io.containerd.service.v1.diff-service"]
    default = ["walking"]
TOML
}

cmd_start() {
  [ $# -eq 2 ] || usage
  set_paths "$(abs_dir "$1")"
  [ -d "$2" ] || die "BINDIR $2: not a directory"
  local bindir pid
  bindir=$(cd "$2" && pwd -P)
  command -v containerd >/dev/null || die "containerd not found (apt-get install containerd)"
  [ "$(id -u)" -eq 0 ] || die "must run as root (containerd mounts snapshots)"
  lock
  if pid=$(daemon_pid) && answers; then
    if [ "$(cat "$dir/bindir" 2>/dev/null)" != "$bindir" ]; then
      echo "$prog: containerd in $dir already runs with BINDIR $(cat "$dir/bindir" 2>/dev/null); not restarting for $bindir" >&2
    fi
    echo "$sock"
    return 0
  fi
  # Leftovers of an instance that died: clean them before starting again.
  do_stop quiet
  mkdir -p "$dir/root" "$dir/state"
  write_config
  echo "$bindir" >"$dir/bindir"
  launch_daemon "$bindir" || die "containerd in $dir did not start"
  echo "$sock"
}

# Pids of processes that have $sock as one argument: the shims (started with
# `-address SOCK`) and ctr clients of this instance.
shim_pids() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != $$ ] && [ "$p" != "${BASHPID:-$$}" ] || continue
    grep -qxF -- "$sock" < <(tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline") && echo "$p"
  done
  return 0
}

descendants() {
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}

mounts_under() {
  # mountinfo field 5 is the mount point (octal escapes for blanks).
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Field 22 of /proc/PID/stat: when the process started, in clock ticks since
# boot. A pid with the same start time is the same process; pids recycle
# (pid_max is 32768 here), so a pid noted earlier is killed only if its
# start time is unchanged -- otherwise a process of another test that got
# the pid would be killed.
start_time() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  set -- $st
  echo "${20}"
}

# Kills the PID:START entries whose process is still the one noted.
kill_noted() {
  local e p
  for e in "$@"; do
    p=${e%%:*}
    [ "$(start_time "$p" 2>/dev/null)" = "${e#*:}" ] && kill -KILL "$p" 2>/dev/null
  done
  return 0
}

# The pids of the PID:START entries whose process is still the one noted.
still_noted() {
  local e p
  for e in "$@"; do
    p=${e%%:*}
    [ "$(start_time "$p" 2>/dev/null)" = "${e#*:}" ] && echo "$p"
  done
  return 0
}

# A zombie counts as gone: it holds no resources, and its reaper (init, or
# a subreaper above us) may take its time.
alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

wait_gone() {
  local p alive
  for _ in $(seq 1 50); do
    alive=0
    for p in "$@"; do alive "$p" && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# A shim that was killed leaves state outside DIR: its socket under
# /run/containerd/s (named in the bundle's `address` file) and, for runc,
# the container's entry under /run/containerd/runc/<ns>. Only entries that
# point into DIR are removed.
forget_host_state() {
  local f a r
  for f in "$dir"/state/io.containerd.runtime.v2.task/*/*/address; do
    [ -f "$f" ] || continue
    a=$(cat "$f")
    a=${a#unix://}
    case $a in /run/containerd/s/*) rm -f "$a" ;; esac
  done
  command -v runc >/dev/null || return 0
  for r in /run/containerd/runc/*; do
    [ -d "$r" ] || continue
    runc --root "$r" list --format json 2>/dev/null |
      jq -r --arg d "$dir/" '.[]? | select(.bundle | startswith($d)) | .id' |
      while read -r id; do
        runc --root "$r" delete -f "$id" >/dev/null 2>&1 ||
          echo "$prog: could not delete runc state $r/$id" >&2
      done
  done
}

do_stop() {
  local quiet=${1:-} pid ns t pids=() noted=() p c m st
  pid=$(daemon_pid) || pid=""
  if [ -n "$pid" ] && answers; then
    # Orderly first: tasks killed and deleted unmount their rootfs.
    # Failures are reported, not fatal: what is left is killed below.
    for ns in $(ctr_ namespaces ls -q); do
      for t in $(ctr_ -n "$ns" tasks ls -q); do
        timeout 10 ctr --address "$sock" -n "$ns" tasks delete -f "$t" >/dev/null ||
          echo "$prog: could not delete task $ns/$t in $dir; killing it below" >&2
      done
      for t in $(ctr_ -n "$ns" containers ls -q); do
        timeout 10 ctr --address "$sock" -n "$ns" containers delete "$t" >/dev/null ||
          echo "$prog: could not delete container $ns/$t in $dir" >&2
      done
    done
  fi
  # Shims that were left behind, with their containers (their children).
  for p in $(shim_pids); do
    for c in "$p" $(descendants "$p"); do
      st=$(start_time "$c") || continue
      pids+=("$c")
      noted+=("$c:$st")
    done
  done
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" || die "containerd pid $pid in $dir would not die"
  fi
  if [ ${#pids[@]} -gt 0 ]; then
    kill_noted "${noted[@]}"
    wait_gone $(still_noted "${noted[@]}") || die "shim or container processes ${pids[*]} of $dir would not die"
  fi
  for _ in 1 2 3; do
    m=$(mounts_under)
    [ -z "$m" ] && break
    while read -r p; do
      umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null || true
    done <<<"$m"
  done
  m=$(mounts_under)
  [ -z "$m" ] || die "still mounted under $dir, not removing its state: $m"
  forget_host_state
  rm -rf --one-file-system "$dir/root" "$dir/state" "$sock" "$ttrpc_sock" "$pidfile" "$dir/bindir"
  [ -n "$quiet" ] || echo "$prog: stopped containerd in $dir"
}

# Starts the daemon on an existing config and waits until it answers;
# non-zero (with the log's tail on stderr) if it does not.
launch_daemon() {
  local bindir=$1 pid
  echo "=== $prog start $(date -u +%FT%TZ) BINDIR=$bindir" >>"$log"
  # setsid: the daemon outlives the test step that started it; fd 9 (the
  # lock) and the caller's stdout must not be inherited, or the lock stays
  # held and a harness waiting for our output never sees EOF.
  PATH="$bindir:$PATH" setsid containerd --config "$conf" </dev/null >>"$log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + 20))
  while [ $SECONDS -lt $deadline ]; do
    answers && return 0
    if [ ! -d "/proc/$pid" ]; then
      echo "$prog: containerd exited during startup; last lines of $log:" >&2
      tail -n 30 "$log" >&2
      return 1
    fi
    sleep 0.25
  done
  echo "$prog: containerd (pid $pid) did not answer on $sock within 20 s; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone "$pid" || echo "$prog: containerd pid $pid survived SIGKILL" >&2
  return 1
}

cmd_restart() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || die "$1: no such directory"
  set_paths "$(cd "$1" && pwd -P)"
  lock
  local pid bindir
  bindir=$(cat "$dir/bindir" 2>/dev/null) || die "no containerd was started in $dir"
  pid=$(daemon_pid) || die "no containerd runs in $dir"
  kill -TERM "$pid"
  wait_gone "$pid" || die "containerd pid $pid in $dir would not stop"
  launch_daemon "$bindir" || die "containerd in $dir did not start again"
  echo "$sock"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || { echo "$prog: $1 does not exist; nothing to stop"; return 0; }
  set_paths "$(cd "$1" && pwd -P)"
  lock
  do_stop
}

cmd_import() {
  [ $# -eq 3 ] || usage
  set_paths "$(abs_dir "$1")"
  local tarball=$2 name=$3 base want refs
  [ -f "$tarball" ] || die "image tarball $tarball: not a file"
  answers || die "no containerd answers on $sock (run: $prog start $dir BINDIR)"
  # A tag is a ':' after the last '/'; the tarball's own ref name supplies it otherwise.
  base=$name
  want=$name:latest
  if [[ ${name##*/} == *:* ]]; then
    base=${name%:*}
    want=$name
  fi
  ctr_ images import --base-name "$base" "$tarball" >&2 ||
    die "ctr images import of $tarball into $dir failed"
  refs=$(ctr_ images ls -q)
  if ! grep -qxF -- "$want" <<<"$refs"; then
    local got
    got=$(grep -m1 -F -- "$base:" <<<"$refs") || die "import of $tarball made no image named $base:*; images: $(echo $refs)"
    ctr_ images tag "$got" "$want" >/dev/null || die "could not tag $got as $want"
  fi
  echo "$want"
}

cmd_address() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || die "$1: no such directory"
  set_paths "$(cd "$1" && pwd -P)"
  echo "$sock"
}

cmd_ctr() {
  [ $# -ge 1 ] || usage
  [ -d "$1" ] || die "$1: no such directory"
  set_paths "$(cd "$1" && pwd -P)"
  shift
  exec ctr --address "$sock" "$@"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  restart) cmd_restart "$@" ;;
  import) cmd_import "$@" ;;
  address) cmd_address "$@" ;;
  ctr) cmd_ctr "$@" ;;
  *) usage ;;
esac
