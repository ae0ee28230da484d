// Regular-file conformance: open flags, read/write family, lseek, dup*, fcntl,
// close_range.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class FilesTest : public ScratchTest {};

// Our own close_range, so the test does not depend on the libc wrapper's age.
int CloseRange(unsigned first, unsigned last, unsigned flags) {
  return static_cast<int>(syscall(SYS_close_range, first, last, flags));
}

TEST_F(FilesTest, OpenCreatCreatesEmptyRegularFile) {
  Fd fd(open(Path("f").c_str(), O_CREAT | O_WRONLY, 0640));
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(FilesTest, OpenMissingWithoutCreatIsENOENT) {
  EXPECT_EQ(open(Path("missing").c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(FilesTest, OpenCreatExclOnExistingIsEEXIST) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(open(Path("f").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(FilesTest, OpenCreatExclOnNewSucceedsOnce) {
  Fd first(open(Path("f").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644));
  ASSERT_GE(first.get(), 0) << strerror(errno);
  EXPECT_EQ(open(Path("f").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(FilesTest, OpenCreatOnExistingKeepsContent) {
  WriteFile(Path("f"), "keep");
  Fd fd(open(Path("f").c_str(), O_CREAT | O_RDWR, 0600));
  ASSERT_GE(fd.get(), 0);
  EXPECT_EQ(ReadAll(fd), "keep");
}

TEST_F(FilesTest, OpenTruncEmptiesFile) {
  WriteFile(Path("f"), "hello world");
  Fd fd(open(Path("f").c_str(), O_WRONLY | O_TRUNC));
  ASSERT_GE(fd.get(), 0);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 0);
}

TEST_F(FilesTest, OpenAppendWritesAtEndDespiteLseek) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_WRONLY | O_APPEND));
  ASSERT_GE(fd.get(), 0);
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  ASSERT_EQ(write(fd, "def", 3), 3);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 6);
  EXPECT_EQ(ReadFile(Path("f")), "abcdef");
}

TEST_F(FilesTest, TwoAppendFdsInterleaveWithoutOverwriting) {
  WriteFile(Path("f"), "");
  Fd a(open(Path("f").c_str(), O_WRONLY | O_APPEND));
  Fd b(open(Path("f").c_str(), O_WRONLY | O_APPEND));
  ASSERT_EQ(write(a, "11", 2), 2);
  ASSERT_EQ(write(b, "22", 2), 2);
  ASSERT_EQ(write(a, "33", 2), 2);
  EXPECT_EQ(ReadFile(Path("f")), "112233");
}

TEST_F(FilesTest, WriteOnReadOnlyFdIsEBADF) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_GE(fd.get(), 0);
  EXPECT_EQ(write(fd, "y", 1), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FilesTest, ReadOnWriteOnlyFdIsEBADF) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_WRONLY));
  ASSERT_GE(fd.get(), 0);
  char c;
  EXPECT_EQ(read(fd, &c, 1), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FilesTest, ODirectoryOnFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(open(Path("f").c_str(), O_RDONLY | O_DIRECTORY), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(FilesTest, OpenDirectoryForWriteIsEISDIR) {
  EXPECT_EQ(open(dir_.c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EISDIR);
}

TEST_F(FilesTest, ONofollowOnSymlinkIsELOOP) {
  WriteFile(Path("target"), "x");
  ASSERT_EQ(symlink("target", Path("link").c_str()), 0);
  EXPECT_EQ(open(Path("link").c_str(), O_RDONLY | O_NOFOLLOW), -1);
  EXPECT_EQ(errno, ELOOP);
}

TEST_F(FilesTest, OPathFdCannotBeRead) {
  WriteFile(Path("f"), "data");
  Fd fd(open(Path("f").c_str(), O_PATH));
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  char c;
  EXPECT_EQ(read(fd, &c, 1), -1);
  EXPECT_EQ(errno, EBADF);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);  // but fstat works on O_PATH fds
  EXPECT_EQ(st.st_size, 4);
}

// dash closes -1 after a pipeline's fork; a negative or far-out fd must be
// EBADF, not a crash (the libOS once passed it on to a host call its own
// filter trapped again).
TEST_F(FilesTest, CloseOfNegativeOrFarOutFdIsEBADF) {
  EXPECT_EQ(close(-1), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(syscall(SYS_close, 0xffffffff00000000L | 1000000), -1);  // junk upper half
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(close(1 << 20), -1);
  EXPECT_EQ(errno, EBADF);
}

// nginx's master makes itself the owner of its worker channels.
TEST_F(FilesTest, FSetownOfSelfIsReadBackAndCleared) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_EQ(fcntl(p[0], F_SETOWN, getpid()), 0) << strerror(errno);
  EXPECT_EQ(fcntl(p[0], F_GETOWN), getpid());
  struct f_owner_ex ex {};
  ASSERT_EQ(fcntl(p[0], F_GETOWN_EX, &ex), 0);
  EXPECT_EQ(ex.type, F_OWNER_PID);
  EXPECT_EQ(ex.pid, getpid());
  EXPECT_EQ(fcntl(p[0], F_SETOWN, 0), 0);
  EXPECT_EQ(fcntl(p[0], F_GETOWN), 0);
  close(p[0]);
  close(p[1]);
}

TEST_F(FilesTest, WriteThenReadRoundTrip) {
  Fd fd(open(Path("f").c_str(), O_CREAT | O_RDWR, 0644));
  ASSERT_GE(fd.get(), 0);
  ASSERT_EQ(write(fd, "conformance", 11), 11);
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  char buf[32] = {};
  ASSERT_EQ(read(fd, buf, sizeof buf), 11);
  EXPECT_STREQ(buf, "conformance");
}

TEST_F(FilesTest, ReadAtEofReturnsZero) {
  WriteFile(Path("f"), "ab");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  char buf[8];
  ASSERT_EQ(read(fd, buf, sizeof buf), 2);
  EXPECT_EQ(read(fd, buf, sizeof buf), 0);
}

TEST_F(FilesTest, ShortReadReturnsOnlyAvailableBytes) {
  WriteFile(Path("f"), "12345");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_EQ(lseek(fd, 3, SEEK_SET), 3);
  char buf[16] = {};
  ASSERT_EQ(read(fd, buf, sizeof buf), 2);
  EXPECT_STREQ(buf, "45");
}

TEST_F(FilesTest, PreadDoesNotMoveOffset) {
  WriteFile(Path("f"), "0123456789");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_EQ(lseek(fd, 2, SEEK_SET), 2);
  char buf[4] = {};
  ASSERT_EQ(pread(fd, buf, 3, 6), 3);
  EXPECT_EQ(std::string(buf, 3), "678");
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
}

TEST_F(FilesTest, PwriteWritesAtOffsetWithoutMovingIt) {
  WriteFile(Path("f"), "aaaaaaaa");
  Fd fd(open(Path("f").c_str(), O_RDWR));
  ASSERT_EQ(pwrite(fd, "XY", 2, 3), 2);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
  EXPECT_EQ(ReadFile(Path("f")), "aaaXYaaa");
}

TEST_F(FilesTest, PwritePastEndLeavesZeroFilledHole) {
  Fd fd(open(Path("f").c_str(), O_CREAT | O_RDWR, 0644));
  ASSERT_EQ(pwrite(fd, "Z", 1, 100), 1);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 101);
  std::string content = ReadFile(Path("f"));
  ASSERT_EQ(content.size(), 101u);
  EXPECT_EQ(content.find_first_not_of('\0'), 100u);
  EXPECT_EQ(content[100], 'Z');
}

TEST_F(FilesTest, PreadNegativeOffsetIsEINVAL) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  char c;
  EXPECT_EQ(pread(fd, &c, 1, -1), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(FilesTest, ReadvScattersIntoBuffers) {
  WriteFile(Path("f"), "abcdefgh");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  char a[3] = {}, b[5] = {};
  struct iovec iov[2] = {{a, 3}, {b, 5}};
  ASSERT_EQ(readv(fd, iov, 2), 8);
  EXPECT_EQ(std::string(a, 3), "abc");
  EXPECT_EQ(std::string(b, 5), "defgh");
}

TEST_F(FilesTest, WritevGathersBuffers) {
  Fd fd(open(Path("f").c_str(), O_CREAT | O_WRONLY, 0644));
  char a[] = "one-", b[] = "two-", c[] = "three";
  struct iovec iov[3] = {{a, 4}, {b, 4}, {c, 5}};
  ASSERT_EQ(writev(fd, iov, 3), 13);
  EXPECT_EQ(ReadFile(Path("f")), "one-two-three");
}

TEST_F(FilesTest, PreadvPwritevUseExplicitOffset) {
  WriteFile(Path("f"), "..........");
  Fd fd(open(Path("f").c_str(), O_RDWR));
  char w1[] = "AB", w2[] = "CD";
  struct iovec wiov[2] = {{w1, 2}, {w2, 2}};
  ASSERT_EQ(pwritev(fd, wiov, 2, 4), 4);
  char r[4] = {};
  struct iovec riov[1] = {{r, 4}};
  ASSERT_EQ(preadv(fd, riov, 1, 4), 4);
  EXPECT_EQ(std::string(r, 4), "ABCD");
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
}

TEST_F(FilesTest, LseekSetCurEnd) {
  WriteFile(Path("f"), "0123456789");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(lseek(fd, 4, SEEK_SET), 4);
  EXPECT_EQ(lseek(fd, 3, SEEK_CUR), 7);
  EXPECT_EQ(lseek(fd, -2, SEEK_END), 8);
  char c;
  ASSERT_EQ(read(fd, &c, 1), 1);
  EXPECT_EQ(c, '8');
}

TEST_F(FilesTest, LseekBeforeStartIsEINVAL) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(lseek(fd, -1, SEEK_SET), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(FilesTest, LseekOnPipeIsESPIPE) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  Fd r(p[0]), w(p[1]);
  EXPECT_EQ(lseek(r, 0, SEEK_SET), -1);
  EXPECT_EQ(errno, ESPIPE);
}

TEST_F(FilesTest, DupSharesFileOffset) {
  WriteFile(Path("f"), "abcdef");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  Fd copy(dup(fd));
  ASSERT_GE(copy.get(), 0);
  EXPECT_NE(copy.get(), fd.get());
  char buf[2];
  ASSERT_EQ(read(fd, buf, 2), 2);
  ASSERT_EQ(read(copy, buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "cd");
}

TEST_F(FilesTest, DupReturnsLowestFreeFd) {
  WriteFile(Path("f"), "x");
  Fd a(open(Path("f").c_str(), O_RDONLY));
  Fd b(open(Path("f").c_str(), O_RDONLY));
  int freed = a.get();
  a.reset();
  Fd c(dup(b));
  EXPECT_EQ(c.get(), freed);
}

TEST_F(FilesTest, Dup2OntoChosenFdReplacesIt) {
  WriteFile(Path("a"), "A");
  WriteFile(Path("b"), "B");
  Fd fa(open(Path("a").c_str(), O_RDONLY));
  Fd fb(open(Path("b").c_str(), O_RDONLY));
  ASSERT_EQ(dup2(fa, fb), fb.get());
  char c = 0;
  ASSERT_EQ(read(fb, &c, 1), 1);
  EXPECT_EQ(c, 'A');
}

TEST_F(FilesTest, Dup2SameFdReturnsItUnchanged) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(dup2(fd, fd), fd.get());
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);  // dup2 onto itself keeps flags
}

TEST_F(FilesTest, Dup2ClearsCloexecOnNewFd) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY | O_CLOEXEC));
  Fd target(fcntl(fd, F_DUPFD, 40));
  ASSERT_GE(target.get(), 40);
  ASSERT_EQ(dup2(fd, target), target.get());
  EXPECT_EQ(fcntl(target, F_GETFD), 0);
}

TEST_F(FilesTest, Dup3CloexecSetsFlag) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  Fd target(fcntl(fd, F_DUPFD, 40));
  ASSERT_EQ(dup3(fd, target, O_CLOEXEC), target.get());
  EXPECT_EQ(fcntl(target, F_GETFD), FD_CLOEXEC);
}

TEST_F(FilesTest, Dup3SameFdIsEINVAL) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(dup3(fd, fd, 0), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(FilesTest, DupOfClosedFdIsEBADF) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  int n = fd.get();
  fd.reset();
  EXPECT_EQ(dup(n), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FilesTest, FcntlDupfdHonoursMinimum) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY | O_CLOEXEC));
  Fd copy(fcntl(fd, F_DUPFD, 57));
  ASSERT_GE(copy.get(), 57);
  EXPECT_EQ(fcntl(copy, F_GETFD), 0);  // F_DUPFD never copies FD_CLOEXEC
  Fd copy2(fcntl(fd, F_DUPFD_CLOEXEC, 57));
  ASSERT_GT(copy2.get(), copy.get());
  EXPECT_EQ(fcntl(copy2, F_GETFD), FD_CLOEXEC);
}

TEST_F(FilesTest, FcntlGetflReportsAccessModeAndAppend) {
  WriteFile(Path("f"), "x");
  Fd ro(open(Path("f").c_str(), O_RDONLY));
  Fd wa(open(Path("f").c_str(), O_WRONLY | O_APPEND));
  Fd rw(open(Path("f").c_str(), O_RDWR));
  EXPECT_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(fcntl(wa, F_GETFL) & O_ACCMODE, O_WRONLY);
  EXPECT_NE(fcntl(wa, F_GETFL) & O_APPEND, 0);
  EXPECT_EQ(fcntl(rw, F_GETFL) & O_ACCMODE, O_RDWR);
  EXPECT_EQ(fcntl(rw, F_GETFL) & O_APPEND, 0);
}

TEST_F(FilesTest, FcntlSetflTogglesAppendAndNonblock) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_WRONLY));
  int fl = fcntl(fd, F_GETFL);
  ASSERT_EQ(fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK), 0);
  int now = fcntl(fd, F_GETFL);
  EXPECT_NE(now & O_APPEND, 0);
  EXPECT_NE(now & O_NONBLOCK, 0);
  ASSERT_EQ(write(fd, "d", 1), 1);  // appended, not written at offset 0
  EXPECT_EQ(ReadFile(Path("f")), "abcd");
  ASSERT_EQ(fcntl(fd, F_SETFL, fl), 0);
  EXPECT_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
}

TEST_F(FilesTest, FcntlSetflCannotChangeAccessMode) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_EQ(fcntl(fd, F_SETFL, O_RDWR), 0);  // access mode bits are ignored
  EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(write(fd, "x", 1), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FilesTest, OCloexecVisibleViaGetfd) {
  WriteFile(Path("f"), "x");
  Fd with(open(Path("f").c_str(), O_RDONLY | O_CLOEXEC));
  Fd without(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(fcntl(with, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(fcntl(without, F_GETFD), 0);
}

TEST_F(FilesTest, FcntlSetfdTogglesCloexec) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  ASSERT_EQ(fcntl(fd, F_SETFD, 0), 0);
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
}

TEST_F(FilesTest, FcntlOnClosedFdIsEBADF) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  int n = fd.get();
  fd.reset();
  EXPECT_EQ(fcntl(n, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

// Places dups of `fd` at the numbers [first, first+count) and returns them.
std::vector<int> DupRange(int fd, int first, int count) {
  std::vector<int> out;
  for (int i = 0; i < count; ++i) {
    int n = dup2(fd, first + i);
    EXPECT_EQ(n, first + i) << strerror(errno);
    out.push_back(n);
  }
  return out;
}

TEST_F(FilesTest, CloseRangeClosesOnlyTheRange) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  std::vector<int> fds = DupRange(fd, 200, 6);  // 200..205
  ASSERT_EQ(CloseRange(201, 204, 0), 0) << strerror(errno);
  EXPECT_GE(fcntl(200, F_GETFD), 0);
  for (int n = 201; n <= 204; ++n) {
    EXPECT_EQ(fcntl(n, F_GETFD), -1) << n;
    EXPECT_EQ(errno, EBADF);
  }
  EXPECT_GE(fcntl(205, F_GETFD), 0);
  close(200);
  close(205);
}

TEST_F(FilesTest, CloseRangeCloexecMarksWithoutClosing) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  DupRange(fd, 210, 3);
  ASSERT_EQ(CloseRange(210, 212, CLOSE_RANGE_CLOEXEC), 0) << strerror(errno);
  for (int n = 210; n <= 212; ++n) {
    EXPECT_EQ(fcntl(n, F_GETFD), FD_CLOEXEC) << n;
    close(n);
  }
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);  // below the range: untouched
}

// LiteBox keeps its own channel at fd 1024; an application that raised its
// soft limit holds fds on both sides of it. Each case runs in a child (the
// limit and the fds are per process) that reports through its status.
bool HardNofileAtLeast(rlim_t n) {
  struct rlimit rl {};
  return getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max >= n;
}
bool RaiseSoftNofile(rlim_t n) {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  if (rl.rlim_cur < n) rl.rlim_cur = n;
  return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

TEST_F(FilesTest, ElevenHundredFdsAreNumberedUpwardAndCloseRangeEndsThemAll) {
  if (!HardNofileAtLeast(1200)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 1200";
  std::string file = Path("f");
  WriteFile(file, "x");
  Child c([&] {
    if (!RaiseSoftNofile(1200)) return 10;
    int prev = 2, n = 0;
    for (; n < 1100; ++n) {
      int fd = dup(0);
      if (fd < 0) return 11;
      if (fd <= prev) return 12;  // lowest free first, never reused while open
      prev = fd;
    }
    if (prev < 1100) return 13;
    if (CloseRange(3, ~0U, 0) != 0) return 14;
    if (fcntl(prev, F_GETFD) != -1 || fcntl(1023, F_GETFD) != -1) return 15;
    int again = open(file.c_str(), O_RDONLY);  // the process still works
    if (again != 3) return 16;
    char b = 0;
    return read(again, &b, 1) == 1 && b == 'x' ? 0 : 17;
  });
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
}

TEST_F(FilesTest, FdPast1024SurvivesForkAndCloses) {
  if (!HardNofileAtLeast(2048)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 2048";
  Child c([&] {
    if (!RaiseSoftNofile(2048)) return 10;
    if (dup2(1, 1500) != 1500) return 11;
    pid_t p = fork();
    if (p == 0) _exit(fcntl(1500, F_GETFD) == 0 ? 0 : 1);
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 12;
    if (close(1500) != 0) return 13;
    if (close(1500) != -1 || errno != EBADF) return 14;
    if (dup3(1, 1600, O_CLOEXEC) != 1600 || fcntl(1600, F_GETFD) != FD_CLOEXEC) return 15;
    if (CloseRange(1500, 1700, 0) != 0 || fcntl(1600, F_GETFD) != -1) return 16;
    return 0;
  });
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
}

TEST_F(FilesTest, CloseRangeUnshareOverEverything) {
  if (!HardNofileAtLeast(1200)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 1200";
  std::string file = Path("f");
  WriteFile(file, "x");
  Child c([&] {
    if (!RaiseSoftNofile(1200)) return 10;
    if (dup2(0, 1100) != 1100 || dup2(0, 900) != 900) return 11;
    if (CloseRange(3, ~0U, CLOSE_RANGE_UNSHARE) != 0) return 12;
    if (fcntl(1100, F_GETFD) != -1 || fcntl(900, F_GETFD) != -1) return 13;
    int again = open(file.c_str(), O_RDONLY);
    return again == 3 ? 0 : 14;
  });
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
}

TEST_F(FilesTest, CloseRangeFirstAboveLastIsEINVAL) {
  EXPECT_EQ(CloseRange(20, 10, 0), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(FilesTest, CloseTwiceIsEBADF) {
  WriteFile(Path("f"), "x");
  int fd = open(Path("f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(close(fd), 0);
  EXPECT_EQ(close(fd), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FilesTest, ReadOnNegativeFdIsEBADF) {
  char c;
  EXPECT_EQ(read(-1, &c, 1), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(FilesTest, ZeroLengthWriteReturnsZeroAndKeepsSize) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_WRONLY));
  EXPECT_EQ(write(fd, "", 0), 0);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 3);
}

TEST_F(FilesTest, OneMebibytePatternSurvivesRoundTrip) {
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131 + 7) % 251);
  WriteFile(Path("big"), data);
  std::string back = ReadFile(Path("big"));
  ASSERT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
}

TEST_F(FilesTest, SendfileCopiesBetweenFilesAndAdvancesOffset) {
  WriteFile(Path("src"), "0123456789");
  Fd in(open(Path("src").c_str(), O_RDONLY));
  Fd out(open(Path("dst").c_str(), O_CREAT | O_WRONLY, 0644));
  off_t off = 2;
  ASSERT_EQ(sendfile(out, in, &off, 5), 5) << strerror(errno);
  EXPECT_EQ(off, 7);
  EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);  // an explicit offset leaves the fd's alone
  EXPECT_EQ(ReadFile(Path("dst")), "23456");
}

TEST_F(FilesTest, CopyFileRangeCopiesRequestedBytes) {
  WriteFile(Path("src"), "abcdefghij");
  Fd in(open(Path("src").c_str(), O_RDONLY));
  Fd out(open(Path("dst").c_str(), O_CREAT | O_RDWR, 0644));
  loff_t in_off = 3, out_off = 1;
  ASSERT_EQ(copy_file_range(in, &in_off, out, &out_off, 4, 0), 4) << strerror(errno);
  EXPECT_EQ(in_off, 7);
  EXPECT_EQ(out_off, 5);
  EXPECT_EQ(ReadFile(Path("dst")), std::string("\0defg", 5));
}

TEST_F(FilesTest, FlockExclusiveConflictsAcrossOpenFiles) {
  WriteFile(Path("lock"), "");
  Fd a(open(Path("lock").c_str(), O_RDWR));
  Fd b(open(Path("lock").c_str(), O_RDWR));
  ASSERT_EQ(flock(a, LOCK_EX | LOCK_NB), 0) << strerror(errno);
  EXPECT_EQ(flock(b, LOCK_EX | LOCK_NB), -1);
  EXPECT_EQ(errno, EWOULDBLOCK);
  EXPECT_EQ(flock(b, LOCK_SH | LOCK_NB), -1);
  ASSERT_EQ(flock(a, LOCK_UN), 0);
  EXPECT_EQ(flock(b, LOCK_EX | LOCK_NB), 0);
}

TEST_F(FilesTest, FlockSharedLocksCoexist) {
  WriteFile(Path("lock"), "");
  Fd a(open(Path("lock").c_str(), O_RDONLY));
  Fd b(open(Path("lock").c_str(), O_RDONLY));
  EXPECT_EQ(flock(a, LOCK_SH | LOCK_NB), 0);
  EXPECT_EQ(flock(b, LOCK_SH | LOCK_NB), 0);
}

TEST_F(FilesTest, OfdLocksConflictBetweenOpenFiles) {
  WriteFile(Path("lock"), "0123456789");
  Fd a(open(Path("lock").c_str(), O_RDWR));
  Fd b(open(Path("lock").c_str(), O_RDWR));
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 2;
  fl.l_len = 4;
  ASSERT_EQ(fcntl(a, F_OFD_SETLK, &fl), 0) << strerror(errno);
  struct flock other = fl;
  EXPECT_EQ(fcntl(b, F_OFD_SETLK, &other), -1);
  EXPECT_TRUE(errno == EAGAIN || errno == EACCES) << strerror(errno);
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 10;
  ASSERT_EQ(fcntl(b, F_OFD_GETLK, &probe), 0);
  EXPECT_EQ(probe.l_type, F_WRLCK);
  EXPECT_EQ(probe.l_start, 2);
  EXPECT_EQ(probe.l_len, 4);
  EXPECT_EQ(probe.l_pid, -1);  // OFD locks have no owning pid
  struct flock disjoint = fl;
  disjoint.l_start = 6;
  EXPECT_EQ(fcntl(b, F_OFD_SETLK, &disjoint), 0) << strerror(errno);
}

TEST_F(FilesTest, PosixLockOwnLockIsNotAConflict) {
  WriteFile(Path("lock"), "data");
  Fd a(open(Path("lock").c_str(), O_RDWR));
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  ASSERT_EQ(fcntl(a, F_SETLK, &fl), 0) << strerror(errno);
  struct flock probe = fl;
  ASSERT_EQ(fcntl(a, F_GETLK, &probe), 0);
  EXPECT_EQ(probe.l_type, F_UNLCK);  // a process never conflicts with itself
}

}  // namespace
}  // namespace conformance
