// Link conformance: symlink/readlink/lstat, hard link counts, unlink of open
// files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class LinksTest : public ScratchTest {};

std::string Readlink(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  EXPECT_GE(n, 0) << "readlink " << path << ": " << strerror(errno);
  return n < 0 ? std::string() : std::string(buf, n);
}

TEST_F(LinksTest, SymlinkStoresTargetVerbatim) {
  ASSERT_EQ(symlink("some/../odd//target", Path("l").c_str()), 0) << strerror(errno);
  EXPECT_EQ(Readlink(Path("l")), "some/../odd//target");
}

TEST_F(LinksTest, ReadlinkTruncatesWithoutNul) {
  ASSERT_EQ(symlink("abcdefgh", Path("l").c_str()), 0);
  char buf[4];
  EXPECT_EQ(readlink(Path("l").c_str(), buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf, 4), "abcd");
}

TEST_F(LinksTest, ReadlinkOnRegularFileIsEINVAL) {
  WriteFile(Path("f"), "x");
  char buf[16];
  EXPECT_EQ(readlink(Path("f").c_str(), buf, sizeof buf), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(LinksTest, ReadlinkatRelativeToDirFd) {
  ASSERT_EQ(symlinkat("tgt", dir_fd_, "l"), 0);
  char buf[16];
  ASSERT_EQ(readlinkat(dir_fd_, "l", buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "tgt");
}

TEST_F(LinksTest, LstatSeesLinkStatSeesTarget) {
  WriteFile(Path("target"), "12345");
  ASSERT_EQ(symlink("target", Path("l").c_str()), 0);
  struct stat ls {
  }, st{};
  ASSERT_EQ(lstat(Path("l").c_str(), &ls), 0);
  ASSERT_EQ(stat(Path("l").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(ls.st_mode));
  EXPECT_EQ(ls.st_size, 6);  // length of "target"
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 5);
  EXPECT_NE(ls.st_ino, st.st_ino);
}

TEST_F(LinksTest, DanglingSymlinkLstatOkStatENOENT) {
  ASSERT_EQ(symlink("nowhere", Path("l").c_str()), 0);
  struct stat st {};
  EXPECT_EQ(lstat(Path("l").c_str(), &st), 0);
  EXPECT_EQ(stat(Path("l").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(LinksTest, OpenCreatThroughDanglingSymlinkCreatesTarget) {
  ASSERT_EQ(symlink("made", Path("l").c_str()), 0);
  Fd fd(open(Path("l").c_str(), O_CREAT | O_WRONLY, 0644));
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  struct stat st {};
  EXPECT_EQ(lstat(Path("made").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(LinksTest, SymlinkLoopIsELOOP) {
  ASSERT_EQ(symlink("b", Path("a").c_str()), 0);
  ASSERT_EQ(symlink("a", Path("b").c_str()), 0);
  EXPECT_EQ(open(Path("a").c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, ELOOP);
}

TEST_F(LinksTest, SymlinkOverExistingIsEEXIST) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(symlink("t", Path("f").c_str()), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(LinksTest, RelativeSymlinkResolvesFromItsOwnDirectory) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("top"), "from-top");
  ASSERT_EQ(symlink("../top", Path("d/l").c_str()), 0);
  EXPECT_EQ(ReadFile(Path("d/l")), "from-top");
}

TEST_F(LinksTest, SymlinkToDirectoryIsTraversed) {
  ASSERT_EQ(mkdir(Path("real").c_str(), 0755), 0);
  WriteFile(Path("real/f"), "inside");
  ASSERT_EQ(symlink("real", Path("dl").c_str()), 0);
  EXPECT_EQ(ReadFile(Path("dl/f")), "inside");
}

TEST_F(LinksTest, AbsoluteSymlinkWorks) {
  WriteFile(Path("f"), "absolute");
  ASSERT_EQ(symlink(Path("f").c_str(), Path("l").c_str()), 0);
  EXPECT_EQ(ReadFile(Path("l")), "absolute");
}

TEST_F(LinksTest, HardLinkSharesInodeAndCountsLinks) {
  WriteFile(Path("a"), "shared");
  ASSERT_EQ(link(Path("a").c_str(), Path("b").c_str()), 0) << strerror(errno);
  struct stat sa {
  }, sb{};
  ASSERT_EQ(stat(Path("a").c_str(), &sa), 0);
  ASSERT_EQ(stat(Path("b").c_str(), &sb), 0);
  EXPECT_EQ(sa.st_ino, sb.st_ino);
  EXPECT_EQ(sa.st_nlink, 2u);
  WriteFile(Path("b"), "changed");
  EXPECT_EQ(ReadFile(Path("a")), "changed");
}

TEST_F(LinksTest, UnlinkDecrementsLinkCount) {
  WriteFile(Path("a"), "x");
  ASSERT_EQ(link(Path("a").c_str(), Path("b").c_str()), 0);
  ASSERT_EQ(link(Path("a").c_str(), Path("c").c_str()), 0);
  ASSERT_EQ(unlink(Path("b").c_str()), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
}

TEST_F(LinksTest, LinkOntoExistingIsEEXIST) {
  WriteFile(Path("a"), "x");
  WriteFile(Path("b"), "y");
  EXPECT_EQ(link(Path("a").c_str(), Path("b").c_str()), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(LinksTest, LinkToDirectoryIsEPERM) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(link(Path("d").c_str(), Path("d2").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
}

TEST_F(LinksTest, LinkatDoesNotFollowSymlinkByDefault) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(symlink("f", Path("s").c_str()), 0);
  ASSERT_EQ(linkat(dir_fd_, "s", dir_fd_, "h", 0), 0) << strerror(errno);
  struct stat st {};
  ASSERT_EQ(lstat(Path("h").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(linkat(dir_fd_, "s", dir_fd_, "h2", AT_SYMLINK_FOLLOW), 0) << strerror(errno);
  ASSERT_EQ(lstat(Path("h2").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(LinksTest, UnlinkedOpenFileStaysReadable) {
  WriteFile(Path("f"), "ghost");
  Fd fd(open(Path("f").c_str(), O_RDWR));
  ASSERT_GE(fd.get(), 0);
  ASSERT_EQ(unlink(Path("f").c_str()), 0);
  EXPECT_EQ(access(Path("f").c_str(), F_OK), -1);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_nlink, 0u);
  ASSERT_EQ(pwrite(fd, "G", 1, 0), 1);
  char buf[8] = {};
  ASSERT_EQ(pread(fd, buf, sizeof buf, 0), 5);
  EXPECT_STREQ(buf, "Ghost");
}

TEST_F(LinksTest, UnlinkSymlinkLeavesTarget) {
  WriteFile(Path("f"), "stay");
  ASSERT_EQ(symlink("f", Path("l").c_str()), 0);
  ASSERT_EQ(unlink(Path("l").c_str()), 0);
  EXPECT_EQ(ReadFile(Path("f")), "stay");
}

TEST_F(LinksTest, UnlinkMissingIsENOENT) {
  EXPECT_EQ(unlink(Path("missing").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
}

}  // namespace
}  // namespace conformance
