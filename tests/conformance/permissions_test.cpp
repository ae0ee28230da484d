// Permission conformance: chmod/fchmod/fchmodat, umask, access/faccessat,
// chown, and what root may do regardless of mode bits. Root-only cases skip
// unless the runner says the process is (virtual) root (CONFORMANCE_AS_ROOT=1).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class PermissionsTest : public ScratchTest {};

#define REQUIRE_ROOT() \
  if (!ExpectRoot()) GTEST_SKIP() << "needs CONFORMANCE_AS_ROOT=1"

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path << ": " << strerror(errno);
  return st.st_mode & 07777;
}

TEST_F(PermissionsTest, ChmodChangesMode) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chmod(Path("f").c_str(), 0600), 0);
  EXPECT_EQ(ModeOf(Path("f")), 0600u);
  ASSERT_EQ(chmod(Path("f").c_str(), 0751), 0);
  EXPECT_EQ(ModeOf(Path("f")), 0751u);
}

TEST_F(PermissionsTest, FchmodChangesModeOfOpenFile) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_EQ(fchmod(fd, 0640), 0) << strerror(errno);
  EXPECT_EQ(ModeOf(Path("f")), 0640u);
}

TEST_F(PermissionsTest, FchmodatRelativeToDirFd) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(fchmodat(dir_fd_, "f", 0604, 0), 0) << strerror(errno);
  EXPECT_EQ(ModeOf(Path("f")), 0604u);
}

TEST_F(PermissionsTest, ChmodFollowsSymlink) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(symlink("f", Path("l").c_str()), 0);
  ASSERT_EQ(chmod(Path("l").c_str(), 0611), 0);
  EXPECT_EQ(ModeOf(Path("f")), 0611u);
}

TEST_F(PermissionsTest, ChmodMissingIsENOENT) {
  EXPECT_EQ(chmod(Path("nope").c_str(), 0644), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(PermissionsTest, UmaskReturnsPreviousValue) {
  umask(0027);
  EXPECT_EQ(umask(0077), 0027u);
  EXPECT_EQ(umask(0022), 0077u);
}

TEST_F(PermissionsTest, UmaskMasksCreatMode) {
  umask(0027);
  Fd fd(open(Path("f").c_str(), O_CREAT | O_WRONLY, 0777));
  ASSERT_GE(fd.get(), 0);
  EXPECT_EQ(ModeOf(Path("f")), 0750u);
}

TEST_F(PermissionsTest, UmaskMasksMkdirMode) {
  umask(0077);
  ASSERT_EQ(mkdir(Path("d").c_str(), 0777), 0);
  EXPECT_EQ(ModeOf(Path("d")), 0700u);
}

TEST_F(PermissionsTest, UmaskDoesNotAffectChmod) {
  umask(0777);
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chmod(Path("f").c_str(), 0666), 0);
  EXPECT_EQ(ModeOf(Path("f")), 0666u);
}

TEST_F(PermissionsTest, AccessReportsExistence) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(access(Path("f").c_str(), F_OK), 0);
  EXPECT_EQ(access(Path("missing").c_str(), F_OK), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(PermissionsTest, AccessInvalidModeIsEINVAL) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(access(Path("f").c_str(), 0100), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(PermissionsTest, FaccessatRelativeToDirFd) {
  WriteFile(Path("f"), "x");
  EXPECT_EQ(faccessat(dir_fd_, "f", R_OK, 0), 0) << strerror(errno);
  EXPECT_EQ(faccessat(dir_fd_, "g", R_OK, 0), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(PermissionsTest, RootReadsAndWritesModeZeroFile) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "secret");
  ASSERT_EQ(chmod(Path("f").c_str(), 0000), 0);
  EXPECT_EQ(access(Path("f").c_str(), R_OK | W_OK), 0) << strerror(errno);
  Fd fd(open(Path("f").c_str(), O_RDWR));
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  EXPECT_EQ(ReadAll(fd), "secret");
}

TEST_F(PermissionsTest, RootNeedsSomeExecuteBitForXOK) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chmod(Path("f").c_str(), 0666), 0);
  EXPECT_EQ(access(Path("f").c_str(), X_OK), -1);
  EXPECT_EQ(errno, EACCES);
  ASSERT_EQ(chmod(Path("f").c_str(), 0001), 0);  // any x bit is enough for root
  EXPECT_EQ(access(Path("f").c_str(), X_OK), 0);
}

TEST_F(PermissionsTest, RootSearchesModeZeroDirectory) {
  REQUIRE_ROOT();
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("d/f"), "found");
  ASSERT_EQ(chmod(Path("d").c_str(), 0000), 0);
  EXPECT_EQ(ReadFile(Path("d/f")), "found");
  ASSERT_EQ(chmod(Path("d").c_str(), 0755), 0);  // so cleanup works for non-root too
}

TEST_F(PermissionsTest, RootKeepsSetuidBitsOnChmod) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chmod(Path("f").c_str(), 04755), 0);
  EXPECT_EQ(ModeOf(Path("f")), 04755u);
  ASSERT_EQ(chmod(Path("f").c_str(), 02711), 0);
  EXPECT_EQ(ModeOf(Path("f")), 02711u);
}

TEST_F(PermissionsTest, StickyBitOnDirectory) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  ASSERT_EQ(chmod(Path("d").c_str(), 01777), 0);
  EXPECT_EQ(ModeOf(Path("d")), 01777u);
}

TEST_F(PermissionsTest, NewFileIsOwnedByEffectiveIds) {
  WriteFile(Path("f"), "x");
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, geteuid());
  EXPECT_EQ(st.st_gid, getegid());
}

TEST_F(PermissionsTest, RootChownsFileToOtherIds) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chown(Path("f").c_str(), 1234, 5678), 0) << strerror(errno);
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
}

TEST_F(PermissionsTest, ChownMinusOneKeepsField) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chown(Path("f").c_str(), 42, 43), 0);
  ASSERT_EQ(chown(Path("f").c_str(), static_cast<uid_t>(-1), 44), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 42u);
  EXPECT_EQ(st.st_gid, 44u);
}

TEST_F(PermissionsTest, LchownChangesLinkNotTarget) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "x");
  ASSERT_EQ(symlink("f", Path("l").c_str()), 0);
  ASSERT_EQ(lchown(Path("l").c_str(), 77, 78), 0) << strerror(errno);
  struct stat ls {
  }, fs{};
  ASSERT_EQ(lstat(Path("l").c_str(), &ls), 0);
  ASSERT_EQ(stat(Path("f").c_str(), &fs), 0);
  EXPECT_EQ(ls.st_uid, 77u);
  EXPECT_EQ(fs.st_uid, geteuid());
}

TEST_F(PermissionsTest, ChownClearsSetuidBit) {
  REQUIRE_ROOT();
  WriteFile(Path("f"), "x");
  ASSERT_EQ(chmod(Path("f").c_str(), 04755), 0);
  ASSERT_EQ(chown(Path("f").c_str(), 1000, 1000), 0);
  EXPECT_EQ(ModeOf(Path("f")) & 04000, 0u);
}

}  // namespace
}  // namespace conformance
