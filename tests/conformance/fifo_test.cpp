// FIFOs and pipes between processes: mkfifo in the scratch directory, a
// writer child and a reader parent, blocking and non-blocking opens (ENXIO
// for a writer without reader), EOF when the writer exits, data discarded
// when the last opener closes; pipes: SIGPIPE/EPIPE when the reader in
// another process is gone, PIPE_BUF atomicity between writers,
// F_SETPIPE_SZ rounding and EBUSY.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

volatile sig_atomic_t g_alarm = 0;
void OnAlarm(int) {
  g_alarm = 1;
}

class FifoTest : public ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    fifo_ = Path("fifo");
    ASSERT_EQ(mkfifo(fifo_.c_str(), 0644), 0) << strerror(errno);
    // A blocking open that never completes is ended by SIGALRM (no
    // SA_RESTART), so the case fails instead of hanging.
    struct sigaction sa {};
    sa.sa_handler = OnAlarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &saved_alarm_);
    g_alarm = 0;
    saved_pipe_ = signal(SIGPIPE, SIG_IGN);
  }
  void TearDown() override {
    itimerval zero{};
    setitimer(ITIMER_REAL, &zero, nullptr);
    sigaction(SIGALRM, &saved_alarm_, nullptr);
    signal(SIGPIPE, saved_pipe_);
    ScratchTest::TearDown();
  }
  static void Guard(int ms) {
    itimerval it{};
    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &it, nullptr);
  }
  std::string fifo_;

 private:
  struct sigaction saved_alarm_ {};
  sighandler_t saved_pipe_ = SIG_DFL;
};

TEST_F(FifoTest, MkfifoMakesFifoAndRefusesExistingName) {
  struct stat st {};
  ASSERT_EQ(stat(fifo_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(mkfifo(fifo_.c_str(), 0644), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(FifoTest, WriterChildToReaderParent) {
  std::string path = fifo_;
  Child writer([&] {
    int fd = open(path.c_str(), O_WRONLY);
    if (fd < 0) return 1;
    return write(fd, "through-the-fifo", 16) == 16 ? 0 : 2;
  });
  ASSERT_TRUE(writer.ok());
  Guard(5000);
  Fd fd(open(fifo_.c_str(), O_RDONLY));  // blocks until the writer opens
  Guard(0);
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  EXPECT_EQ(ReadAllBounded(fd), "through-the-fifo");  // EOF when the writer exits
  EXPECT_EQ(DescribeStatus(writer.Wait()), "exited 0");
}

TEST_F(FifoTest, BlockingReadOpenWaitsForWriter) {
  std::string path = fifo_;
  Child writer([&] {
    usleep(150 * 1000);
    int fd = open(path.c_str(), O_WRONLY);
    return fd >= 0 ? 0 : 1;
  });
  ASSERT_TRUE(writer.ok());
  long start = NowMs();
  Guard(5000);
  Fd fd(open(fifo_.c_str(), O_RDONLY));
  Guard(0);
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  EXPECT_GE(NowMs() - start, 100);
  EXPECT_EQ(DescribeStatus(writer.Wait()), "exited 0");
}

// A reader's open returns once a writer opens, before any data: two
// processes can open two FIFOs in opposite orders (a coprocess's stdin and
// stdout) without waiting on each other.
TEST_F(FifoTest, ReaderOpenReturnsWhenTheWriterOpensNotWhenItWrites) {
  std::string in = fifo_, out = Path("fifo2");
  ASSERT_EQ(mkfifo(out.c_str(), 0644), 0) << strerror(errno);
  Child peer([&] {
    int r = open(in.c_str(), O_RDONLY);  // the parent opens `in` for writing first
    if (r < 0) return 1;
    int w = open(out.c_str(), O_WRONLY);
    if (w < 0) return 2;
    char b;
    if (read(r, &b, 1) != 1) return 3;  // the parent writes only after both opens
    return write(w, &b, 1) == 1 ? 0 : 4;
  });
  ASSERT_TRUE(peer.ok());
  Guard(5000);
  Fd w(open(in.c_str(), O_WRONLY));
  ASSERT_GE(w.get(), 0) << strerror(errno);
  Fd r(open(out.c_str(), O_RDONLY));
  Guard(0);
  ASSERT_GE(r.get(), 0) << strerror(errno);
  ASSERT_EQ(write(w.get(), "k", 1), 1);
  char b = 0;
  Guard(5000);
  EXPECT_EQ(read(r.get(), &b, 1), 1);
  Guard(0);
  EXPECT_EQ(b, 'k');
  EXPECT_EQ(DescribeStatus(peer.Wait()), "exited 0");
}

// Blocking opens are interruptible: a handler without SA_RESTART ends them
// with EINTR (the Guard's SIGALRM here), on both ends of the FIFO.
TEST_F(FifoTest, BlockingOpensWithoutPeerAreInterruptedByASignal) {
  Guard(100);
  EXPECT_EQ(open(fifo_.c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_alarm, 1);
  g_alarm = 0;
  Guard(100);
  EXPECT_EQ(open(fifo_.c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EINTR);
  EXPECT_EQ(g_alarm, 1);
}

TEST_F(FifoTest, NonblockingWriteOpenWithoutReaderIsENXIO) {
  EXPECT_EQ(open(fifo_.c_str(), O_WRONLY | O_NONBLOCK), -1);
  EXPECT_EQ(errno, ENXIO);
}

TEST_F(FifoTest, NonblockingReadOpenWithoutWriterReadsEof) {
  Fd fd(open(fifo_.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  char b;
  EXPECT_EQ(read(fd, &b, 1), 0);  // no writer at all: end of file, not EAGAIN
  // With the reader open, a non-blocking writer may open now.
  Fd w(open(fifo_.c_str(), O_WRONLY | O_NONBLOCK));
  ASSERT_GE(w.get(), 0) << strerror(errno);
  EXPECT_EQ(read(fd, &b, 1), -1);  // a writer exists but wrote nothing
  EXPECT_EQ(errno, EAGAIN);
}

TEST_F(FifoTest, ReadWriteOpenDoesNotBlock) {
  Guard(5000);
  Fd fd(open(fifo_.c_str(), O_RDWR));
  Guard(0);
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  ASSERT_EQ(write(fd, "abc", 3), 3);
  char buf[8];
  EXPECT_EQ(read(fd, buf, sizeof buf), 3);
}

TEST_F(FifoTest, DataIsDiscardedWhenLastOpenerCloses) {
  {
    Fd fd(open(fifo_.c_str(), O_RDWR));
    ASSERT_GE(fd.get(), 0);
    ASSERT_EQ(write(fd, "lost", 4), 4);
  }
  Fd fd(open(fifo_.c_str(), O_RDWR | O_NONBLOCK));
  ASSERT_GE(fd.get(), 0);
  char buf[8];
  EXPECT_EQ(read(fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST_F(FifoTest, ReaderChildSeesDataAndWriterParentGetsEpipeAfterItExits) {
  std::string path = fifo_;
  Child reader([&] {
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) return 1;
    char buf[16] = {};
    ssize_t n = read(fd, buf, 5);
    return n == 5 && memcmp(buf, "hello", 5) == 0 ? 0 : 2;  // exits: reader gone
  });
  ASSERT_TRUE(reader.ok());
  Guard(5000);
  Fd fd(open(fifo_.c_str(), O_WRONLY));
  Guard(0);
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  ASSERT_EQ(write(fd, "hello", 5), 5);
  EXPECT_EQ(DescribeStatus(reader.Wait()), "exited 0");
  EXPECT_EQ(write(fd, "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
}

TEST_F(FifoTest, WriterChildIsKilledBySigpipeWhenReaderCloses) {
  Pipe p;
  p.CloseRead();  // nobody can read any more
  Child writer([&] {
    signal(SIGPIPE, SIG_DFL);
    ssize_t n = write(p.w(), "x", 1);
    return n == -1 ? 1 : 2;  // not reached when SIGPIPE kills us
  });
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(DescribeStatus(writer.Wait()), "killed by signal " + std::to_string(SIGPIPE));
}

TEST_F(FifoTest, BlockedSigpipeStaysPendingAndWriteIsEPIPE) {
  Pipe p;
  p.CloseRead();
  Child writer([&] {
    signal(SIGPIPE, SIG_DFL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(SIG_BLOCK, &s, nullptr);
    if (write(p.w(), "x", 1) != -1 || errno != EPIPE) return 1;
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1 ? 0 : 2;
  });
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(DescribeStatus(writer.Wait()), "exited 0");
}

TEST_F(FifoTest, PipeBufWritesFromTwoChildrenStayWhole) {
  Pipe p;
  constexpr int kRecords = 200;
  auto writer = [&](char letter) {
    return [&p, letter] {
      p.CloseRead();
      std::string rec(PIPE_BUF, letter);
      for (int i = 0; i < kRecords; ++i) {
        if (write(p.w(), rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) return 1;
      }
      return 0;
    };
  };
  Child a(writer('a'));
  Child b(writer('b'));
  ASSERT_TRUE(a.ok() && b.ok());
  p.CloseWrite();
  std::string all = ReadAllBounded(p.r());
  EXPECT_EQ(DescribeStatus(a.Wait()), "exited 0");
  EXPECT_EQ(DescribeStatus(b.Wait()), "exited 0");
  ASSERT_EQ(all.size(), 2u * kRecords * PIPE_BUF);
  int mixed = 0;
  for (size_t off = 0; off < all.size(); off += PIPE_BUF) {
    std::string rec = all.substr(off, PIPE_BUF);
    if (rec != std::string(PIPE_BUF, rec[0])) ++mixed;
  }
  EXPECT_EQ(mixed, 0) << "records of PIPE_BUF bytes were interleaved";
}

TEST_F(FifoTest, SetpipeSzRoundsUpToPowerOfTwoPages) {
  Pipe p;
  long page = sysconf(_SC_PAGESIZE);
  int got = fcntl(p.w(), F_SETPIPE_SZ, static_cast<int>(3 * page + 1));
  ASSERT_GE(got, 0) << strerror(errno);
  EXPECT_EQ(got, 4 * page);
  EXPECT_EQ(fcntl(p.r(), F_GETPIPE_SZ), got);  // one pipe, both ends
}

TEST_F(FifoTest, ShrinkingBelowQueuedDataIsEBUSY) {
  Pipe p;
  long page = sysconf(_SC_PAGESIZE);
  std::string data(4 * page, 'q');
  ASSERT_EQ(write(p.w(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  EXPECT_EQ(fcntl(p.w(), F_SETPIPE_SZ, static_cast<int>(page)), -1);
  EXPECT_EQ(errno, EBUSY);
}

TEST_F(FifoTest, FifoPipeSizeIsAdjustable) {
  Fd fd(open(fifo_.c_str(), O_RDWR));
  ASSERT_GE(fd.get(), 0);
  int def = fcntl(fd, F_GETPIPE_SZ);
  EXPECT_GT(def, 0);
  int got = fcntl(fd, F_SETPIPE_SZ, def * 2);
  EXPECT_EQ(got, def * 2);
  EXPECT_EQ(fcntl(fd, F_GETPIPE_SZ), def * 2);
}

TEST_F(FifoTest, PollSeesChildWriteAndHangupOnExit) {
  std::string path = fifo_;
  Fd fd(open(fifo_.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_GE(fd.get(), 0);
  Child writer([&] {
    int w = open(path.c_str(), O_WRONLY);
    return w >= 0 && write(w, "z", 1) == 1 ? 0 : 1;
  });
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(DescribeStatus(writer.Wait()), "exited 0");
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  EXPECT_TRUE(p.revents & POLLIN);
  EXPECT_TRUE(p.revents & POLLHUP);  // the writer has gone
  char b = 0;
  EXPECT_EQ(read(fd, &b, 1), 1);
  EXPECT_EQ(b, 'z');
  EXPECT_EQ(read(fd, &b, 1), 0);
}

}  // namespace
}  // namespace conformance
