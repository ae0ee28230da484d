// Lookup coherence: an answer a process got for a path (missing, a
// directory's or a link's stat, a link's target) must change as soon as
// another process of the same system changes that name. Inside LiteBox
// such answers are served from the sandbox's lookup cache
// (rootfs/lookup_cache.hpp): each case asks twice first (the second answer
// comes from the cache there), changes the name in a forked child, then
// asks again.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class LookupsTest : public ScratchTest {
 protected:
  // Runs `change` in a forked child; true if it returned true there.
  static bool InChild(const std::function<bool()>& change) {
    pid_t pid = fork();
    if (pid == 0) _exit(change() ? 0 : 1);
    int st = 0;
    return pid > 0 && WaitBounded(pid, &st) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  static int StatErrno(const std::string& p, struct stat* st = nullptr) {
    struct stat tmp;
    return stat(p.c_str(), st ? st : &tmp) == 0 ? 0 : errno;
  }
  static int LstatErrno(const std::string& p, struct stat* st = nullptr) {
    struct stat tmp;
    return lstat(p.c_str(), st ? st : &tmp) == 0 ? 0 : errno;
  }
  static std::string Readlink(const std::string& p, int* err) {
    char buf[256];
    ssize_t n = readlink(p.c_str(), buf, sizeof buf);
    *err = n < 0 ? errno : 0;
    return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
  }
};

TEST_F(LookupsTest, MissingFileCreatedByAnotherProcessIsFound) {
  const std::string f = Path("f");
  EXPECT_EQ(StatErrno(f), ENOENT);
  EXPECT_EQ(StatErrno(f), ENOENT);
  EXPECT_EQ(access(f.c_str(), F_OK), -1);
  EXPECT_EQ(open(f.c_str(), O_RDONLY), -1);
  ASSERT_TRUE(InChild([&] {
    int fd = open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    return fd >= 0 && close(fd) == 0;
  }));
  struct stat st;
  EXPECT_EQ(StatErrno(f, &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(access(f.c_str(), F_OK), 0) << strerror(errno);
  Fd fd(open(f.c_str(), O_RDONLY));
  EXPECT_GE(fd.get(), 0) << strerror(errno);
}

TEST_F(LookupsTest, MissingDirectoryOnTheWayCreatedLater) {
  const std::string f = Path("d/e/f");
  EXPECT_EQ(StatErrno(f), ENOENT);
  EXPECT_EQ(StatErrno(f), ENOENT);
  ASSERT_TRUE(InChild([&] {
    return mkdir(Path("d").c_str(), 0755) == 0 && mkdir(Path("d/e").c_str(), 0755) == 0 &&
           symlink("x", f.c_str()) == 0;
  }));
  EXPECT_EQ(LstatErrno(f), 0);
  int err;
  EXPECT_EQ(Readlink(f, &err), "x");
}

TEST_F(LookupsTest, RemovedFileIsMissing) {
  const std::string d = Path("d");
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  EXPECT_EQ(StatErrno(d), 0);
  EXPECT_EQ(StatErrno(d), 0);
  ASSERT_TRUE(InChild([&] { return rmdir(d.c_str()) == 0; }));
  EXPECT_EQ(StatErrno(d), ENOENT);
}

TEST_F(LookupsTest, DirectoryStatFollowsItsEntries) {
  const std::string d = Path("d");
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  struct stat before, again, after;
  ASSERT_EQ(StatErrno(d, &before), 0);
  ASSERT_EQ(StatErrno(d, &again), 0);
  EXPECT_EQ(before.st_nlink, again.st_nlink);
  ASSERT_TRUE(InChild([&] { return mkdir((d + "/sub").c_str(), 0755) == 0; }));
  ASSERT_EQ(StatErrno(d, &after), 0);
  EXPECT_EQ(after.st_nlink, before.st_nlink + 1);
  // The same directory named another way sees it too.
  struct stat dotted;
  ASSERT_EQ(StatErrno(d + "/sub/..", &dotted), 0);
  EXPECT_EQ(dotted.st_nlink, after.st_nlink);
}

TEST_F(LookupsTest, ChmodAndUtimesOfADirectoryShow) {
  const std::string d = Path("d");
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  struct stat st;
  ASSERT_EQ(StatErrno(d, &st), 0);
  ASSERT_EQ(StatErrno(d, &st), 0);
  ASSERT_TRUE(InChild([&] {
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    return chmod(d.c_str(), 0711) == 0 && utimensat(AT_FDCWD, d.c_str(), ts, 0) == 0;
  }));
  ASSERT_EQ(StatErrno(d, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
}

TEST_F(LookupsTest, ChmodThroughASymlinkChangesTheTarget) {
  const std::string d = Path("d"), l = Path("l");
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  ASSERT_EQ(symlink("d", l.c_str()), 0);
  struct stat st;
  ASSERT_EQ(StatErrno(d, &st), 0);
  ASSERT_EQ(StatErrno(d, &st), 0);
  ASSERT_TRUE(InChild([&] { return chmod(l.c_str(), 0700) == 0; }));
  ASSERT_EQ(StatErrno(d, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(LookupsTest, ReplacedSymlinkShowsItsNewTarget) {
  const std::string l = Path("l");
  ASSERT_EQ(symlink("one", l.c_str()), 0);
  int err;
  EXPECT_EQ(Readlink(l, &err), "one");
  EXPECT_EQ(Readlink(l, &err), "one");
  struct stat st;
  ASSERT_EQ(LstatErrno(l, &st), 0);
  ASSERT_TRUE(InChild([&] { return unlink(l.c_str()) == 0 && symlink("three", l.c_str()) == 0; }));
  EXPECT_EQ(Readlink(l, &err), "three");
  ASSERT_EQ(LstatErrno(l, &st), 0);
  EXPECT_EQ(st.st_size, 5);
}

TEST_F(LookupsTest, DirectoryReplacedByASymlink) {
  const std::string d = Path("d");
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  int err;
  Readlink(d, &err);
  EXPECT_EQ(err, EINVAL);
  Readlink(d, &err);
  EXPECT_EQ(err, EINVAL);
  ASSERT_TRUE(
      InChild([&] { return rmdir(d.c_str()) == 0 && symlink("elsewhere", d.c_str()) == 0; }));
  EXPECT_EQ(Readlink(d, &err), "elsewhere");
  EXPECT_EQ(err, 0);
}

TEST_F(LookupsTest, RenamedDirectoryMovesWhatIsBelowIt) {
  const std::string a = Path("a"), b = Path("b");
  ASSERT_EQ(mkdir(a.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((a + "/sub").c_str(), 0755), 0);
  EXPECT_EQ(StatErrno(a + "/sub"), 0);
  EXPECT_EQ(StatErrno(a + "/sub"), 0);
  EXPECT_EQ(StatErrno(b + "/sub"), ENOENT);
  EXPECT_EQ(StatErrno(b + "/sub"), ENOENT);
  ASSERT_TRUE(InChild([&] { return rename(a.c_str(), b.c_str()) == 0; }));
  EXPECT_EQ(StatErrno(a + "/sub"), ENOENT);
  EXPECT_EQ(StatErrno(b + "/sub"), 0);
}

TEST_F(LookupsTest, DottedPathSeesANewEntry) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  const std::string dotted = Path("d/../d/./y");
  EXPECT_EQ(StatErrno(dotted), ENOENT);
  EXPECT_EQ(StatErrno(dotted), ENOENT);
  ASSERT_TRUE(InChild([&] { return mkdir(Path("d/y").c_str(), 0700) == 0; }));
  EXPECT_EQ(StatErrno(dotted), 0);
}

TEST_F(LookupsTest, DotDotThroughADirectoryMadeLater) {
  // "a/../b" needs a as much as b.
  ASSERT_EQ(mkdir(Path("b").c_str(), 0755), 0);
  const std::string p = Path("a/../b");
  EXPECT_EQ(StatErrno(p), ENOENT);
  EXPECT_EQ(StatErrno(p), ENOENT);
  ASSERT_TRUE(InChild([&] { return mkdir(Path("a").c_str(), 0755) == 0; }));
  EXPECT_EQ(StatErrno(p), 0);
  EXPECT_EQ(StatErrno(p), 0);
  ASSERT_TRUE(InChild([&] { return rmdir(Path("a").c_str()) == 0; }));
  EXPECT_EQ(StatErrno(p), ENOENT);
}

TEST_F(LookupsTest, CreateThroughADanglingSymlink) {
  const std::string target = Path("target"), link = Path("link");
  ASSERT_EQ(symlink("target", link.c_str()), 0);
  EXPECT_EQ(StatErrno(target), ENOENT);
  EXPECT_EQ(StatErrno(target), ENOENT);
  ASSERT_TRUE(InChild([&] {
    int fd = open(link.c_str(), O_WRONLY | O_CREAT, 0644);
    return fd >= 0 && close(fd) == 0;
  }));
  EXPECT_EQ(StatErrno(target), 0);
}

TEST_F(LookupsTest, BoundSocketIsANewName) {
  const std::string p = Path("sock");
  EXPECT_EQ(StatErrno(p), ENOENT);
  EXPECT_EQ(StatErrno(p), ENOENT);
  ASSERT_TRUE(InChild([&] {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (p.size() >= sizeof a.sun_path) return false;
    strcpy(a.sun_path, p.c_str());
    return s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }));
  struct stat st;
  ASSERT_EQ(StatErrno(p, &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST_F(LookupsTest, HardLinkAndRenameOverAMissingName) {
  const std::string f = Path("f"), g = Path("g"), h = Path("h");
  WriteFile(f, "x");
  EXPECT_EQ(StatErrno(g), ENOENT);
  EXPECT_EQ(StatErrno(g), ENOENT);
  EXPECT_EQ(StatErrno(h), ENOENT);
  EXPECT_EQ(StatErrno(h), ENOENT);
  ASSERT_TRUE(InChild([&] { return link(f.c_str(), g.c_str()) == 0; }));
  EXPECT_EQ(StatErrno(g), 0);
  ASSERT_TRUE(InChild([&] { return rename(g.c_str(), h.c_str()) == 0; }));
  EXPECT_EQ(StatErrno(g), ENOENT);
  EXPECT_EQ(StatErrno(h), 0);
}

// A process that may not search a directory is told so, even right after
// one that may found what is inside.
TEST_F(LookupsTest, AnswersAreNotSharedAcrossCredentials) {
  if (!ExpectRoot()) GTEST_SKIP() << "needs root";
  const std::string d = Path("private");
  ASSERT_EQ(mkdir(d.c_str(), 0700), 0);
  ASSERT_EQ(chmod(Path("").c_str(), 0755), 0);
  EXPECT_EQ(StatErrno(d + "/missing"), ENOENT);
  EXPECT_EQ(StatErrno(d + "/missing"), ENOENT);
  int seen = -1;
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  ASSERT_TRUE(InChild([&] {
    if (setgid(65534) != 0 || setuid(65534) != 0) return false;
    int e = StatErrno(d + "/missing");
    return write(pipefd[1], &e, sizeof e) == sizeof e;
  }));
  ASSERT_EQ(read(pipefd[0], &seen, sizeof seen), static_cast<ssize_t>(sizeof seen));
  close(pipefd[0]);
  close(pipefd[1]);
  EXPECT_EQ(seen, EACCES);
}

}  // namespace
}  // namespace conformance
