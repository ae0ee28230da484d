// /proc/self conformance: what programs commonly read about themselves. Under
// LiteBox these files are synthesized by the supervisor, so they must agree
// with what the system calls report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <sstream>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class ProcfsTest : public ScratchTest {};

std::string Readlink(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  EXPECT_GE(n, 0) << "readlink " << path << ": " << strerror(errno);
  return n < 0 ? std::string() : std::string(buf, n);
}

// The value of "Key:" in /proc/self/status, or "" when missing.
std::string StatusField(const std::string& key) {
  return StatusValue(ReadFile("/proc/self/status"), key);
}

TEST_F(ProcfsTest, SelfExeNamesThisBinary) {
  std::string exe = Readlink("/proc/self/exe");
  ASSERT_FALSE(exe.empty());
  EXPECT_EQ(exe[0], '/');
  struct stat by_link {
  }, by_path{};
  ASSERT_EQ(stat("/proc/self/exe", &by_link), 0) << strerror(errno);
  ASSERT_EQ(stat(exe.c_str(), &by_path), 0) << exe << ": " << strerror(errno);
  EXPECT_EQ(by_link.st_ino, by_path.st_ino);
  EXPECT_EQ(by_link.st_size, by_path.st_size);
}

TEST_F(ProcfsTest, SelfFdLinkNamesOpenFile) {
  WriteFile(Path("target"), "x");
  Fd fd(open(Path("target").c_str(), O_RDONLY));
  EXPECT_EQ(Readlink("/proc/self/fd/" + std::to_string(fd.get())), Path("target"));
}

TEST_F(ProcfsTest, SelfFdLinkOfUnlinkedFileSaysDeleted) {
  WriteFile(Path("gone"), "x");
  Fd fd(open(Path("gone").c_str(), O_RDONLY));
  ASSERT_EQ(unlink(Path("gone").c_str()), 0);
  EXPECT_EQ(Readlink("/proc/self/fd/" + std::to_string(fd.get())), Path("gone") + " (deleted)");
}

TEST_F(ProcfsTest, SelfFdDirectoryListsOpenFd) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  struct stat st {};
  EXPECT_EQ(lstat(("/proc/self/fd/" + std::to_string(fd.get())).c_str(), &st), 0);
  int closed = fd.get();
  fd.reset();
  EXPECT_EQ(lstat(("/proc/self/fd/" + std::to_string(closed)).c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(ProcfsTest, StatusAgreesWithGetpidAndGetuid) {
  EXPECT_EQ(StatusField("Pid"), std::to_string(getpid()));
  EXPECT_EQ(StatusField("PPid"), std::to_string(getppid()));
  std::string uid = StatusField("Uid");
  EXPECT_EQ(uid.substr(0, uid.find_first_of(" \t")), std::to_string(getuid()));
}

TEST_F(ProcfsTest, SelfCwdFollowsChdir) {
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  EXPECT_EQ(Readlink("/proc/self/cwd"), dir_);
}

TEST_F(ProcfsTest, SelfLinkNamesOwnPid) {
  EXPECT_EQ(Readlink("/proc/self"), std::to_string(getpid()));
}

}  // namespace
}  // namespace conformance
