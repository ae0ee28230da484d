#include "runtime/uid_lease.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "runtime/tmpfs_dir.hpp"
#include "runtime/vfork_child.hpp"

namespace litebox::runtime {

namespace {

// Opens <path> and takes its lock without waiting. Returns the fd, or -1
// when the lease is held by a live sandbox, the file is gone (create=false),
// or it cannot be opened. *created says the file is new (no earlier holder).
int OpenLocked(const std::string& path, bool create, bool* created) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    *created = false;
    int fd = -1;
    if (create) {
      fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd >= 0) *created = true;
      if (fd < 0 && errno != EEXIST) return -1;
    }
    if (fd < 0) {
      fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) {
        if (errno == ENOENT && create) continue;  // released meanwhile: create it
        return -1;
      }
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);
      return -1;
    }
    // The holder removes the file before dropping the lock, so a lock taken
    // on a file no longer at <path> is worthless: start over.
    struct stat a, b;
    if (fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
      return fd;
    close(fd);
  }
  return -1;
}

uint32_t RandomStart(const std::string& owner) {
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) == sizeof r) return r;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint32_t>(std::hash<std::string>{}(owner) ^ uint64_t(ts.tv_nsec) ^
                               uint64_t(getpid()));
}

}  // namespace

std::string UidLease::DefaultDir() {
  static const std::string dir = [] {
    const std::string run = "/run/litebox/uids";
    if (OnTmpfs("/run")) return run;
    std::string shm = PrivateShmDir("litebox-uids");
    return shm.empty() ? run : shm;
  }();
  return dir;
}

std::unique_ptr<UidLease> UidLease::Acquire(const std::string& owner, std::string* err,
                                            const std::string& dir_in, uid_t first) {
  std::string dir = dir_in.empty() ? DefaultDir() : dir_in;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  chmod(dir.c_str(), 0700);
  if (ec) {
    *err = "sandbox uid leases: mkdir " + dir + ": " + ec.message();
    return nullptr;
  }
  uint32_t start =
      first >= kFirstUid && first - kFirstUid < kUidCount ? first - kFirstUid : RandomStart(owner);
  // Bounded probing: a machine with 64 Ki live sandboxes is out of uids in
  // practice anyway, and the error then says so.
  constexpr uint32_t kProbes = 1u << 16;
  int last_errno = 0;
  for (uint32_t i = 0; i < kProbes; ++i) {
    uid_t uid = kFirstUid + (start + i) % kUidCount;
    std::string path = dir + "/" + std::to_string(uid);
    bool created = false;
    int fd = OpenLocked(path, true, &created);
    if (fd < 0) {
      if (errno != EWOULDBLOCK && errno != EEXIST && errno != ENOENT) last_errno = errno;
      continue;
    }
    // A lease left by a supervisor that died before its sweep: whatever
    // still runs under the uid belongs to that dead sandbox.
    if (!created) KillProcessesOfUid(uid);
    std::string text = owner + "\n";
    // A new file is empty already; truncating it anyway would make ext4
    // flush it to disk on close (its replace-via-truncate heuristic).
    if (created || ftruncate(fd, 0) == 0) (void)!pwrite(fd, text.data(), text.size(), 0);
    std::unique_ptr<UidLease> lease(new UidLease());
    lease->uid_ = uid;
    lease->fd_ = fd;
    lease->path_ = path;
    return lease;
  }
  *err = "no free sandbox host uid in " + dir + " after " + std::to_string(kProbes) + " tries" +
         (last_errno ? std::string(" (last error: ") + strerror(last_errno) + ")" : "");
  return nullptr;
}

UidLease::~UidLease() {
  Release();
}

void UidLease::Release() {
  if (fd_ < 0) return;
  unlink(path_.c_str());  // before the lock drops: see OpenLocked
  close(fd_);
  fd_ = -1;
}

void UidLease::Abandon() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

namespace {
// Runs in a VforkChild: raw syscalls only, and nothing but its own stack
// and the KillAllArgs it is handed is written.
struct KillAllArgs {
  uid_t uid;
  bool found;  // the uid still had a task after the kill (a zombie counts)
  bool probe;  // ask the per-user count (else report `found` as given)
};
int KillAllAs(void* arg) {
  auto* a = static_cast<KillAllArgs*>(arg);
  if (syscall(SYS_setresgid, a->uid, a->uid, a->uid) != 0 ||
      syscall(SYS_setresuid, a->uid, a->uid, a->uid) != 0)
    return 0;
  // All the uid may signal, but not us. kill's result says nothing: it is
  // 0 whenever any other process exists, even one it may not signal.
  syscall(SYS_kill, -1, SIGKILL);
  // Whether any task of the uid is left: the kernel counts them per user
  // (RLIMIT_NPROC; zombies until reaped, threads too), and with a limit of
  // two, we and one more, a fork fails with EAGAIN exactly when another is
  // there. We hold no capability now, so the limit applies to us.
  if (!a->probe) return 0;
  struct rlimit two {
    2, 2
  };
  if (syscall(SYS_prlimit64, 0, RLIMIT_NPROC, &two, nullptr) != 0) return 0;
  // vfork(), not a raw clone: the child shares our stack.
  pid_t c = vfork();
  if (c == 0) _exit(0);
  if (c > 0) {
    syscall(SYS_wait4, c, nullptr, 0, nullptr);
    a->found = false;
  } else if (c != -1 || errno != EAGAIN) {
    a->found = true;  // cannot tell
  }
  return 0;
}
}  // namespace

bool KillProcessesOfUid(uid_t uid) {
  if (uid == 0 || geteuid() != 0) return false;
  // A vfork-style child, not fork: no page tables to copy, and it runs at
  // once on our CPU while we wait.
  // Kernels before 5.17 let a user's count reach the limit plus one (fixed
  // by "ucounts: Enforce RLIMIT_NPROC not RLIMIT_NPROC+1"): there the
  // probe could miss one task, so /proc is always read instead.
  static const bool probe = [] {
    utsname u{};
    int major = 0, minor = 0;
    return uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
           (major > 5 || (major == 5 && minor >= 17));
  }();
  KillAllArgs args{uid, true, probe};  // if the child cannot say, assume it found some
  VforkChild child;
  pid_t p = child.Run(KillAllAs, &args);
  if (p > 0) {
    const int saved_errno = errno;
    while (waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
    }
    errno = saved_errno;
  }
  return p <= 0 || args.found;
}

void KillOrphansOfLease(uid_t uid, const std::string& dir_in) {
  if (uid == 0) return;
  std::string path = (dir_in.empty() ? UidLease::DefaultDir() : dir_in) + "/" + std::to_string(uid);
  bool created = false;
  int fd = OpenLocked(path, false, &created);
  if (fd < 0) return;  // released after a sweep, or a new sandbox's (it swept first)
  KillProcessesOfUid(uid);
  unlink(path.c_str());
  close(fd);
}

}  // namespace litebox::runtime
