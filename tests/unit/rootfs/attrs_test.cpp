// kStat, kAccess, kChmod, kChown, kUtimens, kTruncate, kStatfs, kChdir,
// kFdPath, kGetdents, kFchmod, kFchown.
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <set>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

using AttrsTest = RootfsTest;

std::set<std::string> DirentNames(const std::string& records) {
  std::set<std::string> names;
  size_t at = 0;
  while (at + 19 < records.size()) {
    uint16_t reclen;
    memcpy(&reclen, records.data() + at + 16, 2);
    if (reclen == 0) break;
    names.insert(std::string(records.c_str() + at + 19));
    at += reclen;
  }
  return names;
}

TEST_F(AttrsTest, StatMatchesHostAndLstatSeesTheLink) {
  ASSERT_EQ(symlink("passwd", (root_ + "/etc/pl").c_str()), 0);
  struct stat host;
  ASSERT_EQ(stat((root_ + "/etc/passwd").c_str(), &host), 0);
  struct stat st = StatOf("/etc/pl");
  EXPECT_EQ(st.st_ino, host.st_ino);
  EXPECT_EQ(st.st_size, host.st_size);
  struct stat l = StatOf("/etc/pl", true);
  EXPECT_TRUE(S_ISLNK(l.st_mode));
  EXPECT_EQ(Call(proto::kStat, {0}, "/nope").result(), -ENOENT);
}

TEST_F(AttrsTest, ChmodChangesModeAndNofollowOnLinkIsUnsupported) {
  ASSERT_EQ(Call(proto::kChmod, {0600, 0}, "/dir/file").result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(symlink("file", (root_ + "/dir/l").c_str()), 0);
  EXPECT_EQ(Call(proto::kChmod, {0644, AT_SYMLINK_NOFOLLOW}, "/dir/l").result(), -EOPNOTSUPP);
}

TEST_F(AttrsTest, ChownAsRootAndLchown) {
  ASSERT_EQ(Call(proto::kChown, {1000, 2000, 0}, "/dir/file").result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 2000u);
  ASSERT_EQ(Call(proto::kChown, {-1, 3000, 0}, "/dir/file").result(), 0);
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 3000u);
  ASSERT_EQ(symlink("file", (root_ + "/dir/l").c_str()), 0);
  ASSERT_EQ(Call(proto::kChown, {5, 5, AT_SYMLINK_NOFOLLOW}, "/dir/l").result(), 0);
  ASSERT_EQ(lstat((root_ + "/dir/l").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 5u);
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
}

TEST_F(AttrsTest, UtimensSetsExplicitTimesAndOmitKeeps) {
  ASSERT_EQ(Call(proto::kUtimens, {0, 1000, 5, 2000, 7}, "/dir/file").result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 7);
  ASSERT_EQ(Call(proto::kUtimens, {0, 0, UTIME_OMIT, 3000, 0}, "/dir/file").result(), 0);
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_mtim.tv_sec, 3000);
  EXPECT_EQ(Call(proto::kUtimens, {0, 0, 1000000000, 0, 0}, "/dir/file").result(), -EINVAL);
}

TEST_F(AttrsTest, FutimensOnAnAttachedFd) {
  Reply f = Open("/dir/file", O_RDONLY);
  ASSERT_EQ(f.result(), 0);
  ASSERT_EQ(Call(proto::kUtimens, {0, 11, 0, 22, 0}, "", "", {f.fd.get()}).result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 22);
}

TEST_F(AttrsTest, TruncateShrinksAndRejectsDirsAndNegative) {
  ASSERT_EQ(Call(proto::kTruncate, {2}, "/dir/file").result(), 0);
  EXPECT_EQ(ReadHost(root_ + "/dir/file"), "he");
  EXPECT_EQ(Call(proto::kTruncate, {0}, "/dir").result(), -EISDIR);
  EXPECT_EQ(Call(proto::kTruncate, {-1}, "/dir/file").result(), -EINVAL);
}

TEST_F(AttrsTest, StatfsOfPathAndFd) {
  Reply r = Call(proto::kStatfs, {}, "/etc");
  ASSERT_EQ(r.result(), 0);
  ASSERT_EQ(r.payload.size(), sizeof(struct statfs));
  struct statfs sf, host;
  memcpy(&sf, r.payload.data(), sizeof(sf));
  ASSERT_EQ(statfs(root_.c_str(), &host), 0);
  EXPECT_EQ(sf.f_type, host.f_type);
  EXPECT_EQ(sf.f_flags & ST_RDONLY, 0u);
  Reply f = Open("/etc/passwd", O_RDONLY);
  Reply rf = Call(proto::kStatfs, {}, "", "", {f.fd.get()});
  ASSERT_EQ(rf.result(), 0);
  memcpy(&sf, rf.payload.data(), sizeof(sf));
  EXPECT_EQ(sf.f_type, host.f_type);
  Reply p = Call(proto::kStatfs, {}, "/proc/self");
  ASSERT_EQ(p.result(), 0);
  memcpy(&sf, p.payload.data(), sizeof(sf));
  EXPECT_EQ(sf.f_type, 0x9fa0);
}

TEST_F(AttrsTest, ChdirUpdatesCwdAndChecksDirectory) {
  ASSERT_EQ(symlink("dir/sub", (root_ + "/subl").c_str()), 0);
  Reply r = Call(proto::kChdir, {}, "/subl");
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/dir/sub");
  EXPECT_EQ(ctx_.cwd, "/dir/sub");
  Reply up = Call(proto::kChdir, {}, "..");
  ASSERT_EQ(up.result(), 0);
  EXPECT_EQ(up.payload, "/dir");
  EXPECT_EQ(Call(proto::kChdir, {}, "/etc/passwd").result(), -ENOTDIR);
  EXPECT_EQ(Call(proto::kChdir, {}, "/nope").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kChdir, {}, "/proc").result(), 0);
}

TEST_F(AttrsTest, FdPathNamesHeldFds) {
  Reply f = Open("/dir/file", O_RDONLY);
  Reply p = Call(proto::kFdPath, {}, "", "", {f.fd.get()});
  ASSERT_EQ(p.result(), 0);
  EXPECT_EQ(p.payload, "/dir/file");
  Reply v = Open("/proc/self/status", O_RDONLY);
  Reply pv = Call(proto::kFdPath, {}, "", "", {v.fd.get()});
  ASSERT_EQ(pv.result(), 0);
  EXPECT_EQ(pv.payload, "/proc/1/status");
  EXPECT_EQ(Call(proto::kFdPath, {}).result(), -EBADF);
}

TEST_F(AttrsTest, GetdentsListsARealDirectoryAndAdvancesTheGuestOffset) {
  Reply d = Open("/etc", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  Reply r = Call(proto::kGetdents, {4096}, "", "", {d.fd.get()});
  ASSERT_GT(r.result(), 0);
  EXPECT_EQ(static_cast<size_t>(r.result()), r.payload.size());
  auto names = DirentNames(r.payload);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "passwd", "shadow"}));
  Reply end = Call(proto::kGetdents, {4096}, "", "", {d.fd.get()});
  EXPECT_EQ(end.result(), 0);  // same open file description: the offset moved
  Reply f = Open("/etc/passwd", O_RDONLY);
  EXPECT_EQ(Call(proto::kGetdents, {4096}, "", "", {f.fd.get()}).result(), -ENOTDIR);
  EXPECT_EQ(Call(proto::kGetdents, {0}, "", "", {d.fd.get()}).result(), -EINVAL);
}

TEST_F(AttrsTest, FchmodAndFchownOnAttachedFd) {
  Reply f = Open("/dir/file", O_RDONLY);
  ASSERT_EQ(Call(proto::kFchmod, {0604}, "", "", {f.fd.get()}).result(), 0);
  ASSERT_EQ(Call(proto::kFchown, {7, 8}, "", "", {f.fd.get()}).result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0604u);
  EXPECT_EQ(st.st_uid, 7u);
  EXPECT_EQ(st.st_gid, 8u);
}

TEST_F(AttrsTest, AccessFokAndModes) {
  EXPECT_EQ(Call(proto::kAccess, {F_OK, 0}, "/etc/passwd").result(), 0);
  EXPECT_EQ(Call(proto::kAccess, {F_OK, 0}, "/etc/nope").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kAccess, {X_OK, 0}, "/bin/sh").result(), 0);
  EXPECT_EQ(Call(proto::kAccess, {X_OK, 0}, "/etc/passwd").result(), -EACCES);   // no x bit at all
  EXPECT_EQ(Call(proto::kAccess, {R_OK | W_OK, 0}, "/etc/shadow").result(), 0);  // root
  EXPECT_EQ(Call(proto::kAccess, {8, 0}, "/etc/passwd").result(), -EINVAL);
}

}  // namespace
}  // namespace litebox::rootfs::test
