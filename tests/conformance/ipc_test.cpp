// Pipe and event-fd conformance: pipe2 flags, EOF/EPIPE, poll/select, large
// transfers, eventfd, timerfd, epoll, memfd (with seals).
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

struct Pipe {
  Fd r, w;
  explicit Pipe(int flags = 0) {
    int p[2];
    EXPECT_EQ(pipe2(p, flags), 0) << strerror(errno);
    r.reset(p[0]);
    w.reset(p[1]);
  }
};

TEST(PipeTest, DataFlowsFromWriteEndToReadEnd) {
  Pipe p;
  ASSERT_EQ(write(p.w, "through", 7), 7);
  char buf[16] = {};
  ASSERT_EQ(read(p.r, buf, sizeof buf), 7);
  EXPECT_STREQ(buf, "through");
}

TEST(PipeTest, Pipe2FlagsAreVisible) {
  Pipe p(O_CLOEXEC | O_NONBLOCK);
  EXPECT_EQ(fcntl(p.r, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(p.w, F_GETFD), FD_CLOEXEC);
  EXPECT_NE(fcntl(p.r, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(fcntl(p.r, F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(p.w, F_GETFL) & O_ACCMODE, O_WRONLY);
}

TEST(PipeTest, Pipe2BadFlagsIsEINVAL) {
  int p[2];
  EXPECT_EQ(pipe2(p, O_APPEND), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(PipeTest, PipeEndsAreFifos) {
  Pipe p;
  struct stat st {};
  ASSERT_EQ(fstat(p.r, &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(PipeTest, EmptyNonblockingReadIsEAGAIN) {
  Pipe p(O_NONBLOCK);
  char c;
  EXPECT_EQ(read(p.r, &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(PipeTest, ReadAfterWriterClosedIsEOF) {
  Pipe p;
  ASSERT_EQ(write(p.w, "x", 1), 1);
  p.w.reset();
  char c;
  EXPECT_EQ(read(p.r, &c, 1), 1);
  EXPECT_EQ(read(p.r, &c, 1), 0);
}

TEST(PipeTest, WriteAfterReaderClosedIsEPIPE) {
  struct sigaction ign {
  }, old{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  Pipe p;
  p.r.reset();
  EXPECT_EQ(write(p.w, "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  sigaction(SIGPIPE, &old, nullptr);
}

TEST(PipeTest, WriteAfterReaderClosedRaisesSigpipe) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  Pipe p;
  p.r.reset();
  EXPECT_EQ(write(p.w, "x", 1), -1);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_TRUE(sigismember(&pending, SIGPIPE));
  struct timespec zero {};
  sigtimedwait(&block, nullptr, &zero);  // consume it before unblocking
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

TEST(PipeTest, FionreadReportsQueuedBytes) {
  Pipe p;
  ASSERT_EQ(write(p.w, "12345", 5), 5);
  int n = -1;
  ASSERT_EQ(ioctl(p.r, FIONREAD, &n), 0) << strerror(errno);
  EXPECT_EQ(n, 5);
}

TEST(PipeTest, PipeSizeCanBeQueriedAndGrown) {
  Pipe p;
  int size = fcntl(p.w, F_GETPIPE_SZ);
  EXPECT_GE(size, 4096);
  ASSERT_GE(fcntl(p.w, F_SETPIPE_SZ, 1 << 18), 1 << 18) << strerror(errno);
  EXPECT_GE(fcntl(p.w, F_GETPIPE_SZ), 1 << 18);
}

TEST(PipeTest, NonblockingWriteToFullPipeIsEAGAIN) {
  Pipe p(O_NONBLOCK);
  std::string chunk(4096, 'f');
  ssize_t total = 0;
  for (;;) {
    ssize_t n = write(p.w, chunk.data(), chunk.size());
    if (n < 0) {
      EXPECT_EQ(errno, EAGAIN);
      break;
    }
    total += n;
    ASSERT_LT(total, 64 << 20) << "pipe never filled";
  }
  EXPECT_EQ(total, fcntl(p.w, F_GETPIPE_SZ));
}

TEST(PipeTest, PollSeesDataAndTimesOutWhenEmpty) {
  Pipe p;
  struct pollfd pfd = {p.r, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  ASSERT_EQ(write(p.w, "x", 1), 1);
  EXPECT_EQ(poll(&pfd, 1, 1000), 1);
  EXPECT_NE(pfd.revents & POLLIN, 0);
}

TEST(PipeTest, PollReportsHangupWhenWriterCloses) {
  Pipe p;
  p.w.reset();
  struct pollfd pfd = {p.r, POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 1000), 1);
  EXPECT_NE(pfd.revents & POLLHUP, 0);
}

TEST(PipeTest, PollReportsWritableEmptyPipe) {
  Pipe p;
  struct pollfd pfd = {p.w, POLLOUT, 0};
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_NE(pfd.revents & POLLOUT, 0);
}

TEST(PipeTest, PollTimeoutWaitsRoughlyThatLong) {
  Pipe p;
  struct pollfd pfd = {p.r, POLLIN, 0};
  struct timespec a {
  }, b{};
  clock_gettime(CLOCK_MONOTONIC, &a);
  EXPECT_EQ(poll(&pfd, 1, 30), 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
  EXPECT_GE(ms, 29);
}

TEST(PipeTest, PollOnClosedFdReportsPollnval) {
  Pipe p;
  int n = p.r.get();
  p.r.reset();
  struct pollfd pfd = {n, POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 0), 1);
  EXPECT_NE(pfd.revents & POLLNVAL, 0);
}

TEST(PipeTest, SelectSeesReadableFd) {
  Pipe p;
  ASSERT_EQ(write(p.w, "x", 1), 1);
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p.r.get(), &rs);
  struct timeval tv = {1, 0};
  ASSERT_EQ(select(p.r.get() + 1, &rs, nullptr, nullptr, &tv), 1);
  EXPECT_TRUE(FD_ISSET(p.r.get(), &rs));
}

struct Transfer {
  int fd;
  size_t bytes;
};

uint8_t PatternByte(size_t i) {
  return static_cast<uint8_t>((i * 2654435761u) >> 13);
}

void* WritePattern(void* arg) {
  auto* t = static_cast<Transfer*>(arg);
  // If the reader gives up, our write fails with EPIPE; the SIGPIPE stays
  // pending on this thread and dies with it instead of killing the process.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
  uint8_t buf[65536];
  size_t sent = 0;
  while (sent < t->bytes) {
    size_t n = std::min(sizeof buf, t->bytes - sent);
    for (size_t i = 0; i < n; ++i) buf[i] = PatternByte(sent + i);
    ssize_t w = write(t->fd, buf, n);
    if (w <= 0) return reinterpret_cast<void*>(1);
    sent += static_cast<size_t>(w);
  }
  close(t->fd);
  return nullptr;
}

TEST(PipeTest, SixteenMebibytesTransferIntactAcrossThreads) {
  Pipe p;
  Transfer t{p.w.release(), 16u << 20};
  pthread_t writer;
  ASSERT_EQ(pthread_create(&writer, nullptr, WritePattern, &t), 0);
  size_t got = 0;
  size_t bad = 0;
  uint8_t buf[40000];  // deliberately not a multiple of the writer's chunk
  for (;;) {
    ssize_t n = read(p.r, buf, sizeof buf);
    if (n < 0) ADD_FAILURE() << "read: " << strerror(errno);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) bad += buf[i] != PatternByte(got + i);
    got += static_cast<size_t>(n);
  }
  p.r.reset();  // unblocks the writer if we stopped early
  void* rc = nullptr;
  pthread_join(writer, &rc);
  EXPECT_EQ(rc, nullptr);
  EXPECT_EQ(got, t.bytes);
  EXPECT_EQ(bad, 0u);
}

TEST(EventfdTest, CounterAccumulatesAndResetsOnRead) {
  Fd e(eventfd(0, EFD_CLOEXEC));
  ASSERT_GE(e.get(), 0) << strerror(errno);
  uint64_t v = 3;
  ASSERT_EQ(write(e, &v, 8), 8);
  v = 4;
  ASSERT_EQ(write(e, &v, 8), 8);
  uint64_t got = 0;
  ASSERT_EQ(read(e, &got, 8), 8);
  EXPECT_EQ(got, 7u);
  EXPECT_EQ(fcntl(e, F_GETFD), FD_CLOEXEC);
}

TEST(EventfdTest, InitialValueIsReadable) {
  Fd e(eventfd(11, 0));
  uint64_t got = 0;
  ASSERT_EQ(read(e, &got, 8), 8);
  EXPECT_EQ(got, 11u);
}

TEST(EventfdTest, SemaphoreModeReadsOneAtATime) {
  Fd e(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
  uint64_t got = 0;
  ASSERT_EQ(read(e, &got, 8), 8);
  EXPECT_EQ(got, 1u);
  ASSERT_EQ(read(e, &got, 8), 8);
  EXPECT_EQ(got, 1u);
  EXPECT_EQ(read(e, &got, 8), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(EventfdTest, NonblockingReadOfZeroCounterIsEAGAIN) {
  Fd e(eventfd(0, EFD_NONBLOCK));
  uint64_t got;
  EXPECT_EQ(read(e, &got, 8), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(EventfdTest, ShortBufferIsEINVAL) {
  Fd e(eventfd(1, 0));
  uint32_t small;
  EXPECT_EQ(read(e, &small, 4), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST(EventfdTest, PollReadableOnlyWhenCounterNonZero) {
  Fd e(eventfd(0, EFD_NONBLOCK));
  struct pollfd pfd = {e, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  uint64_t v = 1;
  ASSERT_EQ(write(e, &v, 8), 8);
  EXPECT_EQ(poll(&pfd, 1, 0), 1);
}

TEST(TimerfdTest, OneShotTimerExpiresOnce) {
  Fd t(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
  ASSERT_GE(t.get(), 0) << strerror(errno);
  struct itimerspec its {};
  its.it_value.tv_nsec = 20 * 1000 * 1000;
  ASSERT_EQ(timerfd_settime(t, 0, &its, nullptr), 0);
  uint64_t expirations = 0;
  ASSERT_EQ(read(t, &expirations, 8), 8);  // blocks until it fires
  EXPECT_EQ(expirations, 1u);
  struct itimerspec cur {};
  ASSERT_EQ(timerfd_gettime(t, &cur), 0);
  EXPECT_EQ(cur.it_value.tv_sec, 0);
  EXPECT_EQ(cur.it_value.tv_nsec, 0);
}

TEST(TimerfdTest, PeriodicTimerCountsMissedExpirations) {
  Fd t(timerfd_create(CLOCK_MONOTONIC, 0));
  struct itimerspec its {};
  its.it_value.tv_nsec = 10 * 1000 * 1000;
  its.it_interval.tv_nsec = 10 * 1000 * 1000;
  ASSERT_EQ(timerfd_settime(t, 0, &its, nullptr), 0);
  usleep(75 * 1000);
  uint64_t expirations = 0;
  ASSERT_EQ(read(t, &expirations, 8), 8);
  EXPECT_GE(expirations, 3u);
  EXPECT_LE(expirations, 50u);
}

TEST(TimerfdTest, GettimeReportsRemainingTime) {
  Fd t(timerfd_create(CLOCK_MONOTONIC, 0));
  struct itimerspec its {};
  its.it_value.tv_sec = 10;
  ASSERT_EQ(timerfd_settime(t, 0, &its, nullptr), 0);
  struct itimerspec cur {};
  ASSERT_EQ(timerfd_gettime(t, &cur), 0);
  EXPECT_TRUE(cur.it_value.tv_sec == 9 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_nsec == 0));
}

TEST(TimerfdTest, DisarmedNonblockingReadIsEAGAIN) {
  Fd t(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  uint64_t v;
  EXPECT_EQ(read(t, &v, 8), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(TimerfdTest, AbsoluteTimerInThePastFiresImmediately) {
  Fd t(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  struct itimerspec its {};
  its.it_value.tv_sec = 1;  // monotonic time 1s: long past
  ASSERT_EQ(timerfd_settime(t, TFD_TIMER_ABSTIME, &its, nullptr), 0);
  struct pollfd pfd = {t, POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 1000), 1);
  uint64_t v = 0;
  EXPECT_EQ(read(t, &v, 8), 8);
  EXPECT_EQ(v, 1u);
}

TEST(EpollTest, WaitReportsReadyFdWithItsData) {
  Fd ep(epoll_create1(EPOLL_CLOEXEC));
  ASSERT_GE(ep.get(), 0) << strerror(errno);
  Pipe a, b;
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ev.data.u64 = 0xA;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  ev.data.u64 = 0xB;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, b.r, &ev), 0);
  ASSERT_EQ(write(b.w, "x", 1), 1);
  struct epoll_event out[4]{};
  ASSERT_EQ(epoll_wait(ep, out, 4, 1000), 1);
  EXPECT_EQ(out[0].data.u64, 0xBu);
  EXPECT_NE(out[0].events & EPOLLIN, 0u);
}

TEST(EpollTest, WaitTimesOutWithZero) {
  Fd ep(epoll_create1(0));
  Pipe a;
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  struct epoll_event out {};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 20), 0);
}

TEST(EpollTest, AddTwiceIsEEXISTAndModifyMissingIsENOENT) {
  Fd ep(epoll_create1(0));
  Pipe a;
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, a.w, &ev), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(EpollTest, DeletedFdIsNoLongerReported) {
  Fd ep(epoll_create1(0));
  Pipe a;
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, a.r, nullptr), 0);
  ASSERT_EQ(write(a.w, "x", 1), 1);
  struct epoll_event out {};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0);
}

TEST(EpollTest, EdgeTriggeredReportsOnlyNewData) {
  Fd ep(epoll_create1(0));
  Pipe a;
  struct epoll_event ev {};
  ev.events = EPOLLIN | EPOLLET;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  ASSERT_EQ(write(a.w, "xy", 2), 2);
  struct epoll_event out {};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 1000), 1);
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0);  // no new edge, data still queued
  ASSERT_EQ(write(a.w, "z", 1), 1);
  EXPECT_EQ(epoll_wait(ep, &out, 1, 1000), 1);
}

TEST(EpollTest, LevelTriggeredKeepsReporting) {
  Fd ep(epoll_create1(0));
  Pipe a;
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  ASSERT_EQ(write(a.w, "x", 1), 1);
  struct epoll_event out {};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 1);
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 1);
}

TEST(EpollTest, OneshotDisarmsAfterFirstEvent) {
  Fd ep(epoll_create1(0));
  Pipe a;
  struct epoll_event ev {};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, a.r, &ev), 0);
  ASSERT_EQ(write(a.w, "x", 1), 1);
  struct epoll_event out {};
  EXPECT_EQ(epoll_wait(ep, &out, 1, 1000), 1);
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 0);
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, a.r, &ev), 0);  // re-arm
  EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 1);
}

TEST(EpollTest, WatchesEventfdAndTimerfd) {
  Fd ep(epoll_create1(0));
  Fd e(eventfd(0, EFD_NONBLOCK));
  Fd t(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ev.data.fd = e;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0);
  ev.data.fd = t;
  ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev), 0);
  struct itimerspec its {};
  its.it_value.tv_nsec = 10 * 1000 * 1000;
  ASSERT_EQ(timerfd_settime(t, 0, &its, nullptr), 0);
  struct epoll_event out[2]{};
  ASSERT_EQ(epoll_wait(ep, out, 2, 2000), 1);
  EXPECT_EQ(out[0].data.fd, t.get());
  uint64_t v = 1;
  ASSERT_EQ(write(e, &v, 8), 8);
  ASSERT_EQ(epoll_wait(ep, out, 2, 0), 2);
}

TEST(EpollTest, EpollOnRegularFileIsEPERM) {
  Fd ep(epoll_create1(0));
  std::string path = ScratchRoot() + "/epoll-regular-file";
  WriteFile(path, "x");
  Fd f(open(path.c_str(), O_RDONLY));
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), -1);
  EXPECT_EQ(errno, EPERM);
  unlink(path.c_str());
}

TEST(MemfdTest, WriteReadAndSize) {
  Fd m(memfd_create("conf", MFD_CLOEXEC));
  ASSERT_GE(m.get(), 0) << strerror(errno);
  ASSERT_EQ(write(m, "memory", 6), 6);
  struct stat st {};
  ASSERT_EQ(fstat(m, &st), 0);
  EXPECT_EQ(st.st_size, 6);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  char buf[6];
  ASSERT_EQ(pread(m, buf, 6, 0), 6);
  EXPECT_EQ(std::string(buf, 6), "memory");
  EXPECT_EQ(fcntl(m, F_GETFD), FD_CLOEXEC);
}

TEST(MemfdTest, SharedMappingSeesWrites) {
  Fd m(memfd_create("map", 0));
  ASSERT_EQ(ftruncate(m, 4096), 0);
  auto* p = static_cast<char*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(pwrite(m, "abc", 3, 100), 3);
  EXPECT_EQ(std::string(p + 100, 3), "abc");
  p[0] = 'M';
  char c = 0;
  ASSERT_EQ(pread(m, &c, 1, 0), 1);
  EXPECT_EQ(c, 'M');
  munmap(p, 4096);
}

TEST(MemfdTest, SealsBlockGrowShrinkAndWrite) {
  Fd m(memfd_create("sealed", MFD_ALLOW_SEALING));
  ASSERT_GE(m.get(), 0);
  ASSERT_EQ(write(m, "1234", 4), 4);
  ASSERT_EQ(fcntl(m, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0) << strerror(errno);
  EXPECT_EQ(fcntl(m, F_GET_SEALS), F_SEAL_GROW | F_SEAL_SHRINK);
  EXPECT_EQ(ftruncate(m, 100), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(ftruncate(m, 1), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(pwrite(m, "ab", 2, 0), 2);  // in-place writes are still allowed
  ASSERT_EQ(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE), 0);
  EXPECT_EQ(pwrite(m, "ab", 2, 0), -1);
  EXPECT_EQ(errno, EPERM);
}

TEST(MemfdTest, SealingWithoutAllowSealingIsEPERM) {
  Fd m(memfd_create("unsealable", 0));
  EXPECT_EQ(fcntl(m, F_GET_SEALS), F_SEAL_SEAL);
  EXPECT_EQ(fcntl(m, F_ADD_SEALS, F_SEAL_GROW), -1);
  EXPECT_EQ(errno, EPERM);
}

TEST(MemfdTest, SealSealForbidsFurtherSeals) {
  Fd m(memfd_create("s", MFD_ALLOW_SEALING));
  ASSERT_EQ(fcntl(m, F_ADD_SEALS, F_SEAL_SEAL), 0);
  EXPECT_EQ(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE), -1);
  EXPECT_EQ(errno, EPERM);
}

}  // namespace
}  // namespace conformance
