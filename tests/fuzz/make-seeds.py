#!/usr/bin/env python3
"""Writes the committed seed corpora (tests/fuzz/corpus/*): a few valid
inputs per target, so the fuzzers start past the framing checks. Re-run
after a protocol change: python3 tests/fuzz/make-seeds.py"""
import json, os, struct

here = os.path.dirname(os.path.abspath(__file__))

def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# proxy_request: byte 0 = fds to attach; then proto::Request (libos/abi/proto.h)
# magic op size nfds arg[6] str_len[2] dirfd_slot[2], then the strings.
MAGIC = 0x4c425031
def req(op, s0=b"", s1=b"", args=(0,) * 6, fdbits=0, slots=(-1, -1)):
    nfds = bin(fdbits).count("1")
    hdr = struct.pack("<IIII6qII2i", MAGIC, op, 80 + len(s0) + len(s1), nfds, *args,
                      len(s0), len(s1), *slots)
    return bytes([fdbits]) + hdr + s0 + s1

O_RDONLY, O_CREAT, O_WRONLY, O_DIRECTORY = 0, 0o100, 1, 0o200000
seeds = {
    "open_passwd": req(10, b"/etc/passwd", args=(O_RDONLY, 0, 0, 0, 0, 0)),
    "open_create": req(10, b"/tmp/new", args=(O_CREAT | O_WRONLY, 0o644, 0, 0, 0, 0)),
    "open_symlink_up": req(10, b"/d/e/up/passwd"),
    "open_out": req(10, b"/out"),
    "open_proc_self": req(10, b"/proc/self/status"),
    "open_relative_dirfd": req(10, b"etc/passwd", fdbits=1, slots=(0, -1)),
    "stat_abs": req(11, b"/abs"),
    "access_sh": req(12, b"/bin/sh", args=(1, 0, 0, 0, 0, 0)),
    "readlink_abs": req(13, b"/abs"),
    "mkdir_tmp": req(14, b"/tmp/dir", args=(0o755, 0, 0, 0, 0, 0)),
    "unlink_tmp": req(16, b"/tmp/new"),
    "rename": req(17, b"/tmp/dir", b"/tmp/dir2"),
    "link": req(18, b"/etc/passwd", b"/tmp/hard"),
    "symlink": req(19, b"../../..", b"/tmp/sl"),
    "chdir": req(25, b"/d/e"),
    "getdents": req(31, b"", fdbits=1, slots=(0, -1)),
    "fchown": req(33, b"", args=(1000, 1000, 0, 0, 0, 0), fdbits=2, slots=(0, -1)),
}
for name, data in seeds.items():
    put("proxy_request", name, data)

# oci_config: a minimal and a fuller config.
minimal = {"ociVersion": "1.1.0", "root": {"path": "rootfs"},
           "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"}}
fuller = dict(minimal)
fuller.update({"hostname": "h", "mounts": [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                                            "options": ["nosuid"]}],
               "linux": {"namespaces": [{"type": "network"}], "maskedPaths": ["/proc/kcore"],
                         "seccomp": {"defaultAction": "SCMP_ACT_ERRNO",
                                     "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                                                  {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                                                   "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}}})
put("oci_config", "minimal.json", json.dumps(minimal).encode())
put("oci_config", "fuller.json", json.dumps(fuller).encode())
put("oci_config", "state.json", json.dumps({"ociVersion": "1.0.2", "id": "c", "status": "running",
                                            "pid": 1, "bundle": "/b"}).encode())

# ttrpc_frame: a request frame and two back to back (length BE32, stream BE32, type, flags).
def frame(stream, typ, payload):
    return struct.pack(">IIBB", len(payload), stream, typ, 0) + payload
put("ttrpc_frame", "one_request", frame(1, 1, b"\x0a\x04test\x12\x05State"))
put("ttrpc_frame", "two_frames", frame(1, 1, b"abc") + frame(3, 1, b""))
put("ttrpc_frame", "too_large_header", struct.pack(">IIBB", 5 << 20, 1, 1, 0))

# elf_headers: the file's first bytes. A PIE with an interpreter and .bss,
# a static ET_EXEC, and `#!` lines.
def ehdr(etype, phnum, entry=0x1000):
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, entry, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
def phdr(ptype, flags, off, vaddr, filesz, memsz, align=0x1000):
    return struct.pack("<IIQQQQQQ", ptype, flags, off, vaddr, vaddr, filesz, memsz, align)
interp = b"/lib64/ld-linux-x86-64.so.2\0"
pie = ehdr(3, 4) + phdr(6, 4, 64, 64, 56 * 4, 56 * 4, 8) + \
    phdr(3, 4, 64 + 56 * 4, 64 + 56 * 4, len(interp), len(interp), 1) + \
    phdr(1, 5, 0, 0, 0x1800, 0x1800) + phdr(1, 6, 0x1800, 0x2800, 0x100, 0x3000)
put("elf_headers", "pie_interp_bss", pie + interp)
put("elf_headers", "static_exec", ehdr(2, 2, 0x401000) + phdr(1, 5, 0, 0x400000, 0x2000, 0x2000) +
    phdr(1, 6, 0x2000, 0x402000, 0x80, 0x10000))
put("elf_headers", "shebang_arg", b"#! /bin/sh  -e -x \t\nexit 0\n")
put("elf_headers", "shebang_bare", b"#!/usr/bin/env\n")

# task_service: calls [method][len LE16][request]; methods index the
# handler table in project/task_service.cpp (0 State, 1 Create, 2 Start,
# 3 Delete, 8 Kill, 9 Exec, 10 ResizePty, 12 Update, 13 Wait, 14 Stats).
def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data
def field_varint(num, v):
    return varint(num << 3) + varint(v)
def s(num, text):
    return field_bytes(num, text.encode())
def call(method, req):
    return bytes([method]) + struct.pack("<H", len(req)) + req
bundle = "/tmp/fz/bundle"
mount = s(1, "bind") + s(2, "/tmp/fz/src") + s(4, "rbind") + s(4, "ro")
overlay = s(1, "overlay") + s(2, "overlay") + s(4, "lowerdir=/tmp/fz/l") + s(4, "upperdir=/tmp/fz/u") + \
    s(4, "workdir=/tmp/fz/w")
create = s(1, "c1") + s(2, bundle) + s(6, "/tmp/fz/out")
put("task_service", "create_state_delete",
    call(1, create) + call(0, s(1, "c1")) + call(3, s(1, "c1")))
put("task_service", "create_bind_rootfs", call(1, create + field_bytes(3, mount)))
put("task_service", "create_overlay_rootfs", call(1, create + field_bytes(3, overlay)))
put("task_service", "create_terminal", call(1, s(1, "t") + s(2, bundle) + field_varint(4, 1)))
anyspec = field_bytes(7, s(1, "types.containerd.io/opencontainers/runtime-spec/1/Process") +
                      field_bytes(2, b'{"args":["sh"],"cwd":"/","user":{"uid":0,"gid":0}}'))
put("task_service", "exec_kill_wait",
    call(9, s(1, "c1") + s(2, "e1") + anyspec) + call(8, s(1, "c1") + field_varint(3, 9)) +
    call(13, s(1, "c1") + s(2, "e1")))
put("task_service", "resize_update_stats",
    call(10, s(1, "c1") + field_varint(3, 80) + field_varint(4, 24)) + call(12, s(1, "c1")) +
    call(14, s(1, "c1")))
