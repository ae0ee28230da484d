// The libOS <-> supervisor request protocol (DESIGN §5: "one request/response
// protocol, fixed binary layout, one header shared by both sides").
//
// Transport: one AF_UNIX SOCK_SEQPACKET channel per guest process (fd
// abi::kChannelFd in the guest). Each request is exactly one datagram; each
// reply is exactly one datagram. File descriptors travel with SCM_RIGHTS on
// the same datagram. Requests on one channel are strictly serial (the libOS
// holds a per-process lock from send to receive), so there are no request ids.
//
// The supervisor treats every byte as hostile: it checks magic, op, size ==
// datagram length, str_len sums, nfds == fds actually received, dirfd slots,
// and never trusts a length. A malformed request gets -EINVAL (or -EPROTO
// for an unknown op) and never crashes or desynchronises the server.
//
// This header is compiled both freestanding (libOS) and hosted (supervisor):
// plain integers and structs only.
#pragma once

#include <stdint.h>

namespace litebox::proto {

inline constexpr uint32_t kMagic = 0x4c425031;  // "LBP1"
// Largest datagram either side sends (header + strings or payload).
inline constexpr uint32_t kMaxMessage = 64 * 1024 + 256;
// Longest path accepted (PATH_MAX).
inline constexpr uint32_t kMaxPath = 4096;
inline constexpr uint32_t kMaxFds = 2;

enum Op : uint32_t {
  // --- process start -------------------------------------------------------
  // First message of an initial guest. arg[0] = the gate address (the
  // instruction pointer the kernel reports for a syscall made by the libOS
  // gate). Reply: result = number of BPF instructions; payload = the
  // partition filter as struct sock_filter[result].
  kHello = 1,
  // Reply payload: LaunchInfo followed by its strings (see below).
  kGetLaunch = 2,
  // A debug-log line from the libOS (str0). Reply result 0. Never fails.
  kLog = 3,
  // 4 was kShmSetup: a process's shared page (see "Shared page" below)
  // now comes with the kHello or kFork reply, a sealed memfd of kShmSize
  // bytes to map MAP_SHARED; without one the process keeps the socket.
  // Never answered: "a request is posted on the shared page" (sent only
  // when the page says the supervisor is not polling it).
  kDoorbell = 5,

  // --- paths (str0 = path; see "Paths" below) -------------------------------
  // arg0 = open flags (O_*; O_CLOEXEC is applied by the receiver with
  // MSG_CMSG_CLOEXEC), arg1 = mode with the umask already applied, arg2 =
  // kOpenForExec (regular file with execute permission, opened O_RDONLY).
  // Reply: result 0 and one fd; aux0 = FdKind; payload = the canonical
  // virtual path of what was opened (no NUL).
  kOpen = 10,
  // arg0 = AT_SYMLINK_NOFOLLOW bit (0x100) or 0. Reply payload: the kernel's
  // struct stat (x86-64 layout, 144 bytes), ids as the sandbox sees them.
  kStat = 11,
  // arg0 = mode (F_OK/R_OK/W_OK/X_OK), arg1 = flags (AT_EACCESS,
  // AT_SYMLINK_NOFOLLOW). Checked against the process's virtual credentials.
  kAccess = 12,
  // Reply: result = length, payload = link contents (no NUL).
  kReadlink = 13,
  kMkdir = 14,    // arg0 = mode (umask applied)
  kMknod = 15,    // arg0 = mode incl. S_IFMT (FIFO, REG, SOCK only), arg1 = dev
  kUnlink = 16,   // arg0 = AT_REMOVEDIR or 0
  kRename = 17,   // str0 = old, str1 = new, arg0 = RENAME_* flags
  kLink = 18,     // str0 = old, str1 = new, arg0 = AT_SYMLINK_FOLLOW or 0
  kSymlink = 19,  // str0 = target (stored verbatim), str1 = new link path
  kChmod = 20,    // arg0 = mode, arg1 = AT_SYMLINK_NOFOLLOW or 0
  kChown = 21,    // arg0 = uid (-1 keeps), arg1 = gid (-1 keeps), arg2 = flags
  // arg0 = flags (AT_SYMLINK_NOFOLLOW), arg1..arg4 = atime sec, nsec, mtime
  // sec, nsec (UTIME_NOW / UTIME_OMIT honoured). With an empty str0 and
  // fd slot 0 attached, acts on that fd (futimens).
  kUtimens = 22,
  kTruncate = 23,  // arg0 = length
  // Reply payload: struct statfs (120 bytes). With an empty str0 and an fd
  // attached in slot 0, describes that fd (fstatfs).
  kStatfs = 24,
  // Reply: result 0, payload = canonical virtual path of the directory.
  // Checks it is a directory with search permission.
  kChdir = 25,

  // --- held fds (fd attached in slot 0) --------------------------------------
  // Reply payload: canonical virtual path of the fd (fchdir, /proc/self/fd).
  kFdPath = 30,
  // arg0 = max bytes. The supervisor runs getdents64 on the attached fd (the
  // same open file description, so the guest's offset advances) and replies
  // with the linux_dirent64 records (payload), result = bytes, 0 at the end.
  // Virtual directories are served from their listing.
  kGetdents = 31,
  kFchmod = 32,  // arg0 = mode
  kFchown = 33,  // arg0 = uid, arg1 = gid

  // --- identity and processes --------------------------------------------------
  // arg0 = which (IdChange), arg1..arg3 = ids. The supervisor applies the
  // virtual rules (CAP_SETUID etc.) and keeps the credentials it checks
  // paths with. Reply: 0 or -EPERM/-EINVAL, with the lookup cache of the
  // process's new class of credentials attached when it changed class.
  kSetIds = 40,
  kSetHostname = 41,  // str0 = name, arg0 = 0 hostname / 1 domainname
  // A process is about to fork: fd slot 0 = the supervisor's end of the
  // child's new channel. arg0 = 0: reply result = the child's vpid. arg0 =
  // the vpid the supervisor set aside for this process (ShmControl::
  // fork_vpid, taken by the guest): never answered, the fork goes on at
  // once with that vpid (a wrong one is refused: the channel is closed, and
  // the child dies at its first request). Either way the supervisor sends
  // the child kChildWelcome on its channel, then sets aside the next vpid.
  // The child sends kChildHello on its channel with SCM_CREDENTIALS
  // (kernel-checked pid) first thing.
  kFork = 42,
  // The child's first message, never answered (the child runs on at once;
  // the channel's order puts it before anything else the child sends).
  kChildHello = 43,
  // arg0 = vpid (0, -1, -pgid as kill(2)), arg1 = signal, arg2 = tid for
  // tgkill (0 = any thread), arg3 = sigqueue value, arg4 = 1 for sigqueue.
  // The supervisor checks every target is in the sandbox and applies pid
  // 1's signal rules; receivers see si_pid = the sender's vpid (SI_QUEUE).
  kKill = 44,
  // The calling process completed an in-process execve. str0 = new exe
  // virtual path, str1 = argv joined with NUL (for /proc/<pid>/cmdline),
  // then the environment likewise (/proc/<pid>/environ) from byte arg0 - 1
  // on (arg0 = 0: the launch's image, cmdline and environ stay the spec's;
  // an exec sends arg0 >= 1 even with both empty). arg1 = kExecDoneNoReply:
  // not answered.
  // Reply payload: the exe path as /proc/<pid>/exe shows it (symlinks
  // resolved), NUL, then aux0 int32 fd numbers: the caller's open fds but
  // abi::kChannelFd (aux0 = -1: not listed), so that the libOS closes its
  // close-on-exec fds without a /proc/self/fd listing.
  kExecDone = 45,
  // arg0 = host pid -> reply result = vpid (or -ESRCH); used by wait to
  // translate reaped children the process did not fork itself (orphans).
  kHostToVpid = 46,
  // Sent once by an initial guest whose LaunchInfo has kLaunchWaitForStart,
  // after its image is loaded and before the app's first instruction. The
  // reply comes when the container is started (OCI `start`); result < 0
  // means "exit without running" (the container was deleted first).
  kAwaitStart = 47,
  // Reply payload: struct utsname (6 x 65 bytes) as the sandbox sees it:
  // the host's sysname/release/version/machine, the virtual nodename and
  // domainname.
  kUname = 48,
  // 49 was kForkDone (the parent waited for its child's hello); the
  // supervisor now reads a pending hello itself when it needs it.

  // --- sockets (DESIGN §3: the app never names a host address itself) -----
  // fd slot 0 = the application's socket, str0 = its struct sockaddr.
  // AF_INET/AF_INET6: the supervisor connects that socket (never blocking:
  // -EINPROGRESS means "wait for POLLOUT, then SO_ERROR"). AF_UNIX with a
  // path: the path is resolved inside the sandbox and the reply carries a
  // new connected socket of the same type, to be dup3'd over the app's fd.
  kSockConnect = 50,
  // As kSockConnect, binding. AF_UNIX: the reply's new socket is bound (the
  // socket inode is created inside the sandbox root).
  kSockBind = 51,

  // --- process groups and sessions (virtual, kept by the supervisor) ---------
  // arg0 = vpid (0 = caller), arg1 = pgid (0 = that vpid). setpgid(2) rules.
  kSetPgid = 52,
  // setsid(2) for the caller; result = the new session id.
  kSetSid = 53,
  // arg0 = vpid (0 = caller), arg1 = 0 for the pgid, 1 for the session id.
  kGetPgid = 54,
  // execve from a multi-threaded process: the supervisor sends SIGSYS
  // (SI_TKILL) to every other thread of the caller, which then exits, and
  // replies once the caller is the only thread left (or -ETIMEDOUT).
  kStopOtherThreads = 55,
  // The container's own seccomp program (OCI linux.seccomp): result = its
  // instruction count (0: none), aux0 = SECCOMP_FILTER_FLAG_*, payload = the
  // sock_filter array.
  kGetAppFilter = 56,
  // Never answered: the caller's wait just reaped arg0 = vpid (its child,
  // or an orphan the init inherited), so the supervisor forgets that
  // zombie before anything else the caller asks.
  kReaped = 57,
  // fcntl(F_SETOWN) for the app: fd slot 0 = the file, arg0 = the owner's
  // vpid (> 0) or 0 for none. The supervisor checks the target is a live
  // process of the sandbox and sets its host pid as the owner of the open
  // file (shared with the app's fd). -EINVAL for process groups (arg0 < 0).
  kSetOwner = 58,
  // pidfd_open(2) of arg0 = vpid (> 0; flags are the libOS's): the reply
  // carries the supervisor's own pidfd of that process (a zombie's too),
  // or -ESRCH once it was reaped.
  kPidfdOpen = 59,
  // pidfd_send_signal(2) on a pidfd that is not PIDFD_SELF: fd slot 0 = the
  // pidfd, arg0 = signal, arg1 = 1 when the app passed a siginfo, whose
  // sigqueue value is arg2. The target is the sandbox process the pidfd
  // names, under kKill's rules; -EBADF if the fd is no pidfd.
  kPidfdSignal = 60,
  // The host process group kept in step with virtual group arg0 (result >
  // 0), or -ESRCH when no process of the sandbox is in it: waitid(P_PGID)
  // and waitpid(-pgid) wait on it. (kSetPgid's aux0 is the host group the
  // caller then moves the target into with a host setpgid; kSetSid's
  // caller makes a host session of its own.)
  kHostPgid = 61,
  // Sent by the supervisor, unasked, as the first datagram on a forked
  // child's channel (a Response with result 0): its shared page (one fd,
  // as kHello's). The child reads it before the reply to its first request.
  kChildWelcome = 62,
};

// Values of Response.aux[0] for kOpen.
enum FdKind : int64_t {
  kFdHost = 0,         // a real file, directory, fifo or device
  kFdVirtualFile = 1,  // sealed memfd with generated content (/proc, /dev/...)
  kFdVirtualDir = 2,   // memfd holding linux_dirent64 records of a virtual dir
  // A FIFO opened without O_NONBLOCK. The proxy never blocks for the other
  // end, so the libOS does: a reader's fd comes back at once and the libOS
  // waits for a writer; a writer with no reader gets -ENXIO with this aux0,
  // and the libOS asks again until a reader is there.
  kFdFifo = 3,
};

inline constexpr int64_t kOpenForExec = 1;
// As kOpenForExec, from a single-threaded process about to exec the file:
// the reply payload goes on after the canonical path with a NUL and the
// caller's open fds but abi::kChannelFd (int32 each; without the NUL: not
// listed). With them the libOS closes its close-on-exec fds itself and
// kExecDone needs no answer (kExecDoneNoReply).
inline constexpr int64_t kOpenForExecListFds = 2;
// As kOpenForExec, for the image an exec will run (not its interpreter):
// the supervisor keeps the canonical path for /proc/<pid>/exe when the
// exec's kExecDone comes (kOpenForExecListFds means this too).
inline constexpr int64_t kOpenForExecMain = 3;
// kExecDone arg1: a notification, never answered (the libOS has its fds
// and the canonical exe path from the exec's open).
inline constexpr int64_t kExecDoneNoReply = 1;

enum IdChange : int64_t {
  kSetResUid = 1,  // arg1..3 = ruid, euid, suid (-1 keeps)
  kSetResGid = 2,
  kSetGroups = 3,  // str0 = uint32_t gids[]
  kSetFsUid = 4,
  kSetFsGid = 5,
  kSetCaps = 6,      // arg1 = effective, arg2 = permitted, arg3 = inheritable (capset)
  kSetKeepCaps = 7,  // arg1 = 0 or 1 (PR_SET_KEEPCAPS; cleared by execve)
};
// Every kSetIds reply carries the process's capabilities as they are now
// (uid changes clear or raise them as Linux does): this payload.
struct CapsAfterSetIds {
  uint64_t effective;
  uint64_t permitted;
};

struct Request {
  uint32_t magic;  // kMagic
  uint32_t op;     // Op
  uint32_t size;   // whole datagram: sizeof(Request) + str_len[0] + str_len[1]
  uint32_t nfds;   // fds attached with SCM_RIGHTS (0..kMaxFds)
  int64_t arg[6];
  uint32_t str_len[2];  // bytes of str0 and str1 following the header (no NUL)
  // Paths: a path is virtual (as the sandbox sees it). If dirfd_slot[i] is
  // -1, str i must be absolute (the libOS prefixes its cwd). If it is k >= 0,
  // attached fd k is the base directory of a relative str i (openat with a
  // real dirfd): the supervisor maps it back to its virtual path and rejects
  // fds that are not directories inside the sandbox.
  int32_t dirfd_slot[2];
};
static_assert(sizeof(Request) == 80, "layout is ABI");

struct Response {
  uint32_t magic;  // kMagic
  uint32_t op;     // echoes the request's op
  uint32_t size;   // whole datagram: sizeof(Response) + payload bytes
  uint32_t nfds;   // fds attached (0 or 1)
  int64_t result;  // >= 0 success (op-specific), < 0 is -errno
  int64_t aux[2];
};
static_assert(sizeof(Response) == 40, "layout is ABI");

// Payload of kGetLaunch: this header, then argc + envc + 3 NUL-terminated
// strings, in this order: exe path, cwd, hostname, argv[0..argc), envp[0..envc).
struct LaunchInfo {
  uint32_t vpid;
  uint32_t vppid;
  uint32_t uid, euid, suid;
  uint32_t gid, egid, sgid;
  uint32_t umask;
  uint32_t argc;
  uint32_t envc;
  uint32_t flags;  // LaunchFlags
  uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding, cap_ambient;
  uint32_t strings_len;  // bytes of strings after this header
  // The application's RLIMIT_NOFILE hard limit: the host's may be higher so
  // that it covers abi::kChannelFd (0: the host's is the application's).
  uint32_t nofile_hard;
};
static_assert(sizeof(LaunchInfo) == 96, "layout is ABI");

// --- Shared page ------------------------------------------------------------
// A socket round trip costs ~9 us on the VMs measured (four socket calls at
// ~2 us each); most requests are file ops that carry no fd. Those go over a
// page pair shared by one guest process and the supervisor instead: the
// guest writes the request datagram (same bytes as on the socket) at
// kShmReqOffset and sets `state` to kShmPosted; the supervisor, which polls
// the page while it is busy (and is rung with kDoorbell on the socket when
// it is not), copies the request out once, checks it exactly as a received
// datagram, and answers in place (kShmAnswered: Response + payload at
// kShmRespOffset) or, for a reply with an fd or too large for the page, on
// the socket (kShmOnSocket). The guest spins, then sleeps in FUTEX_WAIT on
// `state` (guest_waiting says so; the supervisor then FUTEX_WAKEs it).
// Requests stay strictly serial per process (the libOS's channel lock).
// The page is as hostile as the socket: the supervisor reads each field
// once, copies before checking, and never trusts a length.
enum ShmState : uint32_t { kShmIdle = 0, kShmPosted = 1, kShmAnswered = 2, kShmOnSocket = 3 };
struct ShmControl {
  uint32_t state;          // ShmState; the guest posts, the supervisor answers
  uint32_t guest_waiting;  // 1: the guest sleeps on `state` (FUTEX_WAIT)
  uint32_t sup_sleeping;   // 1: the supervisor is not polling: ring kDoorbell
  uint32_t req_len;        // bytes of the request at kShmReqOffset
  uint32_t resp_len;       // bytes of the answer at kShmRespOffset
  // Datagrams the guest had sent on the socket before this request (its
  // unanswered notifications, kChildHello and kReaped): the supervisor
  // reads those first, so the page never overtakes the socket.
  uint32_t sock_sent;
  // 1 once the supervisor has opened an O_PATH fd for any process of the
  // sandbox: one may reach this process (SCM_RIGHTS), and poll() cannot
  // see it, so exec asks for the fd list (libos/sys/process.cpp).
  uint32_t sandbox_opath;
  // A vpid the supervisor set aside for this process's next fork (0: none
  // now). The guest takes it by swapping 0 in and forks with it without
  // waiting for an answer (kFork); the supervisor checks it against its own
  // record, never against this field.
  uint32_t fork_vpid;
  // The CPU the guest posted the request from, plus one (0: unknown). A
  // hint only: the supervisor moves off that CPU (runtime/cpu_apart.hpp).
  uint32_t guest_cpu;
  // A CPU the supervisor cannot run on now, plus one (0: none known). A
  // guest waiting there has nobody to yield its CPU to (runtime/
  // cpu_apart.hpp); a hint only.
  uint32_t sup_avoids_cpu;
  // Non-zero: this process may answer lookups from the lookup cache it
  // maps (below), from entries made for this tag: the supervisor's name
  // for the class of credentials a lookup depends on (one for every
  // process with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH; else one per
  // file ids and groups). Updated before any answer that changes them.
  uint32_t lookup_tag;
};
// The request and its answer share the first page with the control block:
// a process's first request (a fork child's exec, say) then faults in one
// page of it, not three (~1.3 us each here). The answer may overwrite the
// request: the supervisor has copied the request out before it serves it.
inline constexpr uint32_t kShmReqOffset = 64;
inline constexpr uint32_t kShmReqCap = 3 * 4096;  // header + two paths of kMaxPath
inline constexpr uint32_t kShmRespOffset = kShmReqOffset;
inline constexpr uint32_t kShmRespCap = 64 * 1024;
inline constexpr uint32_t kShmSize = (kShmRespOffset + kShmRespCap + 4095) & ~4095u;
static_assert(sizeof(ShmControl) <= kShmReqOffset && kShmReqCap <= kShmRespCap, "layout");

// kHello reply aux0: which fds came with it, in this order.
inline constexpr int64_t kHelloPageFd = 1;    // the process's shared page
inline constexpr int64_t kHelloLookupFd = 2;  // its class's lookup cache
// The kGetLaunch reply follows on the socket unasked (the process does not
// send kGetLaunch): the supervisor works it out while the process installs
// its filter, instead of after.
inline constexpr int64_t kHelloLaunchFollows = 4;

// --- Lookup cache -------------------------------------------------------------
// Path lookups repeat across a sandbox's processes (every gcc driver of a
// build stats the same few dozen paths, most of them missing; glibc's
// realpath reads every directory of a path as a link). The supervisor
// publishes answers to such lookups in one memfd per sandbox and class of
// credentials (ShmControl::lookup_tag), which the guests of that class map
// read-only (sealed: F_SEAL_FUTURE_WRITE, so only the supervisor's mapping
// writes; it comes with the kHello reply, and with the kSetIds reply that
// moves a process to another class); a guest answers a matching request
// (same tag) from it instead of asking.
//
// What goes in (the supervisor decides, runtime and rootfs/lookup_cache.hpp):
// answers that no write through an fd can change, resolved without a
// symlink, mount point or virtual tree on the way, for an absolute path:
//   kStat     -ENOENT, -ENOTDIR, or a directory's stat
//   kReadlink the target, -EINVAL (not a link), -ENOENT, -ENOTDIR
//   kAccess   -ENOENT, -ENOTDIR        kOpen (no O_CREAT/O_TMPFILE) -ENOENT
// Each is dropped when the sandbox changes a name on or under its path (or
// its parent directory's entries), and expires kLookupTtlCycles after it
// was made, which bounds how long a change made from outside the sandbox
// (the host writing into the root file system) goes unseen.
//
// Slot = hash % kLookupSlots. A slot is a seqlock: `seq` is odd while the
// supervisor writes it; a reader copies the slot, then checks seq again.
inline constexpr uint32_t kLookupSlots = 2048;
inline constexpr uint32_t kLookupMaxPath = 255;  // longer paths are not cached
inline constexpr uint32_t kLookupMaxPayload = 256;
// An entry's lifetime in TSC cycles: 0.77 s at this VM's 2.6 GHz, 2 s at 1 GHz.
inline constexpr uint64_t kLookupTtlCycles = 2'000'000'000;
struct LookupSlot {
  uint32_t seq;
  uint32_t op;  // 0: empty
  uint64_t hash;
  uint64_t expires_tsc;
  int64_t result;
  uint32_t key_flag;  // LookupKeyFlag of the request
  uint32_t tag;       // ShmControl::lookup_tag of the process it was made for
  uint32_t pad;
  uint16_t path_len;
  uint16_t payload_len;
  char path[kLookupMaxPath + 1];
  char payload[kLookupMaxPayload];
};
inline constexpr uint32_t kLookupSize =
    (kLookupSlots * static_cast<uint32_t>(sizeof(LookupSlot)) + 4095) & ~4095u;

// The part of a request besides its path that a cached answer depends on:
// whether a final symlink is followed. Only requests for which this
// returns >= 0 may be answered from the cache (others: -1), the same test
// on both sides. arg = the request's args.
inline int32_t LookupKeyFlag(uint32_t op, const int64_t* arg) {
  constexpr int64_t kNofollowAt = 0x100, kOCreat = 0100, kONofollow = 0400000,
                    kOTmpfileBit = 020000000, kOAccmode = 3;
  switch (op) {
    case kStat:
      return (arg[0] & kNofollowAt) ? 1 : 0;
    case kReadlink:
      return 0;
    case kAccess:
      if ((arg[0] & ~int64_t{7}) != 0 || (arg[1] & ~int64_t{0x300}) != 0) return -1;
      return (arg[1] & kNofollowAt) ? 1 : 0;
    case kOpen:
      if (arg[2] == kOpenForExec || arg[2] == kOpenForExecMain || arg[2] == kOpenForExecListFds)
        return 0;  // follows: opened O_RDONLY whatever the flags
      if (arg[2] != 0 || (arg[0] & (kOCreat | kOTmpfileBit)) != 0 ||
          (arg[0] & kOAccmode) == kOAccmode)
        return -1;
      return (arg[0] & kONofollow) ? 1 : 0;
    default:
      return -1;
  }
}

// FNV-1a over the op, the key flag, the tag and the path.
inline uint64_t LookupHash(uint32_t op, int32_t key_flag, uint32_t tag, const char* path,
                           uint32_t len) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  mix(static_cast<uint8_t>(op));
  mix(static_cast<uint8_t>(key_flag));
  for (int i = 0; i < 32; i += 8) mix(static_cast<uint8_t>(tag >> i));
  for (uint32_t i = 0; i < len; ++i) mix(static_cast<uint8_t>(path[i]));
  return h;
}

enum LaunchFlags : uint32_t {
  kLaunchWaitForStart = 1,  // stop before the app's first instruction until the supervisor says go
  kLaunchDebug = 2,         // log every emulated syscall with kLog
  kLaunchNoNewPrivs = 4,
  kLaunchAppSeccomp = 8,  // fetch the container's own filter (kGetAppFilter) and install it
  // One more string follows envp: args[0] as the supervisor found it in
  // PATH. The libOS execs that first and searches PATH itself only if it
  // fails (a round trip per PATH entry tried: five for /bin/echo).
  kLaunchExeFound = 16,
};

}  // namespace litebox::proto
