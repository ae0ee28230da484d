// Kernel ABI structures and constants (x86-64), written out so the
// freestanding libOS needs no libc headers.
#pragma once

#include <stdint.h>

namespace lb::k {

// errno values
enum : long {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  EIO = 5,
  ENXIO = 6,
  E2BIG = 7,
  ENOEXEC = 8,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EFAULT = 14,
  EBUSY = 16,
  EEXIST = 17,
  ENOTDIR = 20,
  EISDIR = 21,
  EINVAL = 22,
  ENFILE = 23,
  EMFILE = 24,
  ENOTTY = 25,
  ENOSPC = 28,
  ESPIPE = 29,
  EROFS = 30,
  EPIPE = 32,
  ERANGE = 34,
  ENAMETOOLONG = 36,
  ENOSYS = 38,
  ENOPROTOOPT = 92,
  ENOTEMPTY = 39,
  ELOOP = 40,
  ENODATA = 61,
  EPROTO = 71,
  EOPNOTSUPP = 95,
  EAFNOSUPPORT = 97,
  ETIMEDOUT = 110,
  ECONNREFUSED = 111,
  EPROTONOSUPPORT = 93,
  ENOTSUP = 95,
};

// open flags
enum : long {
  O_RDONLY = 0,
  O_WRONLY = 1,
  O_RDWR = 2,
  O_ACCMODE = 3,
  O_CREAT = 0100,
  O_EXCL = 0200,
  O_NOCTTY = 0400,
  O_TRUNC = 01000,
  O_APPEND = 02000,
  O_NONBLOCK = 04000,
  O_DIRECTORY = 0200000,
  O_NOFOLLOW = 0400000,
  O_CLOEXEC = 02000000,
  O_PATH = 010000000,
  O_TMPFILE = 020200000,
};
constexpr long AT_FDCWD = -100;
constexpr long AT_SYMLINK_NOFOLLOW = 0x100;
constexpr long AT_REMOVEDIR = 0x200;
constexpr long AT_SYMLINK_FOLLOW = 0x400;
constexpr long AT_EMPTY_PATH = 0x1000;
constexpr long AT_EACCESS = 0x200;
constexpr long F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, FD_CLOEXEC = 1;

// signals
enum : int {
  SIGHUP = 1,
  SIGINT = 2,
  SIGQUIT = 3,
  SIGILL = 4,
  SIGTRAP = 5,
  SIGABRT = 6,
  SIGBUS = 7,
  SIGFPE = 8,
  SIGKILL = 9,
  SIGUSR1 = 10,
  SIGSEGV = 11,
  SIGUSR2 = 12,
  SIGPIPE = 13,
  SIGALRM = 14,
  SIGTERM = 15,
  SIGCHLD = 17,
  SIGCONT = 18,
  SIGSTOP = 19,
  SIGSYS = 31,
};
constexpr int kNSig = 64;
constexpr uint64_t sigbit(int sig) {
  return 1ull << (sig - 1);
}
constexpr long SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000,
               SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000, SA_RESTORER = 0x04000000;
constexpr long SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
constexpr long SS_ONSTACK = 1, SS_DISABLE = 2;

struct sigaction {
  void* handler;
  unsigned long flags;
  void* restorer;
  uint64_t mask;
};

struct siginfo {
  int signo;
  int err;  // si_errno: SECCOMP_RET_DATA for seccomp traps
  int code;
  int pad0;
  union {
    struct {
      void* call_addr;
      int syscall;
      unsigned int arch;
    } sys;
    struct {
      int pid;
      unsigned int uid;
      int status;
    } chld;
    struct {
      int pid;
      unsigned int uid;
    } kill;
    char pad[112];
  };
};
static_assert(sizeof(siginfo) == 128);

struct stack_t {
  void* sp;
  int flags;
  int pad;
  uint64_t size;
};

// struct sigcontext (64-bit)
struct mcontext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // pointer to the xsave area, or 0
  uint64_t reserved1[8];
};

struct ucontext {
  uint64_t flags;
  ucontext* link;
  stack_t stack;
  mcontext mc;
  uint64_t sigmask;
};
constexpr uint64_t UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;

// clone flags
enum : unsigned long {
  CLONE_VM = 0x100,
  CLONE_FS = 0x200,
  CLONE_FILES = 0x400,
  CLONE_SIGHAND = 0x800,
  CLONE_PIDFD = 0x1000,
  CLONE_PTRACE = 0x2000,
  CLONE_VFORK = 0x4000,
  CLONE_PARENT = 0x8000,
  CLONE_THREAD = 0x10000,
  CLONE_NEWNS = 0x20000,
  CLONE_SYSVSEM = 0x40000,
  CLONE_SETTLS = 0x80000,
  CLONE_PARENT_SETTID = 0x100000,
  CLONE_CHILD_CLEARTID = 0x200000,
  CLONE_DETACHED = 0x400000,
  CLONE_UNTRACED = 0x800000,
  CLONE_CHILD_SETTID = 0x1000000,
  CLONE_NEWCGROUP = 0x2000000,
  CLONE_NEWUTS = 0x4000000,
  CLONE_NEWIPC = 0x8000000,
  CLONE_NEWUSER = 0x10000000,
  CLONE_NEWPID = 0x20000000,
  CLONE_NEWNET = 0x40000000,
  CLONE_IO = 0x80000000,
};

// mmap
enum : long {
  PROT_NONE = 0,
  PROT_READ = 1,
  PROT_WRITE = 2,
  PROT_EXEC = 4,
  MAP_SHARED = 1,
  MAP_PRIVATE = 2,
  MAP_FIXED = 0x10,
  MAP_ANONYMOUS = 0x20,
  MAP_NORESERVE = 0x4000,
  MAP_FIXED_NOREPLACE = 0x100000,
  MAP_GROWSDOWN = 0x100,
};

struct stat {
  uint64_t dev, ino, nlink;
  uint32_t mode, uid, gid, pad0;
  uint64_t rdev;
  int64_t size, blksize, blocks;
  uint64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
  int64_t unused[3];
};
static_assert(sizeof(stat) == 144);

struct timespec {
  int64_t sec, nsec;
};

struct statx_timestamp {
  int64_t sec;
  uint32_t nsec;
  int32_t reserved;
};
struct statx {
  uint32_t mask, blksize;
  uint64_t attributes;
  uint32_t nlink, uid, gid;
  uint16_t mode, spare0;
  uint64_t ino, size, blocks, attributes_mask;
  statx_timestamp atime, btime, ctime, mtime;
  uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
  uint64_t spare2[14];
};
static_assert(sizeof(statx) == 256);

struct iovec {
  void* base;
  uint64_t len;
};
struct msghdr {
  void* name;
  uint32_t namelen;
  iovec* iov;
  uint64_t iovlen;
  void* control;
  uint64_t controllen;
  int flags;
};
struct cmsghdr {
  uint64_t len;
  int level;
  int type;
};
constexpr int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
constexpr int MSG_CMSG_CLOEXEC = 0x40000000, MSG_NOSIGNAL = 0x4000, MSG_DONTWAIT = 0x40;
constexpr int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;

struct utsname {
  char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

// auxv
enum : uint64_t {
  AT_NULL = 0,
  AT_PHDR = 3,
  AT_PHENT = 4,
  AT_PHNUM = 5,
  AT_PAGESZ = 6,
  AT_BASE = 7,
  AT_FLAGS = 8,
  AT_ENTRY = 9,
  AT_UID = 11,
  AT_EUID = 12,
  AT_GID = 13,
  AT_EGID = 14,
  AT_PLATFORM = 15,
  AT_HWCAP = 16,
  AT_CLKTCK = 17,
  AT_SECURE = 23,
  AT_RANDOM = 25,
  AT_HWCAP2 = 26,
  AT_EXECFN = 31,
  AT_SYSINFO_EHDR = 33,
  AT_MINSIGSTKSZ = 51,
};

}  // namespace lb::k
