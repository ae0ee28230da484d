#!/bin/sh
# Asserts the libOS binary is freestanding: no undefined symbols (nothing
# from libc or ld.so), no PT_TLS segment, no PT_INTERP, static-pie.
set -eu
bin=$1
fail=0
if readelf -lW "$bin" | grep -q ' TLS '; then echo "FAIL: $bin has a TLS segment"; fail=1; fi
if readelf -lW "$bin" | grep -q ' INTERP '; then echo "FAIL: $bin has an interpreter"; fail=1; fi
undef=$(nm -D --undefined-only "$bin" 2>/dev/null; nm --undefined-only "$bin" 2>/dev/null | grep -v ' w ' || true)
if [ -n "$undef" ]; then echo "FAIL: undefined symbols:"; echo "$undef"; fail=1; fi
if ! readelf -hW "$bin" | grep -q 'DYN'; then echo "FAIL: not position independent"; fail=1; fi
[ $fail -eq 0 ] && echo "ok: $bin is freestanding static-pie"
exit $fail
