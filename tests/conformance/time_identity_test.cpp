// Time, identity and system-information conformance: clock_gettime,
// nanosleep, gettimeofday, uid/gid/pid queries, uname, hostname, rlimits,
// getrandom. Root-only expectations run when CONFORMANCE_AS_ROOT=1.
#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

long long Ns(const struct timespec& t) {
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

long long NowNs(clockid_t clock) {
  struct timespec t {};
  EXPECT_EQ(clock_gettime(clock, &t), 0) << "clock " << clock << ": " << strerror(errno);
  return Ns(t);
}

TEST(TimeTest, MonotonicClockNeverGoesBackwards) {
  long long prev = NowNs(CLOCK_MONOTONIC);
  for (int i = 0; i < 10000; ++i) {
    long long now = NowNs(CLOCK_MONOTONIC);
    ASSERT_GE(now, prev);
    prev = now;
  }
}

TEST(TimeTest, ClockGettimeReturnsNormalizedTimespec) {
  for (clockid_t c : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE}) {
    struct timespec t {};
    ASSERT_EQ(clock_gettime(c, &t), 0) << c;
    EXPECT_GE(t.tv_nsec, 0) << c;
    EXPECT_LT(t.tv_nsec, 1000000000) << c;
  }
}

TEST(TimeTest, RawSyscallMatchesVdsoClock) {
  struct timespec a {
  }, b{}, c{};
  clock_gettime(CLOCK_MONOTONIC, &a);
  ASSERT_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b), 0);
  clock_gettime(CLOCK_MONOTONIC, &c);
  EXPECT_LE(Ns(a), Ns(b));
  EXPECT_LE(Ns(b), Ns(c));
}

TEST(TimeTest, BoottimeIsAtLeastMonotonic) {
  long long mono = NowNs(CLOCK_MONOTONIC);
  long long boot = NowNs(CLOCK_BOOTTIME);
  EXPECT_GE(boot, mono);
}

TEST(TimeTest, RealtimeIsAfter2020) {
  EXPECT_GT(NowNs(CLOCK_REALTIME) / 1000000000LL, 1577836800LL);  // 2020-01-01
}

TEST(TimeTest, InvalidClockIsEINVAL) {
  struct timespec t {};
  EXPECT_EQ(clock_gettime(static_cast<clockid_t>(12345), &t), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(TimeTest, ClockGetresIsPositiveAndFine) {
  struct timespec r {};
  ASSERT_EQ(clock_getres(CLOCK_MONOTONIC, &r), 0);
  EXPECT_GT(Ns(r), 0);
  EXPECT_LE(Ns(r), 1000000);  // high-resolution timers: at most 1 ms
}

TEST(TimeTest, NanosleepSleepsAtLeastRequested) {
  long long before = NowNs(CLOCK_MONOTONIC);
  struct timespec req = {0, 25 * 1000 * 1000};
  ASSERT_EQ(nanosleep(&req, nullptr), 0);
  long long elapsed = NowNs(CLOCK_MONOTONIC) - before;
  EXPECT_GE(elapsed, 25 * 1000 * 1000);
  EXPECT_LT(elapsed, 2000LL * 1000 * 1000);
}

TEST(TimeTest, NanosleepInvalidNanosecondsIsEINVAL) {
  struct timespec req = {0, 1000000000};
  EXPECT_EQ(nanosleep(&req, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
  struct timespec neg = {-1, 0};
  EXPECT_EQ(nanosleep(&neg, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(TimeTest, ClockNanosleepAbsoluteWakesAfterDeadline) {
  struct timespec deadline {};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += 20 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000;
  }
  ASSERT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr), 0);
  EXPECT_GE(NowNs(CLOCK_MONOTONIC), Ns(deadline));
}

TEST(TimeTest, GettimeofdayAgreesWithRealtimeClock) {
  struct timeval tv {};
  long long before = NowNs(CLOCK_REALTIME) / 1000;
  ASSERT_EQ(gettimeofday(&tv, nullptr), 0);
  long long after = NowNs(CLOCK_REALTIME) / 1000;
  long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
  EXPECT_GE(us, before);
  EXPECT_LE(us, after);
  EXPECT_GE(tv.tv_usec, 0);
  EXPECT_LT(tv.tv_usec, 1000000);
}

TEST(TimeTest, TimeAgreesWithRealtimeClock) {
  time_t t = time(nullptr);
  long long s = NowNs(CLOCK_REALTIME) / 1000000000LL;
  EXPECT_LE(t, s);
  EXPECT_GE(t, s - 1);
}

// Spins until this process has used `ns` of CPU time or 5 s of wall time
// passed (on a loaded machine 30 ms of wall time may be far less CPU time).
// Returns the CPU time used.
long long SpinForCpu(long long ns) {
  long long cpu0 = NowNs(CLOCK_PROCESS_CPUTIME_ID);
  long long wall0 = NowNs(CLOCK_MONOTONIC);
  volatile unsigned long x = 0;
  long long used = 0;
  while ((used = NowNs(CLOCK_PROCESS_CPUTIME_ID) - cpu0) < ns &&
         NowNs(CLOCK_MONOTONIC) - wall0 < 5000LL * 1000 * 1000) {
    for (int i = 0; i < 10000; ++i) x = x + 1;
  }
  return used;
}

TEST(TimeTest, ProcessCputimeAdvancesWithWork) {
  long long wall0 = NowNs(CLOCK_MONOTONIC);
  long long used = SpinForCpu(20 * 1000 * 1000);
  long long wall = NowNs(CLOCK_MONOTONIC) - wall0;
  EXPECT_GE(used, 20 * 1000 * 1000);    // CPU time moves while we compute...
  EXPECT_LE(used, wall + 1000 * 1000);  // ...and one thread cannot outrun the wall clock
}

TEST(TimeTest, GetrusageReportsUserTime) {
  struct rusage before {};
  ASSERT_EQ(getrusage(RUSAGE_SELF, &before), 0);
  SpinForCpu(30 * 1000 * 1000);
  struct rusage after {};
  ASSERT_EQ(getrusage(RUSAGE_SELF, &after), 0);
  auto us = [](const struct rusage& r) {
    return r.ru_utime.tv_sec * 1000000L + r.ru_utime.tv_usec + r.ru_stime.tv_sec * 1000000L +
           r.ru_stime.tv_usec;
  };
  EXPECT_GT(us(after), us(before));
  EXPECT_GT(after.ru_maxrss, 0);
}

TEST(IdentityTest, RootIdsAreZero) {
  if (!ExpectRoot()) GTEST_SKIP() << "needs CONFORMANCE_AS_ROOT=1";
  EXPECT_EQ(getuid(), 0u);
  EXPECT_EQ(geteuid(), 0u);
  EXPECT_EQ(getgid(), 0u);
  EXPECT_EQ(getegid(), 0u);
}

TEST(IdentityTest, ResuidMatchesIndividualCalls) {
  uid_t r, e, s;
  gid_t gr, ge, gs;
  ASSERT_EQ(getresuid(&r, &e, &s), 0);
  ASSERT_EQ(getresgid(&gr, &ge, &gs), 0);
  EXPECT_EQ(r, getuid());
  EXPECT_EQ(e, geteuid());
  EXPECT_EQ(gr, getgid());
  EXPECT_EQ(ge, getegid());
}

TEST(IdentityTest, RawSyscallsMatchLibc) {
  EXPECT_EQ(syscall(SYS_getuid), static_cast<long>(getuid()));
  EXPECT_EQ(syscall(SYS_getgid), static_cast<long>(getgid()));
  EXPECT_EQ(syscall(SYS_getpid), static_cast<long>(getpid()));
}

TEST(IdentityTest, PidIsPositiveAndStable) {
  pid_t a = getpid();
  EXPECT_GT(a, 0);
  EXPECT_EQ(getpid(), a);
}

TEST(IdentityTest, ParentPidMatchesPidNamespaceRules) {
  if (getpid() == 1) {
    // A container's first process: its parent is outside the pid namespace.
    EXPECT_EQ(getppid(), 0);
  } else {
    EXPECT_GT(getppid(), 0);
    EXPECT_NE(getppid(), getpid());
  }
  EXPECT_EQ(syscall(SYS_getppid), static_cast<long>(getppid()));
}

// getpgrp()/getsid(0) are 0 when the group or session leader is not in the
// caller's pid namespace, or is the kernel's (CI runs its tests in pid 1's
// session, and getsid(0) is 0 there): so the ids must agree with what
// /proc/self/stat says rather than be positive.
TEST(IdentityTest, ProcessGroupAndSessionMatchProcSelfStat) {
  std::FILE* f = std::fopen("/proc/self/stat", "r");
  ASSERT_NE(f, nullptr);
  char buf[1024] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  ASSERT_GT(n, 0u);
  const char* after_comm = std::strrchr(buf, ')');
  ASSERT_NE(after_comm, nullptr);
  char state = 0;
  int ppid = -1, pgrp = -1, session = -1;
  ASSERT_EQ(std::sscanf(after_comm + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session), 4);
  EXPECT_GE(getpgrp(), 0);
  EXPECT_EQ(getpgrp(), pgrp);
  EXPECT_EQ(getpgid(0), getpgrp());
  EXPECT_GE(getsid(0), 0);
  EXPECT_EQ(getsid(0), session);
  EXPECT_EQ(getppid(), ppid);
}

TEST(IdentityTest, GetgroupsCountMatchesList) {
  int n = getgroups(0, nullptr);
  ASSERT_GE(n, 0);
  std::vector<gid_t> groups(n + 1);
  EXPECT_EQ(getgroups(n + 1, groups.data()), n);
}

TEST(IdentityTest, SetuidToSameIdSucceeds) {
  EXPECT_EQ(setuid(getuid()), 0) << strerror(errno);
  EXPECT_EQ(setgid(getgid()), 0) << strerror(errno);
}

// Without CAP_SETUID, setting the effective uid to the real one is still
// allowed, and -1 (0xffffffff as uid_t) leaves an id alone: glibc's seteuid
// and posix_spawn(POSIX_SPAWN_RESETIDS), which make uses, do exactly this.
TEST(IdentityTest, SeteuidToRealUidWorksWithoutCapSetuid) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    struct {
      uint32_t version;
      int pid;
    } hdr = {0x20080522, 0};  // _LINUX_CAPABILITY_VERSION_3
    struct {
      uint32_t effective, permitted, inheritable;
    } data[2] = {};
    if (syscall(SYS_capget, &hdr, data) != 0) _exit(10);
    data[0].effective &= ~((1u << 7) | (1u << 6));  // CAP_SETUID, CAP_SETGID
    if (syscall(SYS_capset, &hdr, data) != 0) _exit(11);
    if (seteuid(getuid()) != 0) _exit(12);
    if (setresuid(-1, -1, -1) != 0) _exit(13);
    if (setegid(getgid()) != 0) _exit(14);
    if (geteuid() != getuid()) _exit(15);
    _exit(0);
  }
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0) << "10/11: capget/capset, 12: seteuid, 13: setresuid(-1...), "
                                   "14: setegid, 15: ids";
}

// Capabilities as Linux changes them (capabilities(7)): capset, and what
// a uid change does to them. Each case runs in a forked child (its ids and
// capabilities do not come back) that exits with the number of the first
// step that went wrong. Root only.
class CapabilitiesTest : public ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    if (!ExpectRoot()) GTEST_SKIP() << "needs CONFORMANCE_AS_ROOT=1";
    // Another user's private file and a public one, in directories anyone
    // may search (the scratch directories above are mkdtemp's 0700): an
    // EACCES below is the file's own bits.
    for (std::string d = dir_; d.size() > 1; d = d.substr(0, d.rfind('/'))) {
      struct stat st {};
      ASSERT_EQ(stat(d.c_str(), &st), 0) << d << ": " << strerror(errno);
      if (!(st.st_mode & S_IXOTH)) ASSERT_EQ(chmod(d.c_str(), (st.st_mode & 07777) | 0011), 0) << d;
    }
    file_ = Path("private");
    WriteFile(file_, "x");
    ASSERT_EQ(chown(file_.c_str(), 2000, 2000), 0) << strerror(errno);
    ASSERT_EQ(chmod(file_.c_str(), 0600), 0) << strerror(errno);
    public_ = Path("public");
    WriteFile(public_, "x");
    ASSERT_EQ(chown(public_.c_str(), 2000, 2000), 0) << strerror(errno);
  }
  std::string file_, public_;
};

constexpr uint64_t kCapDacOverride = 1ull << 1, kCapDacReadSearch = 1ull << 2;
// CAP_CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, LINUX_IMMUTABLE,
// MKNOD, MAC_OVERRIDE: the ones a filesystem uid change moves.
constexpr uint64_t kFsCaps = 0x1full | (1ull << 9) | (1ull << 27) | (1ull << 32);

struct CapHeader {
  uint32_t version;
  int pid;
};
struct CapData {
  uint32_t effective, permitted, inheritable;
};
struct Caps {
  uint64_t eff = 0, prm = 0;
};
bool GetCaps(Caps* c) {
  CapHeader h{0x20080522, 0};
  CapData d[2] = {};
  if (syscall(SYS_capget, &h, d) != 0) return false;
  c->eff = d[0].effective | (uint64_t{d[1].effective} << 32);
  c->prm = d[0].permitted | (uint64_t{d[1].permitted} << 32);
  return true;
}
// Sets effective and permitted, inheritable as it is.
bool SetCaps(uint64_t eff, uint64_t prm) {
  CapHeader h{0x20080522, 0};
  CapData d[2] = {};
  if (syscall(SYS_capget, &h, d) != 0) return false;
  d[0].effective = static_cast<uint32_t>(eff), d[1].effective = static_cast<uint32_t>(eff >> 32);
  d[0].permitted = static_cast<uint32_t>(prm), d[1].permitted = static_cast<uint32_t>(prm >> 32);
  return syscall(SYS_capset, &h, d) == 0;
}
// 0 when `path` opens for reading, else the errno.
int OpenForReading(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}
// Runs `body` in a forked child; its exit status (0: every step passed).
template <typename F>
int InChild(F body) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(body());
  int st = 0;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) return -2;
  return WEXITSTATUS(st);
}

TEST_F(CapabilitiesTest, CapsetDroppingDacOverrideRefusesAnotherUsersFile) {
  const std::string file = file_;
  int rc = InChild([&] {
    Caps c;
    if (!GetCaps(&c)) return 10;
    if (!(c.eff & kCapDacOverride)) return 11;
    if (OpenForReading(file) != 0) return 12;
    const uint64_t dac = kCapDacOverride | kCapDacReadSearch;
    if (!SetCaps(c.eff & ~dac, c.prm)) return 13;
    Caps now;
    if (!GetCaps(&now) || now.eff != (c.eff & ~dac) || now.prm != c.prm) return 14;
    if (OpenForReading(file) != EACCES) return 15;
    if (!SetCaps(c.eff, c.prm)) return 16;  // still permitted: raised again
    if (OpenForReading(file) != 0) return 17;
    if (!SetCaps(c.eff & ~dac, c.prm & ~dac)) return 18;
    if (SetCaps(c.eff, c.prm) || errno != EPERM) return 19;  // no longer permitted
    if (OpenForReading(file) != EACCES) return 20;
    return 0;
  });
  EXPECT_EQ(rc, 0) << "10-11: the caps at the start, 12: root's open, 13-14: capset/capget, 15: "
                      "open without DAC, 16-17: raised again, 18-20: dropped for good";
}

TEST_F(CapabilitiesTest, SetuidAwayFromRootClearsEveryCapability) {
  int rc = InChild([] {
    if (setuid(1000) != 0) return 10;
    Caps c;
    if (!GetCaps(&c)) return 11;
    if (c.eff != 0 || c.prm != 0) return 12;
    if (setuid(0) == 0 || errno != EPERM) return 13;  // no way back
    return 0;
  });
  EXPECT_EQ(rc, 0) << "10: setuid, 11-12: caps after it, 13: setuid(0) again";
}

TEST_F(CapabilitiesTest, SeteuidAwayAndBackClearsThenRestoresEffective) {
  const std::string file = file_, pub = public_;
  int rc = InChild([&] {
    Caps before, c;
    if (!GetCaps(&before)) return 10;
    if (seteuid(1000) != 0) return 11;
    if (!GetCaps(&c) || c.eff != 0 || c.prm != before.prm) return 12;
    if (OpenForReading(pub) != 0) return 13;
    if (OpenForReading(file) != EACCES) return 14;
    // access(2) asks as the real uid, root: with its permitted set.
    if (access(file.c_str(), R_OK) != 0) return 15;
    if (seteuid(0) != 0) return 16;
    if (!GetCaps(&c) || c.eff != before.prm) return 17;  // effective = permitted
    if (OpenForReading(file) != 0) return 18;
    return 0;
  });
  EXPECT_EQ(rc, 0) << "11: seteuid(1000), 12: caps after it, 13-14: opens as 1000, 15: access(2), "
                      "16: seteuid(0), 17: caps after it, 18: open as root";
}

TEST_F(CapabilitiesTest, KeepcapsKeepsPermittedAcrossSetuid) {
  const std::string file = file_;
  int rc = InChild([&] {
    Caps before, c;
    if (!GetCaps(&before)) return 10;
    if (prctl(PR_GET_KEEPCAPS) != 0) return 11;
    if (prctl(PR_SET_KEEPCAPS, 1) != 0 || prctl(PR_GET_KEEPCAPS) != 1) return 12;
    if (setresuid(1000, 1000, 1000) != 0) return 13;
    if (!GetCaps(&c) || c.eff != 0 || c.prm != before.prm) return 14;
    if (OpenForReading(file) != EACCES) return 15;
    // The daemon's next step: take back the one it needs.
    if (!SetCaps(kCapDacOverride, before.prm)) return 16;
    if (OpenForReading(file) != 0) return 17;  // uid 1000 with CAP_DAC_OVERRIDE
    if (setuid(0) == 0) return 18;             // still no way back to root
    return 0;
  });
  EXPECT_EQ(rc, 0) << "11-12: PR_GET/SET_KEEPCAPS, 13: setresuid, 14: caps after it, 15: open "
                      "without, 16: capset, 17: open with CAP_DAC_OVERRIDE, 18: setuid(0)";
}

TEST_F(CapabilitiesTest, ProcStatusShowsTheSets) {
  int rc = InChild([] {
    Caps c;
    if (!GetCaps(&c)) return 10;
    const uint64_t dropped = c.eff & ~kCapDacOverride;
    if (!SetCaps(dropped, c.prm)) return 11;
    std::string status = ReadFile("/proc/self/status");
    auto field = [&](const char* key) {
      return strtoull(StatusValue(status, key).c_str(), nullptr, 16);
    };
    if (field("CapEff") != dropped) return 12;
    if (field("CapPrm") != c.prm) return 13;
    if ((field("CapBnd") & c.prm) != c.prm) return 14;  // the bounding set is untouched
    return 0;
  });
  EXPECT_EQ(rc, 0) << "10-11: capget/capset, 12: CapEff, 13: CapPrm, 14: CapBnd";
}

TEST_F(CapabilitiesTest, SetfsuidAwayFromRootDropsOnlyFileCapabilities) {
  const std::string file = file_;
  int rc = InChild([&] {
    Caps before, c;
    if (!GetCaps(&before)) return 10;
    setfsuid(1000);
    if (setfsuid(-1) != 1000) return 11;
    if (!GetCaps(&c) || c.eff != (before.eff & ~kFsCaps) || c.prm != before.prm) return 12;
    if (OpenForReading(file) != EACCES) return 13;
    setfsuid(0);
    if (!GetCaps(&c) || c.eff != (before.eff | (before.prm & kFsCaps))) return 14;
    if (OpenForReading(file) != 0) return 15;
    return 0;
  });
  EXPECT_EQ(rc, 0) << "11: setfsuid(1000), 12: caps after it, 13: open as fsuid 1000, 14: caps "
                      "after setfsuid(0), 15: open as root";
}

TEST(UnameTest, SysnameIsLinuxAndFieldsAreFilled) {
  struct utsname u {};
  ASSERT_EQ(uname(&u), 0);
  EXPECT_STREQ(u.sysname, "Linux");
  EXPECT_GT(strlen(u.release), 0u);
  EXPECT_GT(strlen(u.version), 0u);
  EXPECT_GT(strlen(u.nodename), 0u);
  EXPECT_STREQ(u.machine, "x86_64");
}

TEST(UnameTest, ReleaseLooksLikeKernelVersion) {
  struct utsname u {};
  ASSERT_EQ(uname(&u), 0);
  int major = 0, minor = 0;
  ASSERT_EQ(sscanf(u.release, "%d.%d", &major, &minor), 2) << u.release;
  EXPECT_GE(major, 3);
}

TEST(UnameTest, GethostnameMatchesNodename) {
  struct utsname u {};
  ASSERT_EQ(uname(&u), 0);
  char host[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(gethostname(host, sizeof host), 0);
  EXPECT_STREQ(host, u.nodename);
}

TEST(SysinfoTest, NofileLimitIsConsistent) {
  struct rlimit rl {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  EXPECT_GT(rl.rlim_cur, 3u);
  EXPECT_LE(rl.rlim_cur, rl.rlim_max);
}

TEST(SysinfoTest, LoweringSoftLimitIsVisible) {
  struct rlimit rl {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  struct rlimit lower = rl;
  lower.rlim_cur = 64 < rl.rlim_cur ? 64 : rl.rlim_cur;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lower), 0) << strerror(errno);
  struct rlimit now {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, lower.rlim_cur);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

TEST(SysinfoTest, GetrandomFillsBufferWithVaryingBytes) {
  unsigned char a[64] = {}, b[64] = {};
  ASSERT_EQ(getrandom(a, sizeof a, 0), static_cast<ssize_t>(sizeof a));
  ASSERT_EQ(getrandom(b, sizeof b, 0), static_cast<ssize_t>(sizeof b));
  EXPECT_NE(memcmp(a, b, sizeof a), 0);
  std::set<unsigned char> distinct(a, a + sizeof a);
  EXPECT_GT(distinct.size(), 16u);  // 64 random bytes: ~57 distinct values expected
}

TEST(SysinfoTest, PageSizeIs4096) {
  EXPECT_EQ(sysconf(_SC_PAGESIZE), 4096);
}

TEST(SysinfoTest, OnlineCpusIsPositive) {
  EXPECT_GE(sysconf(_SC_NPROCESSORS_ONLN), 1);
}

}  // namespace
}  // namespace conformance
