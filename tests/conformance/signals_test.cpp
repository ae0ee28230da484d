// Signals-to-self conformance: raise with handlers, SA_SIGINFO fields,
// sigprocmask/sigpending, SA_RESTART vs EINTR, SA_RESETHAND, sa_mask, alarm,
// sigaltstack with SA_ONSTACK, sigsuspend, sigtimedwait.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/conformance/scratch.hpp"
#include "tests/conformance/signal_state.hpp"

namespace conformance {
namespace {

volatile sig_atomic_t g_hits = 0;
volatile sig_atomic_t g_last_signo = 0;
siginfo_t g_info;
volatile uintptr_t g_handler_stack_addr = 0;
volatile int g_handler_ss_flags = -1;
volatile sig_atomic_t g_blocked_in_handler = -1;
volatile sig_atomic_t g_usr2_blocked_in_handler = -1;
int g_wake_fd = -1;
volatile pid_t g_handler_tid = 0;

void CountingHandler(int sig) {
  g_hits = g_hits + 1;
  g_last_signo = sig;
}

void InfoHandler(int sig, siginfo_t* si, void*) {
  g_hits = g_hits + 1;
  g_last_signo = sig;
  g_info = *si;
}

void StackHandler(int sig) {
  volatile char local = 0;
  g_handler_stack_addr = reinterpret_cast<uintptr_t>(&local);
  stack_t cur{};
  if (sigaltstack(nullptr, &cur) == 0) g_handler_ss_flags = cur.ss_flags;
  g_hits = g_hits + 1;
}

void MaskProbeHandler(int sig) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, nullptr, &now);
  g_blocked_in_handler = sigismember(&now, sig);
  g_usr2_blocked_in_handler = sigismember(&now, SIGUSR2);
  g_hits = g_hits + 1;
}

void TidHandler(int) {
  g_handler_tid = static_cast<pid_t>(syscall(SYS_gettid));
  g_hits = g_hits + 1;
}

void WakeHandler(int) {
  g_hits = g_hits + 1;
  if (g_wake_fd >= 0) {
    ssize_t n = write(g_wake_fd, "w", 1);
    (void)n;
  }
}

// Installs handlers for a case and restores every touched disposition and
// the signal mask afterwards, so cases stay independent.
class SignalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_hits = 0;
    g_last_signo = 0;
    memset(&g_info, 0, sizeof g_info);
    signals_.Begin();
  }
  void TearDown() override {
    alarm(0);
    struct itimerval zero {};
    setitimer(ITIMER_REAL, &zero, nullptr);
    signals_.Restore();
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
  void Install(int sig, void (*handler)(int), int flags = 0) {
    signals_.Install(sig, handler, flags);
  }
  void InstallInfo(int sig, void (*handler)(int, siginfo_t*, void*)) {
    signals_.InstallInfo(sig, handler);
  }
  void Save(int sig) { signals_.Save(sig); }
  // Arms ITIMER_REAL to fire once after `ms` milliseconds.
  static void ArmTimer(int ms) {
    struct itimerval it {};
    it.it_value.tv_usec = ms * 1000;
    ASSERT_EQ(setitimer(ITIMER_REAL, &it, nullptr), 0);
  }

 private:
  SignalState signals_;
};

TEST_F(SignalsTest, RaiseRunsHandlerSynchronously) {
  Install(SIGUSR1, CountingHandler);
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(g_hits, 1);
  EXPECT_EQ(g_last_signo, SIGUSR1);
}

TEST_F(SignalsTest, KillSelfRunsHandler) {
  Install(SIGUSR2, CountingHandler);
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  EXPECT_EQ(g_hits, 1);
  EXPECT_EQ(g_last_signo, SIGUSR2);
}

TEST_F(SignalsTest, KillWithSignalZeroChecksExistence) {
  EXPECT_EQ(kill(getpid(), 0), 0);
}

TEST_F(SignalsTest, InvalidSignalNumberIsEINVAL) {
  EXPECT_EQ(kill(getpid(), 65), -1);
  EXPECT_EQ(errno, EINVAL);
  struct sigaction sa {};
  EXPECT_EQ(sigaction(0, nullptr, &sa), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(SignalsTest, SigactionOnSigkillIsEINVAL) {
  struct sigaction sa {};
  sa.sa_handler = CountingHandler;
  EXPECT_EQ(sigaction(SIGKILL, &sa, nullptr), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(SignalsTest, SiginfoFieldsFromRaise) {
  InstallInfo(SIGUSR1, InfoHandler);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(g_hits, 1);
  EXPECT_EQ(g_info.si_signo, SIGUSR1);
  EXPECT_EQ(g_info.si_code, SI_TKILL);  // glibc raise() uses tgkill
  EXPECT_EQ(g_info.si_pid, getpid());
  EXPECT_EQ(g_info.si_uid, getuid());
}

TEST_F(SignalsTest, SiginfoFieldsFromKill) {
  InstallInfo(SIGUSR2, InfoHandler);
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  ASSERT_EQ(g_hits, 1);
  EXPECT_EQ(g_info.si_code, SI_USER);
  EXPECT_EQ(g_info.si_pid, getpid());
}

TEST_F(SignalsTest, SigqueueDeliversValue) {
  InstallInfo(SIGUSR1, InfoHandler);
  union sigval v;
  v.sival_int = 4242;
  ASSERT_EQ(sigqueue(getpid(), SIGUSR1, v), 0) << strerror(errno);
  ASSERT_EQ(g_hits, 1);
  EXPECT_EQ(g_info.si_code, SI_QUEUE);
  EXPECT_EQ(g_info.si_value.sival_int, 4242);
}

TEST_F(SignalsTest, SigactionReturnsPreviousHandlerAndFlags) {
  Install(SIGUSR1, CountingHandler, SA_RESTART);
  struct sigaction now {};
  ASSERT_EQ(sigaction(SIGUSR1, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, CountingHandler);
  EXPECT_NE(now.sa_flags & SA_RESTART, 0);
  EXPECT_EQ(now.sa_flags & SA_SIGINFO, 0);
}

TEST_F(SignalsTest, SigactionKeepsMaskField) {
  struct sigaction sa {};
  sa.sa_handler = CountingHandler;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaddset(&sa.sa_mask, SIGTERM);
  Save(SIGUSR1);
  ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
  struct sigaction now {};
  ASSERT_EQ(sigaction(SIGUSR1, nullptr, &now), 0);
  EXPECT_TRUE(sigismember(&now.sa_mask, SIGUSR2));
  EXPECT_TRUE(sigismember(&now.sa_mask, SIGTERM));
  EXPECT_FALSE(sigismember(&now.sa_mask, SIGINT));
}

TEST_F(SignalsTest, SigIgnDiscardsSignal) {
  Install(SIGUSR1, SIG_IGN);
  ASSERT_EQ(raise(SIGUSR1), 0);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR1));
}

TEST_F(SignalsTest, BlockedSignalStaysPendingUntilUnblocked) {
  Install(SIGUSR1, CountingHandler);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, nullptr), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  EXPECT_EQ(g_hits, 0);
  sigset_t pending;
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_TRUE(sigismember(&pending, SIGUSR1));
  ASSERT_EQ(sigprocmask(SIG_UNBLOCK, &set, nullptr), 0);
  EXPECT_EQ(g_hits, 1);
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_FALSE(sigismember(&pending, SIGUSR1));
}

TEST_F(SignalsTest, StandardSignalsCoalesceWhilePending) {
  Install(SIGUSR2, CountingHandler);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  raise(SIGUSR2);
  raise(SIGUSR2);
  raise(SIGUSR2);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  EXPECT_EQ(g_hits, 1);
}

TEST_F(SignalsTest, RealtimeSignalsQueueWhilePending) {
  int sig = SIGRTMIN + 1;
  Install(sig, CountingHandler);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  union sigval v {};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(sigqueue(getpid(), sig, v), 0);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  EXPECT_EQ(g_hits, 3);
}

TEST_F(SignalsTest, SigprocmaskReturnsOldMask) {
  sigset_t a, old;
  sigemptyset(&a);
  sigaddset(&a, SIGUSR2);
  ASSERT_EQ(sigprocmask(SIG_SETMASK, &a, nullptr), 0);
  sigset_t b;
  sigemptyset(&b);
  sigaddset(&b, SIGTERM);
  ASSERT_EQ(sigprocmask(SIG_BLOCK, &b, &old), 0);
  EXPECT_TRUE(sigismember(&old, SIGUSR2));
  EXPECT_FALSE(sigismember(&old, SIGTERM));
  sigset_t now;
  ASSERT_EQ(sigprocmask(SIG_SETMASK, nullptr, &now), 0);
  EXPECT_TRUE(sigismember(&now, SIGUSR2));
  EXPECT_TRUE(sigismember(&now, SIGTERM));
}

TEST_F(SignalsTest, SigkillAndSigstopCannotBeBlocked) {
  sigset_t all;
  sigfillset(&all);
  ASSERT_EQ(sigprocmask(SIG_SETMASK, &all, nullptr), 0);
  sigset_t now;
  ASSERT_EQ(sigprocmask(SIG_SETMASK, nullptr, &now), 0);
  EXPECT_FALSE(sigismember(&now, SIGKILL));
  EXPECT_FALSE(sigismember(&now, SIGSTOP));
  EXPECT_TRUE(sigismember(&now, SIGUSR1));
}

TEST_F(SignalsTest, SigprocmaskBadHowIsEINVAL) {
  sigset_t s;
  sigemptyset(&s);
  EXPECT_EQ(syscall(SYS_rt_sigprocmask, 99, &s, nullptr, 8), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(SignalsTest, HandlerRunsWithItsSignalBlocked) {
  Install(SIGUSR1, MaskProbeHandler);
  raise(SIGUSR1);
  ASSERT_EQ(g_hits, 1);
  EXPECT_EQ(g_blocked_in_handler, 1);
}

TEST_F(SignalsTest, SaNodeferLeavesSignalUnblockedInHandler) {
  Install(SIGUSR1, MaskProbeHandler, SA_NODEFER);
  raise(SIGUSR1);
  ASSERT_EQ(g_hits, 1);
  EXPECT_EQ(g_blocked_in_handler, 0);
}

TEST_F(SignalsTest, SaMaskIsBlockedDuringHandlerOnly) {
  struct sigaction sa {};
  sa.sa_handler = MaskProbeHandler;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGUSR2);
  Save(SIGUSR1);
  ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
  raise(SIGUSR1);
  ASSERT_EQ(g_hits, 1);
  EXPECT_EQ(g_usr2_blocked_in_handler, 1);
  sigset_t now;
  sigprocmask(SIG_SETMASK, nullptr, &now);
  EXPECT_FALSE(sigismember(&now, SIGUSR2));
}

TEST_F(SignalsTest, SaResethandRestoresDefaultAfterFirstDelivery) {
  Install(SIGUSR1, CountingHandler, SA_RESETHAND);
  raise(SIGUSR1);
  EXPECT_EQ(g_hits, 1);
  struct sigaction now {};
  ASSERT_EQ(sigaction(SIGUSR1, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST_F(SignalsTest, WithoutSaRestartBlockingReadFailsWithEINTR) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  Fd r(p[0]), w(p[1]);
  g_wake_fd = -1;
  Install(SIGALRM, WakeHandler, 0);
  ASSERT_NO_FATAL_FAILURE(ArmTimer(30));  // else the read below blocks forever
  char c;
  EXPECT_EQ(read(r, &c, 1), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_hits, 1);
}

TEST_F(SignalsTest, SaRestartResumesBlockingRead) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  Fd r(p[0]), w(p[1]);
  g_wake_fd = w.get();  // the handler writes the byte the restarted read gets
  Install(SIGALRM, WakeHandler, SA_RESTART);
  ASSERT_NO_FATAL_FAILURE(ArmTimer(30));  // else the read below blocks forever
  char c = 0;
  EXPECT_EQ(read(r, &c, 1), 1);
  EXPECT_EQ(c, 'w');
  EXPECT_EQ(g_hits, 1);
  g_wake_fd = -1;
}

TEST_F(SignalsTest, AlarmDeliversSigalrm) {
  Install(SIGALRM, CountingHandler);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigprocmask(SIG_BLOCK, &block, &old);
  ASSERT_EQ(alarm(1), 0u) << strerror(errno);
  sigset_t wait_mask = old;
  sigdelset(&wait_mask, SIGALRM);
  // ppoll unblocks SIGALRM and waits atomically, like sigsuspend, but gives
  // up after 5 s so a lost alarm fails the case instead of hanging it.
  struct timespec limit = {5, 0};
  int r = ppoll(nullptr, 0, &limit, &wait_mask);
  EXPECT_EQ(r, -1) << "no signal within 5 s";
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_hits, 1);
  EXPECT_EQ(g_last_signo, SIGALRM);
}

TEST_F(SignalsTest, AlarmReturnsRemainingSecondsOfPreviousAlarm) {
  Install(SIGALRM, CountingHandler);
  EXPECT_EQ(alarm(30), 0u);
  unsigned left = alarm(0);
  EXPECT_GE(left, 29u);
  EXPECT_LE(left, 30u);
  EXPECT_EQ(alarm(0), 0u);
  EXPECT_EQ(g_hits, 0);
}

TEST_F(SignalsTest, SigsuspendReturnsEINTRAfterHandler) {
  Install(SIGUSR1, CountingHandler);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, nullptr);
  raise(SIGUSR1);  // pending, blocked
  EXPECT_EQ(g_hits, 0);
  sigset_t empty;
  sigemptyset(&empty);
  EXPECT_EQ(sigsuspend(&empty), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_hits, 1);
  sigset_t now;
  sigprocmask(SIG_SETMASK, nullptr, &now);
  EXPECT_TRUE(sigismember(&now, SIGUSR1));  // original mask restored
}

TEST_F(SignalsTest, SigtimedwaitConsumesPendingSignal) {
  Install(SIGUSR2, CountingHandler);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  union sigval v;
  v.sival_int = 9;
  ASSERT_EQ(sigqueue(getpid(), SIGUSR2, v), 0);
  siginfo_t si{};
  struct timespec ts = {1, 0};
  EXPECT_EQ(sigtimedwait(&set, &si, &ts), SIGUSR2);
  EXPECT_EQ(si.si_value.sival_int, 9);
  EXPECT_EQ(g_hits, 0);  // taken by sigtimedwait, not the handler
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR2));
}

TEST_F(SignalsTest, SigtimedwaitTimesOutWithEAGAIN) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  struct timespec ts = {0, 10 * 1000 * 1000};
  EXPECT_EQ(sigtimedwait(&set, nullptr, &ts), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST_F(SignalsTest, SignalToThreadRunsOnThatThread) {
  Install(SIGUSR1, TidHandler);
  struct Arg {
    std::atomic<int> ready{0};
    std::atomic<int> go{0};
    std::atomic<pid_t> tid{0};
  } arg;
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* p) -> void* {
                  auto* a = static_cast<Arg*>(p);
                  a->tid = static_cast<pid_t>(syscall(SYS_gettid));
                  a->ready = 1;
                  while (a->go.load() == 0) usleep(1000);
                  return nullptr;
                },
                &arg),
            0);
  while (arg.ready.load() == 0) sched_yield();
  EXPECT_EQ(pthread_kill(t, SIGUSR1), 0);  // no ASSERT: the thread must be joined
  for (int i = 0; i < 1000 && g_hits == 0; ++i) usleep(1000);
  arg.go = 1;
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(g_hits, 1);
  EXPECT_EQ(g_handler_tid, arg.tid.load());
  EXPECT_NE(g_handler_tid, getpid());
}

TEST_F(SignalsTest, SigaltstackQueryReturnsInstalledStack) {
  std::vector<char> mem(64 * 1024);
  stack_t ss{};
  ss.ss_sp = mem.data();
  ss.ss_size = mem.size();
  ASSERT_EQ(sigaltstack(&ss, nullptr), 0) << strerror(errno);
  stack_t cur{};
  ASSERT_EQ(sigaltstack(nullptr, &cur), 0);
  EXPECT_EQ(cur.ss_sp, mem.data());
  EXPECT_EQ(cur.ss_size, mem.size());
  EXPECT_EQ(cur.ss_flags, 0);
}

TEST_F(SignalsTest, SigaltstackDisableReportsDisabled) {
  std::vector<char> mem(64 * 1024);
  stack_t ss{};
  ss.ss_sp = mem.data();
  ss.ss_size = mem.size();
  ASSERT_EQ(sigaltstack(&ss, nullptr), 0);
  stack_t off{};
  off.ss_flags = SS_DISABLE;
  ASSERT_EQ(sigaltstack(&off, nullptr), 0);
  stack_t cur{};
  ASSERT_EQ(sigaltstack(nullptr, &cur), 0);
  EXPECT_EQ(cur.ss_flags, SS_DISABLE);
}

TEST_F(SignalsTest, SigaltstackTooSmallIsENOMEM) {
  std::vector<char> mem(512);
  stack_t ss{};
  ss.ss_sp = mem.data();
  ss.ss_size = mem.size();
  EXPECT_EQ(sigaltstack(&ss, nullptr), -1);
  EXPECT_EQ(errno, ENOMEM);
}

TEST_F(SignalsTest, OnstackHandlerRunsOnAlternateStack) {
  std::vector<char> mem(256 * 1024);
  stack_t ss{};
  ss.ss_sp = mem.data();
  ss.ss_size = mem.size();
  ASSERT_EQ(sigaltstack(&ss, nullptr), 0);
  Install(SIGUSR2, StackHandler, SA_ONSTACK);
  g_handler_stack_addr = 0;
  g_handler_ss_flags = -1;
  raise(SIGUSR2);
  ASSERT_EQ(g_hits, 1);
  auto lo = reinterpret_cast<uintptr_t>(mem.data());
  EXPECT_GE(g_handler_stack_addr, lo);
  EXPECT_LT(g_handler_stack_addr, lo + mem.size());
  EXPECT_EQ(g_handler_ss_flags, SS_ONSTACK);
  stack_t after{};
  ASSERT_EQ(sigaltstack(nullptr, &after), 0);
  EXPECT_EQ(after.ss_flags, 0);  // no longer on it once the handler returned
}

TEST_F(SignalsTest, HandlerWithoutOnstackUsesNormalStack) {
  std::vector<char> mem(256 * 1024);
  stack_t ss{};
  ss.ss_sp = mem.data();
  ss.ss_size = mem.size();
  ASSERT_EQ(sigaltstack(&ss, nullptr), 0);
  Install(SIGUSR2, StackHandler, 0);
  g_handler_stack_addr = 0;
  raise(SIGUSR2);
  ASSERT_EQ(g_hits, 1);
  auto lo = reinterpret_cast<uintptr_t>(mem.data());
  EXPECT_TRUE(g_handler_stack_addr < lo || g_handler_stack_addr >= lo + mem.size());
  EXPECT_EQ(g_handler_ss_flags, 0);
}

}  // namespace
}  // namespace conformance
