// Metadata conformance: stat/fstat/lstat/statx/newfstatat (AT_EMPTY_PATH),
// utimensat/futimens, truncate/ftruncate, statfs/fstatfs.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class MetadataTest : public ScratchTest {};

TEST_F(MetadataTest, StatReportsTypeSizeAndLinks) {
  WriteFile(Path("f"), std::string(1234, 'q'));
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 1234);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_GT(st.st_blksize, 0);
}

TEST_F(MetadataTest, FstatMatchesStat) {
  WriteFile(Path("f"), "abc");
  struct stat a {
  }, b{};
  ASSERT_EQ(stat(Path("f").c_str(), &a), 0);
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_EQ(fstat(fd, &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_dev, b.st_dev);
  EXPECT_EQ(a.st_mode, b.st_mode);
  EXPECT_EQ(a.st_size, b.st_size);
}

TEST_F(MetadataTest, DistinctFilesHaveDistinctInodes) {
  WriteFile(Path("a"), "1");
  WriteFile(Path("b"), "2");
  struct stat a {
  }, b{};
  ASSERT_EQ(stat(Path("a").c_str(), &a), 0);
  ASSERT_EQ(stat(Path("b").c_str(), &b), 0);
  EXPECT_NE(a.st_ino, b.st_ino);
}

TEST_F(MetadataTest, StatMissingIsENOENT) {
  struct stat st {};
  EXPECT_EQ(stat(Path("missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(MetadataTest, StatThroughFileComponentIsENOTDIR) {
  WriteFile(Path("f"), "x");
  struct stat st {};
  EXPECT_EQ(stat(Path("f/x").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(MetadataTest, StatEmptyPathIsENOENT) {
  struct stat st {};
  EXPECT_EQ(stat("", &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(MetadataTest, StatxReportsSameAsStat) {
  WriteFile(Path("f"), "statx!");
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  struct statx sx {};
  ASSERT_EQ(statx(AT_FDCWD, Path("f").c_str(), 0, STATX_BASIC_STATS, &sx), 0) << strerror(errno);
  EXPECT_EQ(sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO),
            static_cast<unsigned>(STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO));
  EXPECT_EQ(sx.stx_size, 6u);
  EXPECT_EQ(sx.stx_ino, st.st_ino);
  EXPECT_EQ(sx.stx_mode, st.st_mode);
  EXPECT_EQ(sx.stx_nlink, st.st_nlink);
  EXPECT_EQ(static_cast<time_t>(sx.stx_mtime.tv_sec), st.st_mtim.tv_sec);
  EXPECT_EQ(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
}

TEST_F(MetadataTest, StatxEmptyPathOnFd) {
  WriteFile(Path("f"), "0123456789");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  struct statx sx {};
  ASSERT_EQ(statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx), 0) << strerror(errno);
  EXPECT_EQ(sx.stx_size, 10u);
}

TEST_F(MetadataTest, StatxSymlinkNofollow) {
  ASSERT_EQ(symlink("target-name", Path("l").c_str()), 0);
  struct statx sx {};
  ASSERT_EQ(statx(dir_fd_, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx), 0);
  EXPECT_TRUE(S_ISLNK(sx.stx_mode));
  EXPECT_EQ(sx.stx_size, 11u);
}

TEST_F(MetadataTest, NewfstatatEmptyPathMatchesFstat) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  struct stat a {
  }, b{};
  ASSERT_EQ(fstatat(fd, "", &a, AT_EMPTY_PATH), 0) << strerror(errno);
  ASSERT_EQ(fstat(fd, &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_size, 3);
}

TEST_F(MetadataTest, NewfstatatEmptyPathOnDirFdDescribesDirectory) {
  struct stat st {};
  ASSERT_EQ(fstatat(dir_fd_, "", &st, AT_EMPTY_PATH), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  struct stat byname {};
  ASSERT_EQ(stat(dir_.c_str(), &byname), 0);
  EXPECT_EQ(st.st_ino, byname.st_ino);
}

TEST_F(MetadataTest, NewfstatatEmptyPathWithoutFlagIsENOENT) {
  struct stat st {};
  EXPECT_EQ(fstatat(dir_fd_, "", &st, 0), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(MetadataTest, FstatatNofollowSeesSymlink) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(symlink("f", Path("l").c_str()), 0);
  struct stat st {};
  ASSERT_EQ(fstatat(dir_fd_, "l", &st, AT_SYMLINK_NOFOLLOW), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(fstatat(dir_fd_, "l", &st, 0), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(MetadataTest, UtimensatSetsExactTimes) {
  WriteFile(Path("f"), "x");
  struct timespec ts[2] = {{1000000000, 123456789}, {1500000000, 987654321}};
  ASSERT_EQ(utimensat(AT_FDCWD, Path("f").c_str(), ts, 0), 0) << strerror(errno);
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_mtim.tv_sec, 1500000000);
  // Filesystems may round nanoseconds; tmpfs/ext4/xfs keep them exactly.
  EXPECT_EQ(st.st_atim.tv_nsec, 123456789);
  EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
}

TEST_F(MetadataTest, UtimensatOmitLeavesFieldAlone) {
  WriteFile(Path("f"), "x");
  struct timespec set[2] = {{2000, 0}, {3000, 0}};
  ASSERT_EQ(utimensat(dir_fd_, "f", set, 0), 0);
  struct timespec omit_atime[2] = {{0, UTIME_OMIT}, {4000, 0}};
  ASSERT_EQ(utimensat(dir_fd_, "f", omit_atime, 0), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_sec, 4000);
}

TEST_F(MetadataTest, UtimensatNullSetsCurrentTime) {
  WriteFile(Path("f"), "x");
  struct timespec old[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(utimensat(dir_fd_, "f", old, 0), 0);
  time_t before = time(nullptr);
  ASSERT_EQ(utimensat(dir_fd_, "f", nullptr, 0), 0);
  time_t after = time(nullptr);
  struct stat st {};
  ASSERT_EQ(stat(Path("f").c_str(), &st), 0);
  EXPECT_GE(st.st_mtim.tv_sec, before - 1);
  EXPECT_LE(st.st_mtim.tv_sec, after + 1);
}

TEST_F(MetadataTest, UtimensatNofollowChangesSymlinkOnly) {
  WriteFile(Path("f"), "x");
  ASSERT_EQ(symlink("f", Path("l").c_str()), 0);
  struct timespec ts[2] = {{5000, 0}, {6000, 0}};
  ASSERT_EQ(utimensat(dir_fd_, "l", ts, AT_SYMLINK_NOFOLLOW), 0) << strerror(errno);
  struct stat ls {
  }, fs{};
  ASSERT_EQ(lstat(Path("l").c_str(), &ls), 0);
  ASSERT_EQ(stat(Path("f").c_str(), &fs), 0);
  EXPECT_EQ(ls.st_mtim.tv_sec, 6000);
  EXPECT_NE(fs.st_mtim.tv_sec, 6000);
}

TEST_F(MetadataTest, FutimensOnOpenFd) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_WRONLY));
  struct timespec ts[2] = {{7000, 0}, {8000, 500}};
  ASSERT_EQ(futimens(fd, ts), 0) << strerror(errno);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 8000);
  EXPECT_EQ(st.st_atim.tv_sec, 7000);
}

TEST_F(MetadataTest, UtimensatBadNanosecondsIsEINVAL) {
  WriteFile(Path("f"), "x");
  struct timespec ts[2] = {{1, 1000000000}, {1, 0}};
  EXPECT_EQ(utimensat(dir_fd_, "f", ts, 0), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(MetadataTest, WriteAdvancesMtime) {
  WriteFile(Path("f"), "x");
  struct timespec old[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(utimensat(dir_fd_, "f", old, 0), 0);
  Fd fd(open(Path("f").c_str(), O_WRONLY));
  ASSERT_EQ(write(fd, "y", 1), 1);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_GT(st.st_mtim.tv_sec, 1000);
}

TEST_F(MetadataTest, TruncateShrinksAndExtendsWithZeros) {
  WriteFile(Path("f"), "0123456789");
  ASSERT_EQ(truncate(Path("f").c_str(), 4), 0);
  EXPECT_EQ(ReadFile(Path("f")), "0123");
  ASSERT_EQ(truncate(Path("f").c_str(), 8), 0);
  EXPECT_EQ(ReadFile(Path("f")), std::string("0123\0\0\0\0", 8));
}

TEST_F(MetadataTest, FtruncateChangesSizeButNotOffset) {
  WriteFile(Path("f"), "abcdef");
  Fd fd(open(Path("f").c_str(), O_RDWR));
  ASSERT_EQ(lseek(fd, 5, SEEK_SET), 5);
  ASSERT_EQ(ftruncate(fd, 2), 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 5);
  ASSERT_EQ(write(fd, "Z", 1), 1);  // writing past EOF leaves a hole
  EXPECT_EQ(ReadFile(Path("f")), std::string("ab\0\0\0Z", 6));
}

TEST_F(MetadataTest, FtruncateOnReadOnlyFdIsEINVAL) {
  WriteFile(Path("f"), "abc");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(ftruncate(fd, 0), -1);
  EXPECT_TRUE(errno == EINVAL || errno == EBADF) << strerror(errno);
  EXPECT_EQ(ReadFile(Path("f")), "abc");
}

TEST_F(MetadataTest, TruncateNegativeLengthIsEINVAL) {
  WriteFile(Path("f"), "abc");
  EXPECT_EQ(truncate(Path("f").c_str(), -1), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(MetadataTest, TruncateDirectoryIsEISDIR) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  EXPECT_EQ(truncate(Path("d").c_str(), 0), -1);
  EXPECT_EQ(errno, EISDIR);
}

TEST_F(MetadataTest, StatfsDescribesScratchFilesystem) {
  struct statfs a {
  }, b{};
  ASSERT_EQ(statfs(dir_.c_str(), &a), 0) << strerror(errno);
  EXPECT_GT(a.f_bsize, 0);
  EXPECT_GT(a.f_namelen, 0);
  EXPECT_LE(a.f_bfree, a.f_blocks);
  EXPECT_LE(a.f_bavail, a.f_bfree);
  ASSERT_EQ(fstatfs(dir_fd_, &b), 0) << strerror(errno);
  EXPECT_EQ(a.f_type, b.f_type);
  EXPECT_EQ(a.f_bsize, b.f_bsize);
}

TEST_F(MetadataTest, StatfsMissingIsENOENT) {
  struct statfs sf {};
  EXPECT_EQ(statfs(Path("missing").c_str(), &sf), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(MetadataTest, CreatingFileUpdatesDirectoryMtime) {
  struct timespec old[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, dir_.c_str(), old, 0), 0);
  WriteFile(Path("new"), "x");
  struct stat st {};
  ASSERT_EQ(fstat(dir_fd_, &st), 0);
  EXPECT_GT(st.st_mtim.tv_sec, 1000);
}

}  // namespace
}  // namespace conformance
