#!/usr/bin/env bash
# The Debian minbase image, built locally and imported into containerd, runs
# its dynamically linked python3 through the LiteBox shim. SKIPs (77) loudly
# when the Debian archive cannot be reached to build the image.
. "$(dirname "$0")/lib.sh"
: "${DEBIAN_IMAGES_DIR:?set by CTest}"
rc=0
"$REPO/tests/images/build-debian.sh" "$DEBIAN_IMAGES_DIR" >/dev/null || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP: the Debian image could not be built (archive unreachable)"
  exit 77
fi
[ "$rc" -eq 0 ] || fail "build-debian.sh exited $rc"
shim_setup debian
"$fixture" import "$dir" "$DEBIAN_IMAGES_DIR/debian-oci.tar" localhost/debian >/dev/null ||
  fail "import of the Debian image"
out=$(c run --rm --runtime io.litebox localhost/debian:latest py1 \
  python3 -c 'print(sum(range(10)))') || fail "python3 in the Debian image: $out"
expect_eq "$out" 45 "python3 -c 'print(sum(range(10)))'"
# The same through the other shim name, as Kubernetes and Docker 23+ call it.
out=$(c run --rm --runtime io.containerd.litebox.v1 localhost/debian:latest py2 \
  python3 -c 'import json, os; print(json.dumps(sorted(os.listdir("/etc/apt"))[:1]))') ||
  fail "python3 through io.containerd.litebox.v1: $out"
native=$(chroot "$DEBIAN_IMAGES_DIR/debian-rootfs" python3 -c 'import json, os; print(json.dumps(sorted(os.listdir("/etc/apt"))[:1]))')
expect_eq "$out" "$native" "python3 listing /etc/apt"
echo PASS
