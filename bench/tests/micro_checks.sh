#!/usr/bin/env bash
# The benchmark programs catch work that was not done: checksums match an
# independent computation, a corrupted/short file, a wrong entry count, a
# failing child or a leftover file make them print FAIL and exit 1.
# usage: micro_checks.sh BIN_DIR
set -euo pipefail
bin=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { awk -v n="$1" -v f="$2" '$1 == "RESULT" && $2 == n { print $f }'; }

# seqread: checksum = (sum of words) xor bytes; word i = (i+1)*K mod 2^64, so
# the sum over n words is K*n*(n+1)/2 mod 2^64 (closed form, computed here).
"$bin/bench-files" gen "$t/big" 8
want=$(/usr/bin/python3 -c 'n=8*2**20//8; K=0x9E3779B97F4A7C15; print(((K*n*(n+1)//2) % 2**64) ^ (8*2**20))')
got=$("$bin/bench-files" seqread "$t/big" | field seqread 5)
[ "$got" = "$want" ] || fail "seqread checksum $got, expected $want"
printf '\x01' | dd of="$t/big" bs=1 seek=12345 conv=notrunc status=none
got2=$("$bin/bench-files" seqread "$t/big" | field seqread 5)
[ "$got2" != "$want" ] || fail "seqread checksum did not change after corrupting one byte"

# randread: same offsets every run (the harness compares runtimes on it).
a=$("$bin/bench-files" randread "$t/big" 500 | field randread_4k 5)
b=$("$bin/bench-files" randread "$t/big" 500 | field randread_4k 5)
[ -n "$a" ] && [ "$a" = "$b" ] || fail "randread checksums differ between runs: $a $b"

# smallfiles: count of files seen equals the count created; a stray file fails it.
got=$("$bin/bench-files" smallfiles "$t/sf" 300 | field smallfiles_create_delete 5)
[ "$got" = 300 ] || fail "smallfiles counted $got, expected 300"
[ ! -e "$t/sf" ] || fail "smallfiles left its directory"
mkdir "$t/sf2" && : >"$t/sf2/stray"
if out=$("$bin/bench-files" smallfiles "$t/sf2" 10); then fail "smallfiles accepted a non-empty dir"; fi
grep -q '^FAIL smallfiles' <<<"$out" || fail "no FAIL line for a non-empty dir: $out"

# syscalls: every op reports; a 999-entry directory is refused.
mkdir -p "$t/data/dir1000"
for i in $(seq 1 999); do : >"$t/data/dir1000/e$i"; done
echo hello >"$t/data/small"
if out=$("$bin/bench-syscalls" 20 "$t/data"); then fail "syscalls accepted 999 entries"; fi
grep -q '^FAIL getdents_1000' <<<"$out" || fail "no FAIL getdents_1000 line: $out"
: >"$t/data/dir1000/e1000"
out=$("$bin/bench-syscalls" 20 "$t/data")
for op in read_devzero write_pipe getpid getppid open_close stat getdents_1000; do
  v=$(field "$op" 3 <<<"$out")
  [ -n "$v" ] || fail "syscalls printed no $op: $out"
  awk -v v="$v" 'BEGIN { exit !(v > 0) }' || fail "$op: $v ns/op is not positive"
done
[ "$(field stat 5 <<<"$out")" = 6 ] || fail "stat check is not the size of 'hello\\n'"
[ "$(field getdents_1000 5 <<<"$out")" = 1000 ] || fail "getdents check is not 1000"

# procs: a child that exits non-zero fails the run; dd's record count is read back.
if out=$("$bin/bench-procs" forkexec 3 /bin/false); then fail "forkexec accepted /bin/false"; fi
grep -q '^FAIL forkexec' <<<"$out" || fail "no FAIL forkexec line: $out"
[ "$("$bin/bench-procs" forkexec 5 /bin/true | field forkexec 5)" = 5 ] || fail "forkexec count"
[ "$("$bin/bench-procs" pipe | field pipe_dd_cat 5)" = 16384 ] || fail "pipe record count"

# timeit: the child's status comes back in the exit code and in the result.
set +e
out=$("$bin/bench-timeit" - -- sh -c 'exit 3')
rc=$?
set -e
[ "$rc" = 3 ] || fail "timeit exit status $rc, expected 3"
[ "$(field exec 5 <<<"$out")" = 3 ] || fail "timeit RESULT check is not 3: $out"
"$bin/bench-timeit" "$t/o" -- true && read -r ns st <"$t/o" && [ "$st" = 0 ] && [ "$ns" -gt 0 ] ||
  fail "timeit OUT_FILE: $(cat "$t/o")"
echo "PASS micro checks"
