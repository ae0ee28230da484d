// Process identity: virtual pids, users, groups, capabilities, UTS names.
// Reads are local; changes go to the supervisor, which owns the
// credentials the proxy checks paths with.
#include "libos/abi/proto.h"
#include "libos/channel.hpp"
#include "libos/dispatch.hpp"
#include "libos/lookup_cache.hpp"
#include "libos/rt/sys.hpp"
#include "libos/shared_page.hpp"

using namespace lb;

LB_SYSCALL_DIRECT(getpid) {
  return g_proc.vpid;
}
LB_SYSCALL_DIRECT(getppid) {
  return g_proc.vppid;
}
LB_SYSCALL_DIRECT(getuid) {
  return g_proc.ruid;
}
LB_SYSCALL_DIRECT(geteuid) {
  return g_proc.euid;
}
LB_SYSCALL_DIRECT(getgid) {
  return g_proc.rgid;
}
LB_SYSCALL_DIRECT(getegid) {
  return g_proc.egid;
}
namespace {
long pgid_call(uint32_t op, long a0, long a1) {
  Rpc r;
  r.op = op;
  r.arg[0] = a0;
  r.arg[1] = a1;
  return rpc(r);
}

// Our own group: cached, except while the parent may still move us
// (setpgid on a child is allowed until that child execs): from fork to the
// first answer after our next exec, the supervisor is asked.
long own_pgid() {
  if (g_proc.pgid_state == Process::kPgidCached) return g_proc.vpgid;
  long r = pgid_call(proto::kGetPgid, 0, 0);
  if (r < 0) return r;
  g_proc.vpgid = static_cast<uint32_t>(r);
  if (g_proc.pgid_state == Process::kPgidAskOnce) g_proc.pgid_state = Process::kPgidCached;
  return r;
}
}  // namespace

LB_SYSCALL_DIRECT(getpgrp) {
  return own_pgid();
}

// Process groups and sessions are the supervisor's (kill(0), kill(-pgid)
// and setpgid on children need the whole sandbox's view).
LB_SYSCALL_DIRECT(getpgid) {
  int pid = static_cast<int>(c.a[0]);
  if (pid == 0 || pid == static_cast<int>(g_proc.vpid)) return own_pgid();
  return pgid_call(proto::kGetPgid, pid, 0);
}
LB_SYSCALL_DIRECT(getsid) {
  int pid = static_cast<int>(c.a[0]);
  if (pid == 0 || pid == static_cast<int>(g_proc.vpid)) return g_proc.vsid;
  return pgid_call(proto::kGetPgid, pid, 1);
}
// The supervisor decides (virtual pids, the sandbox's rules); the host's
// groups and sessions then follow, so that the kernel's waitid can select
// a group (wait4 and waitid in process.cpp). Host setpgid on a child is
// ours to make (only a process or its parent may); the host agrees
// whenever the supervisor did, since the host's groups mirror its own.
LB_SYSCALL_DIRECT(setpgid) {
  int pid = static_cast<int>(c.a[0]), pgid = static_cast<int>(c.a[1]);
  Rpc r;
  r.op = proto::kSetPgid;
  r.arg[0] = pid;
  r.arg[1] = pgid;
  long res = rpc(r);
  if (res != 0) return res;
  bool self = pid == 0 || pid == static_cast<int>(g_proc.vpid);
  if (self) g_proc.vpgid = pgid == 0 ? g_proc.vpid : static_cast<uint32_t>(pgid);
  int host = self ? 0 : child_host_local(pid);
  if ((self || host > 0) && r.aux[0] > 0) sys(__NR_setpgid, host, r.aux[0]);
  return 0;
}
LB_SYSCALL_DIRECT(setsid) {
  long r = pgid_call(proto::kSetSid, 0, 0);
  if (r > 0) {
    g_proc.vsid = g_proc.vpgid = static_cast<uint32_t>(r);
    sys(__NR_setsid);
  }
  return r;
}

namespace {
void put_u32(long addr, uint32_t v) {
  if (addr) *reinterpret_cast<uint32_t*>(addr) = v;
}

// A kSetIds request, and the lookup cache of the class of credentials the
// process is in now mapped over the old one, under one hold of the channel
// lock: a fork (it takes the lock) or another thread's lookup (answered
// under it) never sees the old class's cache with the new class's tag.
// The reply also says what the capabilities are now (a uid change clears
// or raises them as Linux does; the supervisor decides), which capget
// then reports.
long set_ids_rpc(Rpc& r) {
  proto::CapsAfterSetIds caps{};
  r.cloexec = true;  // the cache's fd, if one comes
  r.payload = &caps;
  r.payload_cap = sizeof caps;
  channel_lock();
  long e = rpc_locked(r);
  lookup::credentials_changed(page::lookup_tag(), r.fd_out);
  if (e >= 0 && r.payload_len == sizeof caps)
    g_proc.cap_eff = caps.effective, g_proc.cap_prm = caps.permitted;
  channel_unlock();
  return e;
}

long set_ids(int64_t which, long a, long b, long c3) {
  Rpc r;
  r.op = proto::kSetIds;
  r.arg[0] = which;
  r.arg[1] = a;
  r.arg[2] = b;
  r.arg[3] = c3;
  long e = set_ids_rpc(r);
  if (e < 0) return e;
  // The supervisor replies with the resulting ids in aux: (ruid|euid<<32), suid|fsuid<<32.
  uint64_t x = static_cast<uint64_t>(r.aux[0]), y = static_cast<uint64_t>(r.aux[1]);
  if (which == proto::kSetResUid || which == proto::kSetFsUid) {
    g_proc.ruid = static_cast<uint32_t>(x), g_proc.euid = static_cast<uint32_t>(x >> 32);
    g_proc.suid = static_cast<uint32_t>(y), g_proc.fsuid = static_cast<uint32_t>(y >> 32);
  } else {
    g_proc.rgid = static_cast<uint32_t>(x), g_proc.egid = static_cast<uint32_t>(x >> 32);
    g_proc.sgid = static_cast<uint32_t>(y), g_proc.fsgid = static_cast<uint32_t>(y >> 32);
  }
  return e;
}
}  // namespace

namespace lb {
long set_keep_caps(long on) {
  if (on != 0 && on != 1) return -k::EINVAL;
  Rpc r;
  r.op = proto::kSetIds;
  r.arg[0] = proto::kSetKeepCaps;
  r.arg[1] = on;
  long e = set_ids_rpc(r);
  if (e == 0) g_proc.keep_caps = on != 0;
  return e;
}
}  // namespace lb

LB_SYSCALL_DIRECT(getresuid) {
  put_u32(c.a[0], g_proc.ruid), put_u32(c.a[1], g_proc.euid), put_u32(c.a[2], g_proc.suid);
  return 0;
}
LB_SYSCALL_DIRECT(getresgid) {
  put_u32(c.a[0], g_proc.rgid), put_u32(c.a[1], g_proc.egid), put_u32(c.a[2], g_proc.sgid);
  return 0;
}
namespace {
// uid_t/gid_t are 32-bit: (uid_t)-1 arrives as 0xffffffff (the upper half of
// the register is junk) and means "leave unchanged", which the supervisor
// spells -1. glibc's seteuid and posix_spawn's RESETIDS send exactly that.
long id_arg(long v) {
  uint32_t u = static_cast<uint32_t>(v);
  return u == 0xffffffffu ? -1 : static_cast<long>(u);
}
}  // namespace

LB_SYSCALL_DIRECT(setresuid) {
  return set_ids(proto::kSetResUid, id_arg(c.a[0]), id_arg(c.a[1]), id_arg(c.a[2]));
}
LB_SYSCALL_DIRECT(setresgid) {
  return set_ids(proto::kSetResGid, id_arg(c.a[0]), id_arg(c.a[1]), id_arg(c.a[2]));
}
// setuid: as root all three ids, otherwise the effective one (the
// supervisor decides with the virtual CAP_SETUID; -2 asks for setuid(2)'s rule).
LB_SYSCALL_DIRECT(setuid) {
  if (id_arg(c.a[0]) == -1) return -k::EINVAL;  // not a valid uid
  return set_ids(proto::kSetResUid, -2, id_arg(c.a[0]), -2);
}
LB_SYSCALL_DIRECT(setgid) {
  if (id_arg(c.a[0]) == -1) return -k::EINVAL;
  return set_ids(proto::kSetResGid, -2, id_arg(c.a[0]), -2);
}
LB_SYSCALL_DIRECT(setreuid) {
  return set_ids(proto::kSetResUid, id_arg(c.a[0]), id_arg(c.a[1]), -3);
}
LB_SYSCALL_DIRECT(setregid) {
  return set_ids(proto::kSetResGid, id_arg(c.a[0]), id_arg(c.a[1]), -3);
}
LB_SYSCALL_DIRECT(setfsuid) {
  long old = g_proc.fsuid;
  if (id_arg(c.a[0]) != -1) set_ids(proto::kSetFsUid, id_arg(c.a[0]), 0, 0);
  return old;
}
LB_SYSCALL_DIRECT(setfsgid) {
  long old = g_proc.fsgid;
  if (id_arg(c.a[0]) != -1) set_ids(proto::kSetFsGid, id_arg(c.a[0]), 0, 0);
  return old;
}
LB_SYSCALL_DIRECT(getgroups) {
  long n = g_proc.ngroups;
  if (c.a[0] == 0) return n;
  if (c.a[0] < n) return -k::EINVAL;
  for (long i = 0; i < n; ++i) put_u32(c.a[1] + 4 * i, g_proc.groups[i]);
  return n;
}
LB_SYSCALL_DIRECT(setgroups) {
  long n = c.a[0];
  if (n < 0 || n > 64) return -k::EINVAL;
  Rpc r;
  r.op = proto::kSetIds;
  r.arg[0] = proto::kSetGroups;
  r.str[0] = reinterpret_cast<const char*>(c.a[1]);
  r.str_len[0] = static_cast<uint32_t>(4 * n);
  long e = set_ids_rpc(r);
  if (e < 0) return e;
  g_proc.ngroups = static_cast<uint32_t>(n);
  for (long i = 0; i < n; ++i) g_proc.groups[i] = reinterpret_cast<const uint32_t*>(c.a[1])[i];
  return 0;
}

// Capabilities: virtual. Version 3 header, two 32-bit data words per set.
LB_SYSCALL_DIRECT(capget) {
  auto* hdr = reinterpret_cast<uint32_t*>(c.a[0]);
  if (!hdr) return -k::EFAULT;
  if (hdr[0] != 0x20080522 && hdr[0] != 0x20071026) {
    hdr[0] = 0x20080522;
    return c.a[1] ? -k::EINVAL : 0;
  }
  if (hdr[1] != 0 && static_cast<uint32_t>(hdr[1]) != g_proc.vpid) return -k::ESRCH;
  auto* d = reinterpret_cast<uint32_t*>(c.a[1]);
  if (!d) return 0;
  d[0] = static_cast<uint32_t>(g_proc.cap_eff), d[1] = static_cast<uint32_t>(g_proc.cap_prm),
  d[2] = static_cast<uint32_t>(g_proc.cap_inh);
  d[3] = static_cast<uint32_t>(g_proc.cap_eff >> 32),
  d[4] = static_cast<uint32_t>(g_proc.cap_prm >> 32),
  d[5] = static_cast<uint32_t>(g_proc.cap_inh >> 32);
  return 0;
}
LB_SYSCALL_DIRECT(capset) {
  auto* hdr = reinterpret_cast<uint32_t*>(c.a[0]);
  auto* d = reinterpret_cast<const uint32_t*>(c.a[1]);
  if (!hdr || !d) return -k::EFAULT;
  // Versions 2 and 3 carry two 32-bit words per set (version 1, one, is
  // not served); only the caller's own sets may change.
  if (hdr[0] != 0x20080522 && hdr[0] != 0x20071026) {
    hdr[0] = 0x20080522;
    return -k::EINVAL;
  }
  if (hdr[1] != 0 && static_cast<uint32_t>(hdr[1]) != g_proc.vpid) return -k::EPERM;
  uint64_t eff = d[0] | (uint64_t(d[3]) << 32), prm = d[1] | (uint64_t(d[4]) << 32),
           inh = d[2] | (uint64_t(d[5]) << 32);
  // Sets may only shrink (no virtual CAP_SETPCAP games yet); effective within permitted.
  if ((prm & ~g_proc.cap_prm) || (eff & ~prm)) return -k::EPERM;
  // The supervisor's permission checks use them (a root that dropped
  // CAP_DAC_OVERRIDE is refused others' files), so it is told; a move to
  // another class of credentials brings that class's lookup cache.
  // (The reply sets cap_eff and cap_prm, under the channel lock.)
  if (eff != g_proc.cap_eff || prm != g_proc.cap_prm || inh != g_proc.cap_inh) {
    Rpc r;
    r.op = proto::kSetIds;
    r.arg[0] = proto::kSetCaps;
    r.arg[1] = static_cast<long>(eff);
    r.arg[2] = static_cast<long>(prm);
    r.arg[3] = static_cast<long>(inh);
    if (long e = set_ids_rpc(r); e < 0) return e;
    g_proc.cap_inh = inh;
  }
  return 0;
}

// --- UTS -------------------------------------------------------------------
namespace {
k::utsname g_uts;
bool g_uts_valid = false;
}  // namespace

LB_SYSCALL_DIRECT(uname) {
  if (!g_uts_valid) {
    Rpc r;
    r.op = proto::kUname;
    r.payload = &g_uts;
    r.payload_cap = sizeof g_uts;
    long e = rpc(r);
    if (e < 0) return e;
    g_uts_valid = true;
  }
  memcpy(reinterpret_cast<void*>(c.a[0]), &g_uts, sizeof g_uts);
  return 0;
}

namespace {
long set_uts(long name, long len, int which) {
  if (len < 0 || len > 64) return -k::EINVAL;
  Rpc r;
  r.op = proto::kSetHostname;
  r.str[0] = reinterpret_cast<const char*>(name);
  r.str_len[0] = static_cast<uint32_t>(len);
  r.arg[0] = which;
  long e = rpc(r);
  if (e == 0) g_uts_valid = false;
  return e;
}
}  // namespace
LB_SYSCALL_DIRECT(sethostname) {
  return set_uts(c.a[0], c.a[1], 0);
}
LB_SYSCALL_DIRECT(setdomainname) {
  return set_uts(c.a[0], c.a[1], 1);
}
