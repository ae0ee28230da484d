#!/usr/bin/env bash
# The configuration examples are accepted by the real programs and agree
# with each other: containerd reads the CRI runtime from the snippet, the
# RuntimeClass names that handler, Docker's runtime points at the CLI.
source "$(dirname "$0")/lib.sh"
need_cmd containerd jq
py=/usr/bin/python3
[ -x "$py" ] || py=python3

dump=$(containerd --config "$src/packaging/containerd-config.toml" config dump) ||
  fail "containerd rejects packaging/containerd-config.toml"
# What containerd made of it, read back from its own dump.
read -r handler rtype rpath < <("$py" -c '
import sys, tomllib
cfg = tomllib.loads(sys.stdin.read())
rts = cfg["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
lb = [(n, r) for n, r in rts.items() if r.get("runtime_type") == "io.containerd.litebox.v1"]
if len(lb) != 1: sys.exit("expected one runtime of type io.containerd.litebox.v1, found %d" % len(lb))
n, r = lb[0]
print(n, r["runtime_type"], r.get("runtime_path") or "-")' <<<"$dump") || fail "containerd's dump of the snippet has no litebox runtime"
assert_eq "$rtype" io.containerd.litebox.v1 "runtime_type"
assert_eq "$rpath" /usr/local/bin/containerd-shim-litebox-v1 "runtime_path"

read -r kind api name rc_handler < <("$py" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
print(d["kind"], d["apiVersion"], d["metadata"]["name"], d["handler"])' "$src/packaging/runtimeclass.yaml") ||
  fail "runtimeclass.yaml does not parse"
assert_eq "$kind $api $name" "RuntimeClass node.k8s.io/v1 litebox" "RuntimeClass identity"
assert_eq "$rc_handler" "$handler" "RuntimeClass handler vs containerd CRI runtime name"
# A handler must be a DNS-1123 label for the API server to accept it.
grep -Eqx '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?' <<<"$rc_handler" || fail "handler $rc_handler is not a DNS-1123 label"

assert_eq "$(jq -r .runtimes.litebox.path "$src/packaging/docker-daemon.json")" /usr/local/bin/litebox "docker-daemon.json runtime path"
echo "PASS packaging configs"
