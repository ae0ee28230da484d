// Path and file-metadata syscalls: all answered by the host-file proxy in
// the supervisor (the application never names a host path).
#include "libos/abi/constants.h"
#include "libos/abi/proto.h"
#include "libos/channel.hpp"
#include "libos/dispatch.hpp"
#include "libos/path.hpp"
#include "libos/rt/sys.hpp"

using namespace lb;

namespace {

constexpr unsigned long kScratch = proto::kMaxPath + 512;

const char* cstr(long p) {
  return reinterpret_cast<const char*>(p);
}

// One proxy request naming a path (and optionally a second one).
struct PathReq {
  Rpc r;
  char s0[kScratch];
  char s1[kScratch];
  explicit PathReq(uint32_t op) { r.op = op; }
  long path(int slot, long dirfd, long p) {
    return set_path(r, slot, dirfd, cstr(p), slot ? s1 : s0, kScratch);
  }
  long call() { return rpc(r); }
};

long simple_path_op(uint32_t op, long dirfd, long path, long a0 = 0, long a1 = 0, long a2 = 0) {
  PathReq q(op);
  long e = q.path(0, dirfd, path);
  if (e < 0) return e;
  q.r.arg[0] = a0;
  q.r.arg[1] = a1;
  q.r.arg[2] = a2;
  return q.call();
}

bool empty_path(long p) {
  return p == 0 || cstr(p)[0] == 0;
}

long stat_path(long dirfd_arg, long path, long buf, long flags) {
  const long dirfd = static_cast<int>(dirfd_arg);
  if ((flags & k::AT_EMPTY_PATH) && empty_path(path)) {
    if (dirfd == k::AT_FDCWD) return stat_path(dirfd, reinterpret_cast<long>("."), buf, 0);
    return sys(__NR_fstat, dirfd, buf);
  }
  PathReq q(proto::kStat);
  long e = q.path(0, dirfd, path);
  if (e < 0) return e;
  q.r.arg[0] = flags & k::AT_SYMLINK_NOFOLLOW;
  q.r.payload = reinterpret_cast<void*>(buf);
  q.r.payload_cap = sizeof(k::stat);
  e = q.call();
  if (e < 0) return e;
  return q.r.payload_len == sizeof(k::stat) ? 0 : -k::EIO;
}

// readlink("/proc/self/exe") is in every static glibc program's start-up;
// the answer is our own exe, known since the supervisor's kExecDone reply.
bool names_own_exe(const char* p) {
  if (streq(p, "/proc/self/exe")) return true;
  if (!starts_with(p, "/proc/")) return false;
  uint64_t v = 0;
  const char* q = p + 6;
  if (*q < '1' || *q > '9') return false;
  while (*q >= '0' && *q <= '9') v = v * 10 + static_cast<uint64_t>(*q++ - '0');
  return v == g_proc.vpid && streq(q, "/exe");
}

long do_readlink(long dirfd, long path, long buf, long size) {
  if (size <= 0) return -k::EINVAL;
  if (path && g_proc.exe_canon && names_own_exe(cstr(path))) {
    size_t len = strlen(g_proc.exe_canon);
    size_t n = len < static_cast<size_t>(size) ? len : static_cast<size_t>(size);
    memcpy(reinterpret_cast<void*>(buf), g_proc.exe_canon, n);
    return static_cast<long>(n);
  }
  if (path && streq(cstr(path), "/proc/thread-self")) {  // see set_path
    char tmp[64];
    Buf b(tmp, sizeof tmp);
    put_thread_self(b);
    size_t n = b.size() < static_cast<size_t>(size) ? b.size() : static_cast<size_t>(size);
    memcpy(reinterpret_cast<void*>(buf), tmp, n);
    return static_cast<long>(n);
  }
  PathReq q(proto::kReadlink);
  long e = q.path(0, dirfd, path);
  if (e < 0) return e;
  char tmp[proto::kMaxPath];
  q.r.payload = tmp;
  q.r.payload_cap = sizeof tmp;
  e = q.call();
  if (e < 0) return e;
  size_t n = q.r.payload_len < static_cast<size_t>(size) ? q.r.payload_len : size;
  memcpy(reinterpret_cast<void*>(buf), tmp, n);
  return static_cast<long>(n);
}

long do_utimens(long dirfd_arg, long path, const k::timespec* ts, long flags) {
  const long dirfd = static_cast<int>(dirfd_arg);
  PathReq q(proto::kUtimens);
  if (path == 0) {  // futimens(fd, times)
    if (!abi::IsAppFd(dirfd)) return -k::EBADF;
    q.r.fds[0] = static_cast<int>(dirfd);
    q.r.nfds = 1;
    q.r.dirfd_slot[0] = 0;
  } else {
    long e = q.path(0, dirfd, path);
    if (e < 0) return e;
  }
  constexpr long kNow = (1l << 30) - 1;
  q.r.arg[0] = flags & k::AT_SYMLINK_NOFOLLOW;
  q.r.arg[1] = ts ? ts[0].sec : 0;
  q.r.arg[2] = ts ? ts[0].nsec : kNow;
  q.r.arg[3] = ts ? ts[1].sec : 0;
  q.r.arg[4] = ts ? ts[1].nsec : kNow;
  return q.call();
}

struct timeval {
  long sec, usec;
};

long utimes_from_timeval(long dirfd, long path, long tv) {
  if (!tv) return do_utimens(dirfd, path, nullptr, 0);
  auto* t = reinterpret_cast<const timeval*>(tv);
  k::timespec ts[2] = {{t[0].sec, t[0].usec * 1000}, {t[1].sec, t[1].usec * 1000}};
  return do_utimens(dirfd, path, ts, 0);
}

long do_chdir(const char* path_str, long dirfd) {
  PathReq q(proto::kChdir);
  long e = set_path(q.r, 0, dirfd, path_str, q.s0, kScratch);
  if (e < 0) return e;
  char canon[proto::kMaxPath];
  q.r.payload = canon;
  q.r.payload_cap = sizeof canon - 1;
  e = q.call();
  if (e < 0) return e;
  canon[q.r.payload_len] = 0;
  char* old = g_proc.cwd;
  g_proc.cwd = strdup(canon);
  free(old);
  return 0;
}

void stat_to_statx(const k::stat& s, k::statx* x) {
  memset(x, 0, sizeof *x);
  x->mask = 0x7ff;  // STATX_BASIC_STATS
  x->blksize = static_cast<uint32_t>(s.blksize);
  x->nlink = static_cast<uint32_t>(s.nlink);
  x->uid = s.uid;
  x->gid = s.gid;
  x->mode = static_cast<uint16_t>(s.mode);
  x->ino = s.ino;
  x->size = static_cast<uint64_t>(s.size);
  x->blocks = static_cast<uint64_t>(s.blocks);
  x->atime = {static_cast<int64_t>(s.atime), static_cast<uint32_t>(s.atime_ns), 0};
  x->mtime = {static_cast<int64_t>(s.mtime), static_cast<uint32_t>(s.mtime_ns), 0};
  x->ctime = {static_cast<int64_t>(s.ctime), static_cast<uint32_t>(s.ctime_ns), 0};
  // Linux's new_encode_dev split.
  x->rdev_major = static_cast<uint32_t>((s.rdev >> 8) & 0xfff) |
                  static_cast<uint32_t>((s.rdev >> 32) & ~0xfffu);
  x->rdev_minor = static_cast<uint32_t>((s.rdev & 0xff) | ((s.rdev >> 12) & ~0xffu));
  x->dev_major =
      static_cast<uint32_t>((s.dev >> 8) & 0xfff) | static_cast<uint32_t>((s.dev >> 32) & ~0xfffu);
  x->dev_minor = static_cast<uint32_t>((s.dev & 0xff) | ((s.dev >> 12) & ~0xffu));
}

}  // namespace

// --- open ----------------------------------------------------------------
namespace {
constexpr short kPollIn = 1;

constexpr long kFirstBackoffNs = 200'000, kMaxBackoffNs = 10'000'000;

// Whether the FIFO read end `fd` has a writer (or data): tee(2) of one
// byte into a scratch pipe, non-blocking, consumes nothing and answers 0
// for "no writer, no data", EAGAIN for "a writer, no data yet".
bool fifo_has_writer(int fd, int scratch_w) {
  long t = sys(__NR_tee, fd, scratch_w, 1, 2 /*SPLICE_F_NONBLOCK*/);
  return t != 0;
}

// A reader's blocking open: until a writer is there (Linux returns as the
// writer opens, so that two processes may open two FIFOs in opposite
// orders). Data or a writer that came and went (POLLHUP) wake the wait at
// once; a writer that opened and wrote nothing is seen at the next probe.
long wait_for_writer(SyscallCtx& c, int fd) {
  int scratch[2];
  long e = sys(__NR_pipe2, reinterpret_cast<long>(scratch), k::O_CLOEXEC | k::O_NONBLOCK);
  if (e < 0) return poll_with_app_mask(c, fd, kPollIn, -1);  // no pipe: wait for data instead
  long backoff_ns = kFirstBackoffNs, r = 0;
  while (!fifo_has_writer(fd, scratch[1])) {
    r = poll_with_app_mask(c, fd, kPollIn, backoff_ns);
    if (r != 0) break;  // readable, hung up (a writer came and went), or a signal
    if (backoff_ns < kMaxBackoffNs) backoff_ns *= 2;
  }
  sys(__NR_close, scratch[0]);
  sys(__NR_close, scratch[1]);
  return r < 0 ? r : 0;
}

// open(2) with a FIFO's blocking rules, which the proxy leaves to us (it
// never waits for the other end; proto::kFdFifo). A reader waits for a
// writer; a writer asks again, backing off to 10 ms, until a reader is
// there. A signal ends either wait with EINTR (Linux restarts the open
// after an SA_RESTART handler; we do not).
long open_path(SyscallCtx& c, long dirfd, const char* path, long flags, long mode) {
  const bool blocking = !(flags & k::O_NONBLOCK);
  const long acc = flags & k::O_ACCMODE;
  long backoff_ns = kFirstBackoffNs;
  for (;;) {
    int64_t kind = 0;
    long fd = proxy_open(dirfd, path, flags, mode, 0, &kind);
    if (!blocking || kind != proto::kFdFifo) return fd;
    if (fd >= 0) {
      if (acc != k::O_RDONLY) return fd;
      long w = wait_for_writer(c, static_cast<int>(fd));
      if (w < 0) {
        sys(__NR_close, fd);
        return w;
      }
      return fd;
    }
    if (fd != -k::ENXIO || acc != k::O_WRONLY) return fd;
    long w = poll_with_app_mask(c, -1, 0, backoff_ns);
    if (w < 0) return w;
    if (backoff_ns < kMaxBackoffNs) backoff_ns *= 2;
  }
}
}  // namespace

LB_SYSCALL_DIRECT(open) {
  return open_path(c, k::AT_FDCWD, cstr(c.a[0]), c.a[1], c.a[2]);
}
LB_SYSCALL_DIRECT(openat) {
  return open_path(c, c.a[0], cstr(c.a[1]), c.a[2], c.a[3]);
}
LB_SYSCALL_DIRECT(creat) {
  return open_path(c, k::AT_FDCWD, cstr(c.a[0]), k::O_CREAT | k::O_WRONLY | k::O_TRUNC, c.a[1]);
}

// --- stat ----------------------------------------------------------------
LB_SYSCALL_DIRECT(stat) {
  return stat_path(k::AT_FDCWD, c.a[0], c.a[1], 0);
}
LB_SYSCALL_DIRECT(lstat) {
  return stat_path(k::AT_FDCWD, c.a[0], c.a[1], k::AT_SYMLINK_NOFOLLOW);
}
LB_SYSCALL_DIRECT(newfstatat) {
  return stat_path(c.a[0], c.a[1], c.a[2], c.a[3]);
}
LB_SYSCALL_DIRECT(statx) {
  k::stat s;
  long e = stat_path(c.a[0], c.a[1], reinterpret_cast<long>(&s), c.a[2]);
  if (e < 0) return e;
  stat_to_statx(s, reinterpret_cast<k::statx*>(c.a[4]));
  return 0;
}

// --- access --------------------------------------------------------------
LB_SYSCALL_DIRECT(access) {
  return simple_path_op(proto::kAccess, k::AT_FDCWD, c.a[0], c.a[1], 0);
}
LB_SYSCALL_DIRECT(faccessat) {
  return simple_path_op(proto::kAccess, c.a[0], c.a[1], c.a[2], 0);
}
LB_SYSCALL_DIRECT(faccessat2) {
  return simple_path_op(proto::kAccess, c.a[0], c.a[1], c.a[2], c.a[3]);
}

// --- links ---------------------------------------------------------------
LB_SYSCALL_DIRECT(readlink) {
  return do_readlink(k::AT_FDCWD, c.a[0], c.a[1], c.a[2]);
}
LB_SYSCALL_DIRECT(readlinkat) {
  return do_readlink(c.a[0], c.a[1], c.a[2], c.a[3]);
}

namespace {
long two_path_op(uint32_t op, long d0, long p0, long d1, long p1, long flags) {
  PathReq q(op);
  long e = q.path(0, d0, p0);
  if (e < 0) return e;
  e = q.path(1, d1, p1);
  if (e < 0) return e;
  q.r.arg[0] = flags;
  return q.call();
}
long do_symlink(long target, long dirfd, long linkpath) {
  if (!target) return -k::EFAULT;
  PathReq q(proto::kSymlink);
  size_t n = strlen(cstr(target));
  if (n == 0) return -k::ENOENT;
  if (n >= proto::kMaxPath) return -k::ENAMETOOLONG;
  q.r.str[0] = cstr(target);  // stored verbatim, never resolved
  q.r.str_len[0] = static_cast<uint32_t>(n);
  long e = q.path(1, dirfd, linkpath);
  if (e < 0) return e;
  return q.call();
}
}  // namespace

LB_SYSCALL_DIRECT(link) {
  return two_path_op(proto::kLink, k::AT_FDCWD, c.a[0], k::AT_FDCWD, c.a[1], 0);
}
LB_SYSCALL_DIRECT(linkat) {
  return two_path_op(proto::kLink, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
}
LB_SYSCALL_DIRECT(symlink) {
  return do_symlink(c.a[0], k::AT_FDCWD, c.a[1]);
}
LB_SYSCALL_DIRECT(symlinkat) {
  return do_symlink(c.a[0], c.a[1], c.a[2]);
}
LB_SYSCALL_DIRECT(rename) {
  return two_path_op(proto::kRename, k::AT_FDCWD, c.a[0], k::AT_FDCWD, c.a[1], 0);
}
LB_SYSCALL_DIRECT(renameat) {
  return two_path_op(proto::kRename, c.a[0], c.a[1], c.a[2], c.a[3], 0);
}
LB_SYSCALL_DIRECT(renameat2) {
  return two_path_op(proto::kRename, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
}

// --- create/remove -------------------------------------------------------
LB_SYSCALL_DIRECT(mkdir) {
  return simple_path_op(proto::kMkdir, k::AT_FDCWD, c.a[0], c.a[1] & ~(long)g_proc.umask & 07777);
}
LB_SYSCALL_DIRECT(mkdirat) {
  return simple_path_op(proto::kMkdir, c.a[0], c.a[1], c.a[2] & ~(long)g_proc.umask & 07777);
}
namespace {
long mknod_mode(long mode) {
  return (mode & 0170000) | (mode & ~(long)g_proc.umask & 07777);
}
}  // namespace
LB_SYSCALL_DIRECT(mknod) {
  return simple_path_op(proto::kMknod, k::AT_FDCWD, c.a[0], mknod_mode(c.a[1]), c.a[2]);
}
LB_SYSCALL_DIRECT(mknodat) {
  return simple_path_op(proto::kMknod, c.a[0], c.a[1], mknod_mode(c.a[2]), c.a[3]);
}
LB_SYSCALL_DIRECT(unlink) {
  return simple_path_op(proto::kUnlink, k::AT_FDCWD, c.a[0], 0);
}
LB_SYSCALL_DIRECT(rmdir) {
  return simple_path_op(proto::kUnlink, k::AT_FDCWD, c.a[0], k::AT_REMOVEDIR);
}
LB_SYSCALL_DIRECT(unlinkat) {
  return simple_path_op(proto::kUnlink, c.a[0], c.a[1], c.a[2]);
}
LB_SYSCALL_DIRECT(truncate) {
  return simple_path_op(proto::kTruncate, k::AT_FDCWD, c.a[0], c.a[1]);
}

// --- ownership and mode --------------------------------------------------
LB_SYSCALL_DIRECT(chmod) {
  return simple_path_op(proto::kChmod, k::AT_FDCWD, c.a[0], c.a[1], 0);
}
LB_SYSCALL_DIRECT(fchmodat) {
  return simple_path_op(proto::kChmod, c.a[0], c.a[1], c.a[2], 0);
}
LB_SYSCALL_DIRECT(fchmodat2) {
  return simple_path_op(proto::kChmod, c.a[0], c.a[1], c.a[2], c.a[3]);
}
LB_SYSCALL_DIRECT(fchmod) {
  return rpc_on_fd(proto::kFchmod, c.a[0], c.a[1]);
}
LB_SYSCALL_DIRECT(chown) {
  return simple_path_op(proto::kChown, k::AT_FDCWD, c.a[0], c.a[1], c.a[2], 0);
}
LB_SYSCALL_DIRECT(lchown) {
  return simple_path_op(proto::kChown, k::AT_FDCWD, c.a[0], c.a[1], c.a[2], k::AT_SYMLINK_NOFOLLOW);
}
LB_SYSCALL_DIRECT(fchownat) {
  if ((c.a[4] & k::AT_EMPTY_PATH) && empty_path(c.a[1]))
    return rpc_on_fd(proto::kFchown, c.a[0], c.a[2], c.a[3]);
  return simple_path_op(proto::kChown, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
}
LB_SYSCALL_DIRECT(fchown) {
  return rpc_on_fd(proto::kFchown, c.a[0], c.a[1], c.a[2]);
}

// --- times ---------------------------------------------------------------
LB_SYSCALL_DIRECT(utimensat) {
  return do_utimens(c.a[0], c.a[1], reinterpret_cast<const k::timespec*>(c.a[2]), c.a[3]);
}
LB_SYSCALL_DIRECT(utimes) {
  return utimes_from_timeval(k::AT_FDCWD, c.a[0], c.a[1]);
}
LB_SYSCALL_DIRECT(futimesat) {
  return utimes_from_timeval(c.a[0], c.a[1], c.a[2]);
}
LB_SYSCALL_DIRECT(utime) {
  if (!c.a[1]) return do_utimens(k::AT_FDCWD, c.a[0], nullptr, 0);
  auto* t = reinterpret_cast<const long*>(c.a[1]);
  k::timespec ts[2] = {{t[0], 0}, {t[1], 0}};
  return do_utimens(k::AT_FDCWD, c.a[0], ts, 0);
}

// --- filesystems ---------------------------------------------------------
LB_SYSCALL_DIRECT(statfs) {
  PathReq q(proto::kStatfs);
  long e = q.path(0, k::AT_FDCWD, c.a[0]);
  if (e < 0) return e;
  q.r.payload = reinterpret_cast<void*>(c.a[1]);
  q.r.payload_cap = 120;
  e = q.call();
  return e < 0 ? e : 0;
}
LB_SYSCALL_DIRECT(fstatfs) {
  if (!abi::IsAppFd(static_cast<int>(c.a[0]))) return -k::EBADF;
  Rpc r;
  r.op = proto::kStatfs;
  r.fds[0] = static_cast<int>(c.a[0]);
  r.nfds = 1;
  r.dirfd_slot[0] = 0;
  r.payload = reinterpret_cast<void*>(c.a[1]);
  r.payload_cap = 120;
  long e = rpc(r);
  return e < 0 ? e : 0;
}

// --- directories ---------------------------------------------------------
LB_SYSCALL_DIRECT(getdents64) {
  if (!abi::IsAppFd(static_cast<int>(c.a[0]))) return -k::EBADF;
  Rpc r;
  r.op = proto::kGetdents;
  r.fds[0] = static_cast<int>(c.a[0]);
  r.nfds = 1;
  r.arg[0] = c.a[2];
  r.payload = reinterpret_cast<void*>(c.a[1]);
  r.payload_cap = static_cast<size_t>(c.a[2]);
  long e = rpc(r);
  if (e < 0) return e;
  return static_cast<long>(r.payload_len);
}

LB_SYSCALL_DIRECT(getdents) {
  // Old record format: {ino, off, reclen, name..., pad, type}.
  size_t cap = static_cast<size_t>(c.a[2]);
  if (cap > 65536) cap = 65536;
  char* tmp = static_cast<char*>(alloc(cap));
  if (!tmp) return -k::ENOMEM;
  SyscallCtx c64 = c;
  c64.a[1] = reinterpret_cast<long>(tmp);
  c64.a[2] = static_cast<long>(cap / 2);  // old records can be larger than new ones
  long n = sys_getdents64(c64);
  long out = 0;
  char* dst = reinterpret_cast<char*>(c.a[1]);
  for (long off = 0; n > 0 && off < n;) {
    auto* d = reinterpret_cast<char*>(tmp + off);
    uint64_t ino, doff;
    uint16_t reclen;
    memcpy(&ino, d, 8);
    memcpy(&doff, d + 8, 8);
    memcpy(&reclen, d + 16, 2);
    uint8_t type = static_cast<uint8_t>(d[18]);
    const char* name = d + 19;
    size_t nl = strlen(name);
    size_t rl = (8 + 8 + 2 + nl + 2 + 7) & ~size_t(7);
    memcpy(dst + out, &ino, 8);
    memcpy(dst + out + 8, &doff, 8);
    uint16_t r16 = static_cast<uint16_t>(rl);
    memcpy(dst + out + 16, &r16, 2);
    memcpy(dst + out + 18, name, nl + 1);
    dst[out + rl - 1] = static_cast<char>(type);
    out += static_cast<long>(rl);
    off += reclen;
  }
  free(tmp);
  return n < 0 ? n : out;
}

LB_SYSCALL_DIRECT(getcwd) {
  const char* cwd = g_proc.cwd ? g_proc.cwd : "/";
  size_t n = strlen(cwd) + 1;
  if (static_cast<size_t>(c.a[1]) < n) return -k::ERANGE;
  memcpy(reinterpret_cast<void*>(c.a[0]), cwd, n);
  return static_cast<long>(n);
}
LB_SYSCALL_DIRECT(chdir) {
  return do_chdir(cstr(c.a[0]), k::AT_FDCWD);
}
LB_SYSCALL_DIRECT(fchdir) {
  if (!abi::IsAppFd(static_cast<int>(c.a[0]))) return -k::EBADF;
  Rpc r;
  r.op = proto::kFdPath;
  r.fds[0] = static_cast<int>(c.a[0]);
  r.nfds = 1;
  char path[proto::kMaxPath];
  r.payload = path;
  r.payload_cap = sizeof path - 1;
  long e = rpc(r);
  if (e < 0) return e;
  path[r.payload_len] = 0;
  return do_chdir(path, k::AT_FDCWD);
}
LB_SYSCALL_DIRECT(umask) {
  long old = g_proc.umask;
  g_proc.umask = static_cast<uint32_t>(c.a[0] & 0777);
  return old;
}

// --- extended attributes -----------------------------------------------------
// The proxy serves no extended attributes yet: the sandbox looks like a
// file system without them (ENODATA on reads, an empty list, ENOTSUP on
// writes), which callers such as ls and cp handle.
LB_SYSCALL_DIRECT(getxattr) {
  return -k::ENODATA;
}
LB_SYSCALL_DIRECT(lgetxattr) {
  return -k::ENODATA;
}
LB_SYSCALL_DIRECT(fgetxattr) {
  return -k::ENODATA;
}
LB_SYSCALL_DIRECT(listxattr) {
  return 0;
}
LB_SYSCALL_DIRECT(llistxattr) {
  return 0;
}
LB_SYSCALL_DIRECT(flistxattr) {
  return 0;
}
LB_SYSCALL_DIRECT(setxattr) {
  return -k::ENOTSUP;
}
LB_SYSCALL_DIRECT(lsetxattr) {
  return -k::ENOTSUP;
}
LB_SYSCALL_DIRECT(fsetxattr) {
  return -k::ENOTSUP;
}
LB_SYSCALL_DIRECT(removexattr) {
  return -k::ENOTSUP;
}
LB_SYSCALL_DIRECT(lremovexattr) {
  return -k::ENOTSUP;
}
LB_SYSCALL_DIRECT(fremovexattr) {
  return -k::ENOTSUP;
}
