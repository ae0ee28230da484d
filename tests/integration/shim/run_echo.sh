#!/usr/bin/env bash
# ctr run through both runtime names prints the container's output.
. "$(dirname "$0")/lib.sh"
shim_setup run-echo
out=$(c run --rm --runtime io.litebox "$IMAGE" t1 echo hello 2>&1) || fail "io.litebox run: $out"
expect_eq "$out" "hello" "output via io.litebox"
out=$(c run --rm --runtime io.containerd.litebox.v1 "$IMAGE" t2 sh -c 'echo to-stdout; echo to-stderr >&2' 2>/dev/null) ||
  fail "io.containerd.litebox.v1 run: $out"
expect_eq "$out" "to-stdout" "stdout via io.containerd.litebox.v1"
err=$(c run --rm --runtime io.containerd.litebox.v1 "$IMAGE" t3 sh -c 'echo to-stderr >&2' 2>&1 >/dev/null) ||
  fail "stderr run"
expect_eq "$err" "to-stderr" "stderr"
# stdin reaches the container and its EOF (ctr's CloseIO) ends it. The
# delay: ctr only calls CloseIO if stdin ends after its task exists.
out=$( (sleep 1; printf 'line1\nline2\n') | c run --rm --runtime io.litebox "$IMAGE" t4 wc -l 2>&1) || fail "stdin run: $out"
expect_eq "$(echo $out)" "2" "lines counted from stdin"
# --log-uri file://: both streams land in the file, nothing on the terminal.
log=$dir/logs/c.log
rm -f "$log"
out=$(c run --rm --log-uri "file://$log" --runtime io.litebox "$IMAGE" t5 sh -c 'echo via-file; echo err-file >&2' 2>&1) ||
  fail "log-uri run: $out"
expect_eq "$out" "" "terminal output with --log-uri"
expect_eq "$(cat "$log")" "via-file
err-file" "log file content"
echo PASS
