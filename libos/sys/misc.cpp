// Calls answered locally or rewritten into a pass-class twin: legacy
// entry points, prctl/ioctl/arch_prctl outside their allowlists, limits,
// time, fds the libOS reserves.
#include "libos/abi/constants.h"
#include "libos/abi/proto.h"
#include "libos/app_filter.hpp"
#include "libos/channel.hpp"
#include "libos/dispatch.hpp"
#include "libos/rt/sys.hpp"

using namespace lb;

// --- legacy twins ----------------------------------------------------------
LB_SYSCALL_DIRECT(pipe) {
  return sys(__NR_pipe2, c.a[0], 0);
}
LB_SYSCALL_DIRECT(dup) {
  return sys(__NR_fcntl, c.a[0], 0 /*F_DUPFD*/, 0);
}
LB_SYSCALL_DIRECT(dup2) {
  if (c.a[0] == c.a[1]) {
    long r = sys(__NR_fcntl, c.a[0], k::F_GETFD);
    return r < 0 ? r : c.a[1];
  }
  // The kernel reads both as unsigned int; the channel's number is refused
  // as one past the soft limit would be.
  const auto newfd = static_cast<uint32_t>(c.a[1]);
  if (newfd == abi::kChannelFd) return -k::EBADF;
  return sys(__NR_dup3, static_cast<uint32_t>(c.a[0]), newfd, 0);
}
LB_SYSCALL_DIRECT(dup3) {
  // Trapped only for newfd == the channel (NEWFD_NOT_CHANNEL); Linux checks
  // the flags first.
  if (c.a[2] & ~static_cast<long>(k::O_CLOEXEC)) return -k::EINVAL;
  if (static_cast<uint32_t>(c.a[0]) == static_cast<uint32_t>(c.a[1])) return -k::EINVAL;
  return -k::EBADF;
}
LB_SYSCALL_DIRECT(epoll_create) {
  if (c.a[0] <= 0) return -k::EINVAL;
  return sys(__NR_epoll_create1, 0);
}
LB_SYSCALL_DIRECT(eventfd) {
  return sys(__NR_eventfd2, c.a[0], 0);
}
LB_SYSCALL_DIRECT(inotify_init) {
  return sys(__NR_inotify_init1, 0);
}
LB_SYSCALL_DIRECT(signalfd) {
  return sys(__NR_signalfd4, c.a[0], c.a[1], c.a[2], 0);
}
namespace {
// RLIMIT_NOFILE's hard limit is virtual: the host's also covers the
// channel (abi::kChannelFd), which a fork child must be able to dup onto
// (process.cpp), when the application's own hard limit is at or below it.
// The soft limit is the host's.
constexpr long kNofile = 7;

long nofile(const uint64_t* next, uint64_t* old) {
  uint64_t cur[2];
  long r = sys(__NR_prlimit64, 0, kNofile, 0, reinterpret_cast<long>(cur));
  if (r < 0) return r;
  if (old) old[0] = cur[0], old[1] = g_proc.nofile_hard;
  if (!next) return 0;
  uint64_t soft = next[0], hard = next[1];
  if (soft > hard) return -k::EINVAL;
  if (hard > g_proc.nofile_hard) return -k::EPERM;  // raising the hard limit needs privilege
  uint64_t set[2] = {soft, cur[1]};
  r = sys(__NR_prlimit64, 0, kNofile, reinterpret_cast<long>(set), 0);
  if (r == 0) g_proc.nofile_hard = hard;
  if (r == 0 && soft > g_proc.nofile_soft_max) g_proc.nofile_soft_max = soft;
  return r;
}

long rlimit(long resource, const uint64_t* next, uint64_t* old) {
  if (resource == kNofile) return nofile(next, old);
  return sys(__NR_prlimit64, 0, resource, reinterpret_cast<long>(next),
             reinterpret_cast<long>(old));
}
}  // namespace

LB_SYSCALL_DIRECT(getrlimit) {
  return rlimit(c.a[0], nullptr, reinterpret_cast<uint64_t*>(c.a[1]));
}
LB_SYSCALL_DIRECT(setrlimit) {
  return rlimit(c.a[0], reinterpret_cast<const uint64_t*>(c.a[1]), nullptr);
}
LB_SYSCALL_DIRECT(prlimit64) {
  if (c.a[0] != 0 && c.a[0] != g_proc.vpid) return -k::EPERM;  // other processes: later
  return rlimit(c.a[1], reinterpret_cast<const uint64_t*>(c.a[2]),
                reinterpret_cast<uint64_t*>(c.a[3]));
}
LB_SYSCALL_DIRECT(select) {
  struct Tv {
    long sec, usec;
  };
  auto* tv = reinterpret_cast<Tv*>(c.a[4]);
  k::timespec ts, *tsp = nullptr;
  if (tv) {
    ts = {tv->sec, tv->usec * 1000};
    tsp = &ts;
  }
  long r = sys(__NR_pselect6, c.a[0], c.a[1], c.a[2], c.a[3], reinterpret_cast<long>(tsp), 0);
  if (tv) *tv = {ts.sec, ts.nsec / 1000};
  return r;
}
LB_SYSCALL_DIRECT(time) {
  k::timespec ts;
  sys(__NR_clock_gettime, 0, reinterpret_cast<long>(&ts));
  if (c.a[0]) *reinterpret_cast<long*>(c.a[0]) = ts.sec;
  return ts.sec;
}
LB_SYSCALL_DIRECT(gettimeofday) {
  k::timespec ts;
  sys(__NR_clock_gettime, 0, reinterpret_cast<long>(&ts));
  if (c.a[0]) {
    auto* tv = reinterpret_cast<long*>(c.a[0]);
    tv[0] = ts.sec;
    tv[1] = ts.nsec / 1000;
  }
  if (c.a[1]) memset(reinterpret_cast<void*>(c.a[1]), 0, 8);
  return 0;
}
LB_SYSCALL_DIRECT(clock_getres) {
  if (c.a[1]) {
    auto* ts = reinterpret_cast<k::timespec*>(c.a[1]);
    bool coarse = c.a[0] == 5 || c.a[0] == 6;  // REALTIME_COARSE, MONOTONIC_COARSE
    *ts = {0, coarse ? 4000000 : 1};
  }
  return 0;
}
LB_SYSCALL_DIRECT(sched_get_priority_max) {
  return (c.a[0] == 1 || c.a[0] == 2) ? 99 : 0;
}
LB_SYSCALL_DIRECT(sched_get_priority_min) {
  return (c.a[0] == 1 || c.a[0] == 2) ? 1 : 0;
}
LB_SYSCALL_DIRECT(sched_getaffinity) {
  if (c.a[0] != 0 && c.a[0] != g_proc.vpid) return -k::ESRCH;
  return sys(__NR_sched_getaffinity, 0, c.a[1], c.a[2]);
}
LB_SYSCALL_DIRECT(sched_setaffinity) {
  if (c.a[0] != 0 && c.a[0] != g_proc.vpid) return -k::ESRCH;
  return sys(__NR_sched_setaffinity, 0, c.a[1], c.a[2]);
}
namespace {
// Priorities name processes, groups or users: only this process (who = 0
// or its own vpid, PRIO_PROCESS) is answered; nothing outside the sandbox
// is reachable, and the host nice value is not changed (no supervisor
// support yet).
bool priority_target_is_self(SyscallCtx& c) {
  int which = static_cast<int>(c.a[0]), who = static_cast<int>(c.a[1]);
  return which == 0 /*PRIO_PROCESS*/ && (who == 0 || who == static_cast<int>(g_proc.vpid));
}
}  // namespace
LB_SYSCALL_DIRECT(getpriority) {
  if (!priority_target_is_self(c)) return -k::ESRCH;
  return 20;  // nice 0, in the kernel's 40-nice encoding
}
LB_SYSCALL_DIRECT(setpriority) {
  if (!priority_target_is_self(c)) return -k::ESRCH;
  return 0;
}
LB_SYSCALL_DIRECT(sched_getscheduler) {
  return 0;
}
LB_SYSCALL_DIRECT(sched_getparam) {
  if (c.a[1]) *reinterpret_cast<int*>(c.a[1]) = 0;
  return 0;
}
LB_SYSCALL_DIRECT(sched_setscheduler) {
  return c.a[1] == 0 ? 0 : -k::EPERM;
}
LB_SYSCALL_DIRECT(personality) {
  // Query (0xffffffff) and PER_LINUX (0) are all the libOS offers.
  if (c.a[0] == 0xffffffff || c.a[0] == 0) return 0;
  return -k::EINVAL;
}
LB_SYSCALL_DIRECT(sync) {
  return 0;
}
LB_SYSCALL_DIRECT(readahead) {
  return sys(__NR_fadvise64, c.a[0], c.a[1], c.a[2], 3 /*WILLNEED*/);
}
LB_SYSCALL_DIRECT(mlock) {
  return sys(__NR_mlock2, c.a[0], c.a[1], 0);
}
LB_SYSCALL_DIRECT(sysinfo) {
  // Sandbox-sized figures; uptime from the monotonic clock.
  struct Info {
    long uptime;
    unsigned long loads[3];
    unsigned long totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    unsigned short procs, pad;
    unsigned long totalhigh, freehigh;
    unsigned int mem_unit;
    char f[4];
  };
  auto* i = reinterpret_cast<Info*>(c.a[0]);
  memset(i, 0, sizeof *i);
  k::timespec ts;
  sys(__NR_clock_gettime, 7 /*BOOTTIME*/, reinterpret_cast<long>(&ts));
  i->uptime = ts.sec;
  i->totalram = 4ul << 30;
  i->freeram = 2ul << 30;
  i->procs = 1;
  i->mem_unit = 1;
  return 0;
}
LB_SYSCALL_DIRECT(times) {
  struct Ru {
    long utime[2], stime[2];
    long rest[14];
  } self, kids;
  sys(__NR_getrusage, 0, reinterpret_cast<long>(&self));
  sys(__NR_getrusage, -1, reinterpret_cast<long>(&kids));
  auto ticks = [](const long tv[2]) { return tv[0] * 100 + tv[1] / 10000; };
  if (c.a[0]) {
    long* t = reinterpret_cast<long*>(c.a[0]);
    t[0] = ticks(self.utime), t[1] = ticks(self.stime);
    t[2] = ticks(kids.utime), t[3] = ticks(kids.stime);
  }
  k::timespec ts;
  sys(__NR_clock_gettime, 1, reinterpret_cast<long>(&ts));
  return ts.sec * 100 + ts.nsec / 10000000;
}

// --- fds the libOS keeps -----------------------------------------------------
LB_SYSCALL_DIRECT(close) {
  // Trapped only for the channel's number (FD_NOT_CHANNEL, low 32 bits):
  // to the application it is a number with no file behind it.
  if (static_cast<uint32_t>(c.a[0]) == abi::kChannelFd) return -k::EBADF;
  return sys(__NR_close, static_cast<uint32_t>(c.a[0]));
}
LB_SYSCALL_DIRECT(close_range) {
  // Trapped only for a range that covers the channel: closed in two parts
  // around it (each of which the filter passes). With CLOSE_RANGE_UNSHARE
  // the first part unshares and the second works on the private table.
  const auto first = static_cast<uint32_t>(c.a[0]), last = static_cast<uint32_t>(c.a[1]);
  const auto flags = static_cast<uint32_t>(c.a[2]);
  if (first > last) return -k::EINVAL;
  long r = 0;
  if (first < static_cast<uint32_t>(abi::kChannelFd))
    r = sys(__NR_close_range, first, abi::kChannelFd - 1, flags);
  if (r == 0 && last > static_cast<uint32_t>(abi::kChannelFd))
    r = sys(__NR_close_range, abi::kChannelFd + 1, last, flags);
  return r;
}

// --- prctl / arch_prctl / ioctl outside their allowlists -----------------------
LB_SYSCALL_DIRECT(prctl) {
  switch (c.a[0]) {
    case 3:
      return 1;  // PR_GET_DUMPABLE (virtual; the host stays dumpable)
    case 4:
      return (c.a[1] == 0 || c.a[1] == 1) ? 0 : -k::EINVAL;  // PR_SET_DUMPABLE
    case 8:
      return set_keep_caps(c.a[1]);  // PR_SET_KEEPCAPS
    case 7:
      return g_proc.keep_caps ? 1 : 0;  // PR_GET_KEEPCAPS
    case 21:  // PR_GET_SECCOMP: the app's own mode (the partition is not its)
      return app_filter::active() ? 2 : 0;
    case 22:  // PR_SET_SECCOMP
      if (c.a[1] == 2) return app_filter::install(0, reinterpret_cast<const void*>(c.a[2]));
      return -k::EINVAL;
    case 23:  // PR_CAPBSET_READ
      if (c.a[1] < 0 || c.a[1] > 63) return -k::EINVAL;
      return (g_proc.cap_bnd >> c.a[1]) & 1;
    case 24:
      return 0;  // PR_CAPBSET_DROP (virtual)
    case 27:
      return 0;                                                // PR_GET_SECUREBITS
    case 47:                                                   // PR_CAP_AMBIENT
      if (c.a[1] == 1) return (g_proc.cap_amb >> c.a[2]) & 1;  // IS_SET
      return 0;
    default:
      return -k::EINVAL;
  }
}
LB_SYSCALL_DIRECT(arch_prctl) {
  switch (c.a[0]) {
    case 0x1001:
    case 0x1004:
      return -k::EPERM;  // ARCH_SET_GS / ARCH_GET_GS
    default:
      return -k::EINVAL;
  }
}
LB_SYSCALL_DIRECT(ioctl) {
  unsigned long req = static_cast<unsigned long>(c.a[1]) & 0xffffffff;
  switch (req) {
    case 0x540F:  // TIOCGPGRP: the foreground group is ours until job control lands
    case 0x5410:  // TIOCSPGRP
    case 0x5429:  // TIOCGSID
    {
      // Only a terminal has these (ENOTTY for a pipe or a file, as on Linux).
      char termios[64];
      long r = sys(__NR_ioctl, c.a[0], 0x5401 /*TCGETS*/, reinterpret_cast<long>(termios));
      if (r < 0) return r;
      break;
    }
    default:
      return -k::ENOTTY;
  }
  if (req == 0x5410) return 0;
  *reinterpret_cast<int*>(c.a[2]) = static_cast<int>(req == 0x540F ? g_proc.vpgid : g_proc.vsid);
  return 0;
}

// --- sockets ---------------------------------------------------------------------
// AF_UNIX addresses are host paths: the supervisor will broker them. Until
// it does, an AF_UNIX socket is one end of a native pair (so the fd exists
// and has the right type) that no address can reach.
LB_SYSCALL_DIRECT(socket) {
  long family = c.a[0], type = c.a[1];
  if (family == k::AF_UNIX) {
    long base = type & 0xf;
    long flags = type & ~0xfl;
    if (base == k::SOCK_DGRAM) base = k::SOCK_SEQPACKET;
    if (base != k::SOCK_STREAM && base != k::SOCK_SEQPACKET) return -k::EINVAL;
    int sv[2];
    long r = sys(__NR_socketpair, k::AF_UNIX, base | flags, 0, reinterpret_cast<long>(sv));
    if (r < 0) return r;
    sys(__NR_close, sv[1]);
    return sv[0];
  }
  // With a network the filter passes list S's types and protocols and
  // refuses raw and packet sockets itself; what traps is another type or
  // protocol (without a network every AF_INET/AF_INET6 call is EACCES in
  // the filter). Go falls back from MPTCP to TCP on this errno.
  if (family == 2 || family == 10) return -k::EPROTONOSUPPORT;
  return -k::EAFNOSUPPORT;
}
namespace {
void remember_unix(int fd, bool bound, const char* sun_path, size_t n);
}  // namespace

namespace {
// connect/bind go to the supervisor (the address is behind a pointer BPF
// cannot read). A unix-socket answer is a new socket that replaces the
// application's placeholder under the same fd number and flags.
long socket_op(SyscallCtx& c, uint32_t op) {
  int fd = static_cast<int>(c.a[0]);
  long len = static_cast<int>(c.a[2]);
  if (!abi::IsAppFd(fd)) return -k::EBADF;
  if (!c.a[1]) return -k::EFAULT;
  if (len < 2 || len > 128) return -k::EINVAL;
  long fdflags = sys(__NR_fcntl, fd, k::F_GETFD);
  if (fdflags < 0) return fdflags;
  long flflags = sys(__NR_fcntl, fd, k::F_GETFL);
  Rpc r;
  r.op = op;
  r.fds[0] = fd;
  r.nfds = 1;
  r.str[0] = reinterpret_cast<const char*>(c.a[1]);
  r.str_len[0] = static_cast<uint32_t>(len);
  r.cloexec = true;
  long res = rpc(r);
  if (r.fd_out >= 0) {
    long d = sys(__NR_dup3, r.fd_out, fd,
                 (fdflags & k::FD_CLOEXEC) ? static_cast<long>(k::O_CLOEXEC) : 0L);
    sys(__NR_close, r.fd_out);
    if (d < 0) return d;
    if (flflags & k::O_NONBLOCK) sys(__NR_fcntl, fd, 4 /*F_SETFL*/, flflags);
    const char* a = reinterpret_cast<const char*>(c.a[1]);
    remember_unix(fd, op == proto::kSockBind, a + 2, static_cast<size_t>(len - 2));
    return res;
  }
  if (res == -115 /*EINPROGRESS*/ && op == proto::kSockConnect && !(flflags & k::O_NONBLOCK)) {
    // A blocking connect: wait here, interruptible by the app's signals.
    long w = poll_with_app_mask(c, fd, 4 /*POLLOUT*/, -1);
    if (w < 0) return w;
    int err = 0;
    unsigned int elen = sizeof err;
    sys(__NR_getsockopt, fd, k::SOL_SOCKET, 4 /*SO_ERROR*/, reinterpret_cast<long>(&err),
        reinterpret_cast<long>(&elen));
    return -err;
  }
  return res;
}
}  // namespace

LB_SYSCALL_DIRECT(connect) {
  return socket_op(c, proto::kSockConnect);
}
LB_SYSCALL_DIRECT(bind) {
  return socket_op(c, proto::kSockBind);
}
namespace {
// Unix socket names: the supervisor binds by last name only (no host path
// reaches the kernel's record), so full virtual paths are kept here, per
// socket (fd + inode), for getsockname/getpeername.
struct UnixName {
  int fd;
  uint64_t ino;
  bool bound;
  char path[108];
};
constexpr int kMaxUnixNames = 64;
UnixName g_unix[kMaxUnixNames];
LB_HOT int g_nunix = 0;
LB_HOT Lock g_unix_lock;

uint64_t inode_of(int fd) {
  k::stat st;
  return sys(__NR_fstat, fd, reinterpret_cast<long>(&st)) == 0 ? st.ino : 0;
}

void remember_unix(int fd, bool bound, const char* sun_path, size_t n) {
  if (n == 0 || sun_path[0] == 0 || n >= 108) return;
  Guard g(g_unix_lock);
  UnixName* e = nullptr;
  for (int i = 0; i < g_nunix; ++i)
    if (g_unix[i].fd == fd) e = &g_unix[i];
  if (!e) e = g_nunix < kMaxUnixNames ? &g_unix[g_nunix++] : &g_unix[fd % kMaxUnixNames];
  e->fd = fd;
  e->ino = inode_of(fd);
  e->bound = bound;
  char tmp[108];
  size_t len = 0;
  if (sun_path[0] != '/') {  // relative to the cwd, as the supervisor resolved it
    Buf b(tmp, sizeof tmp);
    b.put(g_proc.cwd ? g_proc.cwd : "/");
    if (b.size() && tmp[b.size() - 1] != '/') b.putc('/');
    b.put(sun_path, strlen(sun_path) < n ? strlen(sun_path) : n);
    len = b.size();
  } else {
    len = strlen(sun_path) < n ? strlen(sun_path) : n;
    memcpy(tmp, sun_path, len);
  }
  memcpy(e->path, tmp, len);
  e->path[len] = 0;
}

// Rewrites a unix address the kernel returned (last name only) to the
// path the application used.
void fix_unix_name(int fd, bool peer, long addr, long lenp) {
  if (!addr || !lenp) return;
  auto* a = reinterpret_cast<char*>(addr);
  unsigned len = *reinterpret_cast<unsigned*>(lenp);
  if (len < 3 || *reinterpret_cast<uint16_t*>(a) != k::AF_UNIX || a[2] == 0) return;
  uint64_t ino = inode_of(fd);
  Guard g(g_unix_lock);
  const char* name = a + 2;
  for (int i = 0; i < g_nunix; ++i) {
    UnixName& e = g_unix[i];
    bool match = e.fd == fd && e.ino == ino && e.bound != peer;
    if (!match && !peer && e.bound) {
      // An accepted socket carries its listener's name.
      const char* slash = e.path;
      for (const char* q = e.path; *q; ++q)
        if (*q == '/') slash = q + 1;
      match = streq(slash, name);
    }
    if (!match) continue;
    size_t n = strlen(e.path);
    memcpy(a + 2, e.path, n + 1);
    *reinterpret_cast<unsigned*>(lenp) = static_cast<unsigned>(2 + n + 1);
    return;
  }
}
}  // namespace

LB_SYSCALL_DIRECT(getsockname) {
  long r = sys(__NR_getsockname, c.a[0], c.a[1], c.a[2]);
  if (r == 0) fix_unix_name(static_cast<int>(c.a[0]), false, c.a[1], c.a[2]);
  return r;
}
LB_SYSCALL_DIRECT(getpeername) {
  long r = sys(__NR_getpeername, c.a[0], c.a[1], c.a[2]);
  if (r == 0) fix_unix_name(static_cast<int>(c.a[0]), true, c.a[1], c.a[2]);
  return r;
}
LB_SYSCALL_DIRECT(socketpair) {
  // DGRAM pairs become SEQPACKET pairs (a datagram unix socket could be
  // re-aimed at any host path).
  long type = c.a[1];
  if (c.a[0] != k::AF_UNIX) return -k::EAFNOSUPPORT;
  if ((type & 0xf) == k::SOCK_DGRAM) type = (type & ~0xfl) | k::SOCK_SEQPACKET;
  return sys(__NR_socketpair, k::AF_UNIX, type, c.a[2], c.a[3]);
}

// --- seccomp and rseq ----------------------------------------------------------
// Application filters stack on the partition (libos/app_filter.hpp).
LB_SYSCALL_DIRECT(seccomp) {
  switch (c.a[0]) {
    case 0:  // SECCOMP_SET_MODE_STRICT: read/write/exit only would starve the libOS
      return -k::EINVAL;
    case 1:  // SECCOMP_SET_MODE_FILTER
      return app_filter::install(static_cast<unsigned long>(c.a[1]),
                                 reinterpret_cast<const void*>(c.a[2]));
    case 2: {  // SECCOMP_GET_ACTION_AVAIL
      if (c.a[1] != 0 || !c.a[2]) return -k::EINVAL;
      uint32_t action = *reinterpret_cast<const uint32_t*>(c.a[2]);
      switch (action) {
        case 0x80000000u:  // KILL_PROCESS
        case 0x00000000u:  // KILL_THREAD
        case 0x00030000u:  // TRAP
        case 0x00050000u:  // ERRNO
        case 0x7ffc0000u:  // LOG
        case 0x7fff0000u:  // ALLOW
          return 0;
        default:  // TRACE, USER_NOTIF: no tracer, no listener here
          return -k::EOPNOTSUPP;
      }
    }
    default:
      return -k::EINVAL;
  }
}
LB_SYSCALL_DIRECT(rseq) {
  // glibc registers rseq at start; a registration surviving the in-process
  // execve would let the kernel write into the next image, so refuse it
  // (glibc then runs without rseq).
  return -k::ENOSYS;
}
LB_SYSCALL_DIRECT(getcpu) {
  // Advisory: one CPU, one node (no host topology leaks).
  if (c.a[0]) *reinterpret_cast<unsigned*>(c.a[0]) = 0;
  if (c.a[1]) *reinterpret_cast<unsigned*>(c.a[1]) = 0;
  return 0;
}

// --- pass rows whose argument check failed ----------------------------------
// The filter traps these only when the arguments fall outside the checked
// subset; the answers are the kernel's for such arguments or the
// partition's refusals.
LB_SYSCALL_DIRECT(pipe2) {
  return -k::EINVAL;
}  // O_NOTIFICATION_PIPE or unknown flags
LB_SYSCALL_DIRECT(clock_gettime) {
  return -k::EINVAL;
}  // another process's CPU clock, fd clocks
LB_SYSCALL_DIRECT(clock_nanosleep) {
  return -k::EINVAL;
}
LB_SYSCALL_DIRECT(futex) {
  return -k::ENOSYS;
}  // PI and other refused ops

namespace {
struct Flock {
  short type, whence;
  long start, len;
  int pid;
};
int vpid_for_host(int host) {
  if (host == g_proc.host_pid) return static_cast<int>(g_proc.vpid);
  Rpc r;
  r.op = proto::kHostToVpid;
  r.arg[0] = host;
  long v = rpc(r);
  return v > 0 ? static_cast<int>(v) : 0;
}
}  // namespace

LB_SYSCALL_DIRECT(fcntl) {
  int fd = static_cast<int>(c.a[0]);
  int cmd = static_cast<int>(c.a[1]);
  switch (cmd) {
    case 5: {  // F_GETLK: the lock owner's pid is a host pid
      long r = sys(__NR_fcntl, fd, cmd, c.a[2]);
      auto* fl = reinterpret_cast<Flock*>(c.a[2]);
      if (r == 0 && fl->type != 2 /*F_UNLCK*/ && fl->pid > 0) fl->pid = vpid_for_host(fl->pid);
      return r;
    }
    case 9: {  // F_GETOWN
      long r = sys(__NR_fcntl, fd, cmd, 0);
      if (r > 0) return vpid_for_host(static_cast<int>(r));
      return r;
    }
    case 16: {  // F_GETOWN_EX (glibc's F_GETOWN uses it): a process owner's host pid
      long r = sys(__NR_fcntl, fd, cmd, c.a[2]);
      auto* ex = reinterpret_cast<int*>(c.a[2]);
      if (r == 0 && ex[0] != 2 /*F_OWNER_PGRP*/ && ex[1] > 0) ex[1] = vpid_for_host(ex[1]);
      return r;
    }
    case 8:     // F_SETOWN
    case 15: {  // F_SETOWN_EX {type, pid}: F_OWNER_PID (1) only
      int v = static_cast<int>(c.a[2]);
      if (cmd == 15) {
        const auto* ex = reinterpret_cast<const int*>(c.a[2]);
        if (!ex) return -k::EFAULT;
        if (ex[0] != 1) return -k::EINVAL;  // thread and group owners: not yet
        v = ex[1];
      }
      // The owner lives on the open file, so the supervisor sets it on the
      // fd we pass: the host pid of a process it checked is ours.
      return rpc_on_fd(proto::kSetOwner, fd, v);
    }
    case 1024:
    case 1025:
    case 1026:  // leases, F_NOTIFY
      return -k::EINVAL;
    default:
      return -k::EINVAL;
  }
}

// Peer credentials are host ids: translated to the sandbox's view.
LB_SYSCALL_DIRECT(getsockopt) {
  int fd = static_cast<int>(c.a[0]);
  int level = static_cast<int>(c.a[1]), opt = static_cast<int>(c.a[2]);
  if (level != k::SOL_SOCKET) return -k::ENOPROTOOPT;
  if (opt == 17 /*SO_PEERCRED*/) {
    struct Ucred {
      int pid;
      unsigned uid, gid;
    } u{};
    unsigned len = sizeof u;
    long r = sys(__NR_getsockopt, fd, level, opt, reinterpret_cast<long>(&u),
                 reinterpret_cast<long>(&len));
    if (r < 0) return r;
    // Peers are processes of this sandbox (or its supervisor, for brokered
    // sockets): report the vpid and this sandbox's identity.
    u.pid = u.pid > 0 ? vpid_for_host(u.pid) : 0;
    u.uid = g_proc.euid;
    u.gid = g_proc.egid;
    auto* lenp = reinterpret_cast<unsigned*>(c.a[4]);
    unsigned n = *lenp < sizeof u ? *lenp : sizeof u;
    memcpy(reinterpret_cast<void*>(c.a[3]), &u, n);
    *lenp = n;
    return 0;
  }
  if (opt == 59 /*SO_PEERGROUPS*/) {
    auto* lenp = reinterpret_cast<unsigned*>(c.a[4]);
    unsigned need = 4 * g_proc.ngroups;
    if (*lenp < need) {
      *lenp = need;
      return -k::ERANGE;
    }
    memcpy(reinterpret_cast<void*>(c.a[3]), g_proc.groups, need);
    *lenp = need;
    return 0;
  }
  return -k::EINVAL;  // SO_PEERPIDFD: no host pidfds
}
