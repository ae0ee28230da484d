#!/usr/bin/env bash
# Installs everything LiteBox needs to build, test and benchmark, from
# Debian's archive only. Idempotent and non-interactive: safe to run twice.
set -euo pipefail

PKGS=(
  # build
  build-essential cmake ninja-build pkg-config git clang clang-format clang-tidy
  libclang-rt-14-dev lld
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev libcap-dev libseccomp-dev libboost-all-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # containerd's own .proto files
  golang-github-containerd-containerd-dev
  # engines and images
  containerd runc crun busybox-static umoci skopeo debootstrap
  # engines that drive the litebox CLI (tests/integration/engines_litebox)
  podman docker.io
  # tools used by tests and benchmarks
  strace tmux hyperfine procps psmisc iproute2 util-linux python3 xxd jq curl
  # benchmark peers, servers and plots (bench/run.sh)
  runsc redis-server redis-tools wrk python3-matplotlib
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: must run as root (apt-get)" >&2
  exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# containerd's package would start a system service; we run private instances.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
