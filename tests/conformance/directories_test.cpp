// Directory conformance: mkdir/rmdir, getdents64 listings (order-independent),
// rename/renameat2, chdir/fchdir/getcwd, *at() calls relative to dir fds.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class DirectoriesTest : public ScratchTest {};

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Lists `fd` with raw getdents64 calls using a `bufsize` buffer; name -> d_type.
// Fails the test if a name shows up twice.
std::map<std::string, unsigned char> Getdents(int fd, size_t bufsize) {
  std::map<std::string, unsigned char> out;
  alignas(8) char buf[65536];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, bufsize);
    EXPECT_GE(n, 0) << "getdents64: " << strerror(errno);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<linux_dirent64*>(buf + off);
      EXPECT_TRUE(out.emplace(d->d_name, d->d_type).second) << "duplicate entry " << d->d_name;
      EXPECT_NE(d->d_ino, 0u) << d->d_name;
      off += d->d_reclen;
    }
  }
  return out;
}

std::set<std::string> Names(const std::map<std::string, unsigned char>& m) {
  std::set<std::string> s;
  for (const auto& [k, v] : m) s.insert(k);
  return s;
}

int Renameat2(int olddirfd, const char* oldpath, int newdirfd, const char* newpath,
              unsigned flags) {
  return static_cast<int>(syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags));
}

TEST_F(DirectoriesTest, MkdirCreatesDirectoryWithUmaskedMode) {
  umask(022);
  ASSERT_EQ(mkdir(Path("d").c_str(), 0777), 0) << strerror(errno);
  struct stat st {};
  ASSERT_EQ(stat(Path("d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_EQ(st.st_nlink, 2u);
}

TEST_F(DirectoriesTest, SubdirectoryIncrementsParentLinkCount) {
  ASSERT_EQ(mkdir(Path("p").c_str(), 0755), 0);
  struct stat before {
  }, after{};
  ASSERT_EQ(stat(Path("p").c_str(), &before), 0);
  ASSERT_EQ(mkdir(Path("p/c").c_str(), 0755), 0);
  ASSERT_EQ(stat(Path("p").c_str(), &after), 0);
  EXPECT_EQ(after.st_nlink, before.st_nlink + 1);
}

TEST_F(DirectoriesTest, MkdirExistingIsEEXIST) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(mkdir(Path("d").c_str(), 0755), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(DirectoriesTest, MkdirMissingParentIsENOENT) {
  EXPECT_EQ(mkdir(Path("no/such").c_str(), 0755), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(DirectoriesTest, MkdirUnderFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(mkdir(Path("f/d").c_str(), 0755), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, RmdirRemovesEmptyDirectory) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  ASSERT_EQ(rmdir(Path("d").c_str()), 0);
  struct stat st {};
  EXPECT_EQ(stat(Path("d").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(DirectoriesTest, RmdirNonEmptyIsENOTEMPTY) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("d/f"), "x");
  EXPECT_EQ(rmdir(Path("d").c_str()), -1);
  EXPECT_TRUE(errno == ENOTEMPTY || errno == EEXIST) << strerror(errno);
}

TEST_F(DirectoriesTest, RmdirOnFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(rmdir(Path("f").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, RmdirDotIsEINVAL) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(rmdir(Path("d/.").c_str()), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(DirectoriesTest, UnlinkOnDirectoryIsEISDIR) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(unlink(Path("d").c_str()), -1);
  EXPECT_EQ(errno, EISDIR);
}

TEST_F(DirectoriesTest, GetdentsListsEveryEntryOnce) {
  WriteFile(Path("a"), "1");
  WriteFile(Path("b"), "2");
  ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
  ASSERT_EQ(symlink("a", Path("ln").c_str()), 0);
  Fd fd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  auto entries = Getdents(fd, 65536);
  EXPECT_EQ(Names(entries), (std::set<std::string>{".", "..", "a", "b", "sub", "ln"}));
  // d_type is optional (DT_UNKNOWN), but when reported it must be right.
  auto check = [&](const char* n, unsigned char want) {
    if (entries[n] != DT_UNKNOWN) {
      EXPECT_EQ(entries[n], want) << n;
    }
  };
  check("a", DT_REG);
  check("sub", DT_DIR);
  check("ln", DT_LNK);
}

TEST_F(DirectoriesTest, GetdentsSmallBufferNeedsSeveralCallsButLosesNothing) {
  std::set<std::string> want = {".", ".."};
  for (int i = 0; i < 60; ++i) {
    std::string name = "file-with-a-longish-name-" + std::to_string(i);
    WriteFile(Path(name), "x");
    want.insert(name);
  }
  Fd fd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  EXPECT_EQ(Names(Getdents(fd, 256)), want);
}

TEST_F(DirectoriesTest, GetdentsBufferTooSmallForOneEntryIsEINVAL) {
  WriteFile(Path("a"), "1");
  Fd fd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  alignas(8) char buf[8];
  EXPECT_EQ(syscall(SYS_getdents64, fd.get(), buf, sizeof buf), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(DirectoriesTest, GetdentsOnRegularFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  alignas(8) char buf[1024];
  EXPECT_EQ(syscall(SYS_getdents64, fd.get(), buf, sizeof buf), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, GetdentsAfterRewindListsAgain) {
  WriteFile(Path("only"), "x");
  Fd fd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  auto first = Names(Getdents(fd, 4096));
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  EXPECT_EQ(Names(Getdents(fd, 4096)), first);
  EXPECT_EQ(first.count("only"), 1u);
}

TEST_F(DirectoriesTest, ReaddirSeesSameNamesAsGetdents) {
  for (const char* n : {"x", "y", "z"}) WriteFile(Path(n), n);
  DIR* d = opendir(dir_.c_str());
  ASSERT_NE(d, nullptr) << strerror(errno);
  std::set<std::string> names;
  while (struct dirent* e = readdir(d)) names.insert(e->d_name);
  closedir(d);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "x", "y", "z"}));
}

TEST_F(DirectoriesTest, RenameMovesFileAndContent) {
  WriteFile(Path("old"), "payload");
  ASSERT_EQ(rename(Path("old").c_str(), Path("new").c_str()), 0);
  EXPECT_EQ(access(Path("old").c_str(), F_OK), -1);
  EXPECT_EQ(ReadFile(Path("new")), "payload");
}

TEST_F(DirectoriesTest, RenameReplacesExistingFileAtomically) {
  WriteFile(Path("a"), "A");
  WriteFile(Path("b"), "B");
  struct stat sa {};
  ASSERT_EQ(stat(Path("a").c_str(), &sa), 0);
  ASSERT_EQ(rename(Path("a").c_str(), Path("b").c_str()), 0);
  struct stat sb {};
  ASSERT_EQ(stat(Path("b").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_ino, sa.st_ino);
  EXPECT_EQ(ReadFile(Path("b")), "A");
}

TEST_F(DirectoriesTest, RenameIntoOtherDirectory) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("f"), "moved");
  ASSERT_EQ(rename(Path("f").c_str(), Path("d/g").c_str()), 0);
  EXPECT_EQ(ReadFile(Path("d/g")), "moved");
}

TEST_F(DirectoriesTest, RenameNoreplaceOnExistingIsEEXIST) {
  WriteFile(Path("a"), "A");
  WriteFile(Path("b"), "B");
  EXPECT_EQ(Renameat2(dir_fd_, "a", dir_fd_, "b", RENAME_NOREPLACE), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(ReadFile(Path("a")), "A");
  EXPECT_EQ(ReadFile(Path("b")), "B");
}

TEST_F(DirectoriesTest, RenameNoreplaceOnFreeNameMoves) {
  WriteFile(Path("a"), "A");
  ASSERT_EQ(Renameat2(dir_fd_, "a", dir_fd_, "c", RENAME_NOREPLACE), 0) << strerror(errno);
  EXPECT_EQ(ReadFile(Path("c")), "A");
  EXPECT_EQ(access(Path("a").c_str(), F_OK), -1);
}

TEST_F(DirectoriesTest, RenameExchangeSwapsFileAndDirectory) {
  WriteFile(Path("f"), "file");
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("d/inner"), "in");
  ASSERT_EQ(Renameat2(dir_fd_, "f", dir_fd_, "d", RENAME_EXCHANGE), 0) << strerror(errno);
  EXPECT_EQ(ReadFile(Path("d")), "file");
  EXPECT_EQ(ReadFile(Path("f/inner")), "in");
}

TEST_F(DirectoriesTest, RenameExchangeWithMissingTargetIsENOENT) {
  WriteFile(Path("a"), "A");
  EXPECT_EQ(Renameat2(dir_fd_, "a", dir_fd_, "nope", RENAME_EXCHANGE), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(DirectoriesTest, RenameNoreplaceWithExchangeIsEINVAL) {
  WriteFile(Path("a"), "A");
  WriteFile(Path("b"), "B");
  EXPECT_EQ(Renameat2(dir_fd_, "a", dir_fd_, "b", RENAME_NOREPLACE | RENAME_EXCHANGE), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(DirectoriesTest, RenameDirectoryIntoItselfIsEINVAL) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(rename(Path("d").c_str(), Path("d/sub").c_str()), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(DirectoriesTest, RenameDirectoryOverNonEmptyDirectoryFails) {
  ASSERT_EQ(mkdir(Path("a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(Path("b").c_str(), 0755), 0);
  WriteFile(Path("b/f"), "x");
  EXPECT_EQ(rename(Path("a").c_str(), Path("b").c_str()), -1);
  EXPECT_TRUE(errno == ENOTEMPTY || errno == EEXIST) << strerror(errno);
}

TEST_F(DirectoriesTest, RenameDirectoryOverEmptyDirectoryReplacesIt) {
  ASSERT_EQ(mkdir(Path("a").c_str(), 0755), 0);
  WriteFile(Path("a/f"), "kept");
  ASSERT_EQ(mkdir(Path("b").c_str(), 0755), 0);
  ASSERT_EQ(rename(Path("a").c_str(), Path("b").c_str()), 0) << strerror(errno);
  EXPECT_EQ(ReadFile(Path("b/f")), "kept");
}

TEST_F(DirectoriesTest, RenameFileOverDirectoryIsEISDIR) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(rename(Path("f").c_str(), Path("d").c_str()), -1);
  EXPECT_EQ(errno, EISDIR);
}

TEST_F(DirectoriesTest, RenameDirectoryOverFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(rename(Path("d").c_str(), Path("f").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, ChdirChangesGetcwdAndRelativeLookups) {
  ASSERT_EQ(mkdir(Path("w").c_str(), 0755), 0);
  ASSERT_EQ(chdir(Path("w").c_str()), 0) << strerror(errno);
  char buf[PATH_MAX];
  ASSERT_NE(getcwd(buf, sizeof buf), nullptr) << strerror(errno);
  EXPECT_EQ(std::string(buf), Path("w"));
  WriteFile("rel", "relative");
  EXPECT_EQ(ReadFile(Path("w/rel")), "relative");
}

TEST_F(DirectoriesTest, ChdirDotDotGoesToParent) {
  ASSERT_EQ(mkdir(Path("w").c_str(), 0755), 0);
  ASSERT_EQ(chdir(Path("w").c_str()), 0);
  ASSERT_EQ(chdir(".."), 0);
  char buf[PATH_MAX];
  ASSERT_NE(getcwd(buf, sizeof buf), nullptr);
  EXPECT_EQ(std::string(buf), dir_);
}

TEST_F(DirectoriesTest, FchdirMatchesChdir) {
  ASSERT_EQ(mkdir(Path("w").c_str(), 0755), 0);
  Fd fd(open(Path("w").c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_EQ(fchdir(fd), 0) << strerror(errno);
  char buf[PATH_MAX];
  ASSERT_NE(getcwd(buf, sizeof buf), nullptr);
  EXPECT_EQ(std::string(buf), Path("w"));
}

TEST_F(DirectoriesTest, FchdirOnFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(fchdir(fd), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, ChdirToFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(chdir(Path("f").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, GetcwdBufferTooSmallIsERANGE) {
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  char buf[4];
  EXPECT_EQ(syscall(SYS_getcwd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, ERANGE);
}

TEST_F(DirectoriesTest, GetcwdSyscallReturnsLengthWithNul) {
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  char buf[PATH_MAX];
  long n = syscall(SYS_getcwd, buf, sizeof buf);
  EXPECT_EQ(n, static_cast<long>(dir_.size() + 1));
  EXPECT_EQ(std::string(buf), dir_);
}

TEST_F(DirectoriesTest, OpenatResolvesRelativeToDirFd) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("d/f"), "via-dirfd");
  Fd d(open(Path("d").c_str(), O_RDONLY | O_DIRECTORY));
  Fd f(openat(d, "f", O_RDONLY));
  ASSERT_GE(f.get(), 0) << strerror(errno);
  EXPECT_EQ(ReadAll(f), "via-dirfd");
}

TEST_F(DirectoriesTest, OpenatDotDotLeavesDirFd) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("sibling"), "up");
  Fd d(open(Path("d").c_str(), O_RDONLY | O_DIRECTORY));
  Fd f(openat(d, "../sibling", O_RDONLY));
  ASSERT_GE(f.get(), 0) << strerror(errno);
  EXPECT_EQ(ReadAll(f), "up");
}

TEST_F(DirectoriesTest, OpenatAbsolutePathIgnoresDirFd) {
  WriteFile(Path("f"), "abs");
  Fd f(openat(12345, Path("f").c_str(), O_RDONLY));  // dirfd is never looked at
  ASSERT_GE(f.get(), 0) << strerror(errno);
  EXPECT_EQ(ReadAll(f), "abs");
}

TEST_F(DirectoriesTest, OpenatFdcwdUsesWorkingDirectory) {
  WriteFile(Path("f"), "cwd");
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  Fd f(openat(AT_FDCWD, "f", O_RDONLY));
  ASSERT_GE(f.get(), 0);
  EXPECT_EQ(ReadAll(f), "cwd");
}

TEST_F(DirectoriesTest, OpenatWithFileAsDirFdIsENOTDIR) {
  WriteFile(Path("f"), "x");
  Fd f(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(openat(f, "x", O_RDONLY), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(DirectoriesTest, OpenatWithBadDirFdIsEBADF) {
  EXPECT_EQ(openat(-7, "x", O_RDONLY), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(DirectoriesTest, MkdiratAndUnlinkatRemovedir) {
  ASSERT_EQ(mkdirat(dir_fd_, "d", 0700), 0);
  struct stat st {};
  ASSERT_EQ(fstatat(dir_fd_, "d", &st, 0), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(unlinkat(dir_fd_, "d", 0), -1);  // a directory needs AT_REMOVEDIR
  EXPECT_EQ(errno, EISDIR);
  ASSERT_EQ(unlinkat(dir_fd_, "d", AT_REMOVEDIR), 0);
  EXPECT_EQ(fstatat(dir_fd_, "d", &st, 0), -1);
}

TEST_F(DirectoriesTest, RootDotDotIsRoot) {
  struct stat root {
  }, up{};
  ASSERT_EQ(stat("/", &root), 0);
  ASSERT_EQ(stat("/..", &up), 0);
  EXPECT_EQ(root.st_ino, up.st_ino);
  EXPECT_EQ(root.st_dev, up.st_dev);
}

TEST_F(DirectoriesTest, TrailingSlashOnFileIsENOTDIR) {
  WriteFile(Path("f"), "x");
  struct stat st {};
  EXPECT_EQ(stat((Path("f") + "/").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

// Paths with "." and ".." components (compilers hand out many):
// resolved by the kernel's rules, where ".." after a symlink leaves the
// link's target, not the directory that holds the link.
class DotDotTest : public DirectoriesTest {
 protected:
  void SetUp() override {
    DirectoriesTest::SetUp();
    ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(Path("d/sub").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(Path("other").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(Path("other/deep").c_str(), 0755), 0);
    WriteFile(Path("d/f"), "in d");
    WriteFile(Path("other/x"), "in other");
    ASSERT_EQ(symlink("../other/deep", Path("d/l").c_str()), 0);
  }
  ino_t Ino(const std::string& p, bool follow = true) {
    struct stat st {};
    int r = follow ? stat(p.c_str(), &st) : lstat(p.c_str(), &st);
    EXPECT_EQ(r, 0) << p << ": " << strerror(errno);
    return st.st_ino;
  }
  int StatErrno(const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 ? 0 : errno;
  }
};

TEST_F(DotDotTest, DotDotOfADirectoryIsItsParent) {
  EXPECT_EQ(Ino(Path("d/sub/../f")), Ino(Path("d/f")));
  EXPECT_EQ(Ino(Path("d/sub/../../d/./f")), Ino(Path("d/f")));
  EXPECT_EQ(Ino(Path("d//sub/.")), Ino(Path("d/sub")));
  EXPECT_EQ(Ino(Path("d/sub/..")), Ino(Path("d")));
  EXPECT_EQ(Ino(Path("d/sub/")), Ino(Path("d/sub")));
  EXPECT_EQ(access(Path("d/sub/../f").c_str(), R_OK), 0) << strerror(errno);
  int fd = open(Path("d/sub/../f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << strerror(errno);
  char buf[16] = {};
  EXPECT_EQ(read(fd, buf, sizeof buf), 4);
  close(fd);
  EXPECT_STREQ(buf, "in d");
}

TEST_F(DotDotTest, DotDotOfAMissingOrNonDirectoryFails) {
  EXPECT_EQ(StatErrno(Path("d/missing/../f")), ENOENT);  // not "d/f"
  EXPECT_EQ(StatErrno(Path("d/f/../f")), ENOTDIR);
  EXPECT_EQ(StatErrno(Path("d/f/.")), ENOTDIR);
  EXPECT_EQ(StatErrno(Path("d/sub/../nothing")), ENOENT);
  EXPECT_EQ(access(Path("d/missing/../f").c_str(), F_OK), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(DotDotTest, DotDotAfterASymlinkLeavesItsTarget) {
  // d/l -> ../other/deep: d/l/.. is other, so d/l/../x is other/x.
  EXPECT_EQ(Ino(Path("d/l/../x")), Ino(Path("other/x")));
  EXPECT_EQ(StatErrno(Path("d/l/../f")), ENOENT);  // lexically d/f would exist
  EXPECT_EQ(Ino(Path("d/l/.")), Ino(Path("other/deep")));
}

TEST_F(DotDotTest, TheLastLinkIsFollowedOrNotAsAsked) {
  EXPECT_EQ(Ino(Path("d/sub/../l")), Ino(Path("other/deep")));
  EXPECT_EQ(Ino(Path("d/sub/../l"), false), Ino(Path("d/l"), false));
  char buf[64] = {};
  ASSERT_EQ(readlink(Path("d/./sub/../l").c_str(), buf, sizeof buf - 1), 13) << strerror(errno);
  EXPECT_STREQ(buf, "../other/deep");
}

TEST_F(DotDotTest, CreatesThroughDotsLandInTheDirectoryNamed) {
  for (const char* p : {"d/sub/../new1", "d/./new2", "d//new3", "d/sub/./../new4"}) {
    int fd = open(Path(p).c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0) << p << ": " << strerror(errno);
    close(fd);
  }
  std::set<std::string> want{".", "..", "f", "l", "sub", "new1", "new2", "new3", "new4"};
  EXPECT_EQ(Names(Getdents(Fd(open(Path("d").c_str(), O_RDONLY | O_DIRECTORY)).get(), 4096)), want);
  EXPECT_EQ(open(Path("d/sub/../f").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
  int fd = open(Path("d/sub/../f").c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  close(fd);
  EXPECT_EQ(ReadFile(Path("d/f")), "");
}

// A missing last entry followed by "." is no directory (ENOENT, even for
// mkdir); followed by "/" only a directory may be made there.
TEST_F(DotDotTest, MissingLeafWithTrailingSlashOrDot) {
  EXPECT_EQ(open(Path("n1/").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EISDIR);
  EXPECT_EQ(open(Path("n2/.").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(mkdir(Path("n3/.").c_str(), 0755), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(mknod(Path("n4/").c_str(), S_IFREG | 0644, 0), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(symlink("x", Path("n5/").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(link(Path("d/f").c_str(), Path("n6/").c_str()), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(rename(Path("d/f").c_str(), Path("n7/").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
  std::set<std::string> before{".", "..", "d", "other"};
  EXPECT_EQ(Names(Getdents(Fd(open(Path("").c_str(), O_RDONLY | O_DIRECTORY)).get(), 4096)),
            before);
  EXPECT_EQ(mkdir(Path("n8/").c_str(), 0755), 0) << strerror(errno);
  EXPECT_EQ(rename(Path("d/sub").c_str(), Path("n9/").c_str()), 0) << strerror(errno);
  struct stat st {};
  EXPECT_EQ(stat(Path("n9").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(DotDotTest, DotDotIntoProcReachesTheRealProc) {
  // From the scratch directory up to / (and beyond) and down into /proc.
  std::string up = "../../";  // past the root, where ".." stays
  for (char c : Path("d"))
    if (c == '/') up += "../";
  struct stat st {};
  ASSERT_EQ(stat((Path("d") + "/" + up + "proc/self/status").c_str(), &st), 0) << strerror(errno);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  int fd = open((Path("d") + "/" + up + "proc/self/status").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << strerror(errno);
  char buf[8] = {};
  EXPECT_EQ(read(fd, buf, 5), 5);
  close(fd);
  EXPECT_STREQ(buf, "Name:");
}

}  // namespace
}  // namespace conformance
