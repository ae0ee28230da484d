#!/usr/bin/env bash
# The container's exit status reaches ctr: a code, or 128+signal.
. "$(dirname "$0")/lib.sh"
shim_setup exit-status
set +e
c run --rm --runtime io.litebox "$IMAGE" e1 sh -c 'exit 3'
rc=$?
c run --rm --runtime io.litebox "$IMAGE" e2 sh -c 'kill -9 $$'
rc9=$?
c run --rm --runtime io.litebox "$IMAGE" e3 true
rc0=$?
set -e
expect_eq "$rc" 3 "exit code of 'exit 3'"
expect_eq "$rc9" 137 "exit code of a SIGKILLed init"
expect_eq "$rc0" 0 "exit code of true"
echo PASS
