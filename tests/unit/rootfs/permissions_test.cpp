// Virtual credentials: a non-root user, capabilities, read-only root.
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

using PermissionsTest = RootfsTest;

TEST_F(PermissionsTest, UserCannotReadRootOnlyFile) {
  BecomeUser(1000, 1000);
  EXPECT_EQ(Open("/etc/shadow", O_RDONLY).result(), -EACCES);
  EXPECT_EQ(Open("/etc/passwd", O_RDONLY).result(), 0);
  EXPECT_EQ(Open("/etc/passwd", O_WRONLY).result(), -EACCES);
  EXPECT_EQ(Call(proto::kAccess, {R_OK, 0}, "/etc/shadow").result(), -EACCES);
  EXPECT_EQ(Call(proto::kAccess, {R_OK, 0}, "/etc/passwd").result(), 0);
}

TEST_F(PermissionsTest, OwnerAndGroupBitsDecide) {
  ASSERT_EQ(chown((root_ + "/dir/file").c_str(), 1000, 2000), 0);
  ASSERT_EQ(chmod((root_ + "/dir/file").c_str(), 0460), 0);
  BecomeUser(1000, 1000);
  EXPECT_EQ(Open("/dir/file", O_RDONLY).result(), 0);  // owner r
  EXPECT_EQ(Open("/dir/file", O_WRONLY).result(),
            -EACCES);  // owner has no w, group bits do not apply
  BecomeUser(1001, 2000);
  EXPECT_EQ(Open("/dir/file", O_RDWR).result(), 0);  // group rw
  BecomeUser(1001, 3000);
  ctx_.creds.groups = {2000};
  EXPECT_EQ(Open("/dir/file", O_RDWR).result(), 0);  // supplementary group
  ctx_.creds.groups = {};
  EXPECT_EQ(Open("/dir/file", O_RDONLY).result(), -EACCES);
}

TEST_F(PermissionsTest, UserCannotCreateInRootOwnedDirButCanInTmp) {
  BecomeUser(1000, 1000);
  EXPECT_EQ(Open("/etc/new", O_WRONLY | O_CREAT, 0644).result(), -EACCES);
  EXPECT_EQ(Call(proto::kMkdir, {0755}, "/etc/newdir").result(), -EACCES);
  EXPECT_EQ(Call(proto::kSymlink, {}, "x", "/etc/newlink").result(), -EACCES);
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/etc/passwd").result(), -EACCES);
  EXPECT_EQ(Call(proto::kRename, {0}, "/etc/passwd", "/tmp/p").result(), -EACCES);
  struct stat st;
  EXPECT_EQ(stat((root_ + "/etc/new").c_str(), &st), -1);
  Reply r = Open("/tmp/mine", O_WRONLY | O_CREAT, 0600);
  ASSERT_EQ(r.result(), 0);
  ASSERT_EQ(stat((root_ + "/tmp/mine").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
}

TEST_F(PermissionsTest, StickyTmpProtectsOtherUsersFiles) {
  WriteHost(root_ + "/tmp/theirs", "x", 0666);
  ASSERT_EQ(chown((root_ + "/tmp/theirs").c_str(), 2000, 2000), 0);
  BecomeUser(1000, 1000);
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/tmp/theirs").result(), -EPERM);
  EXPECT_EQ(Call(proto::kRename, {0}, "/tmp/theirs", "/tmp/stolen").result(), -EPERM);
  BecomeUser(2000, 2000);
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/tmp/theirs").result(), 0);
}

TEST_F(PermissionsTest, ChmodChownOnlyByOwnerOrCapable) {
  BecomeUser(1000, 1000);
  EXPECT_EQ(Call(proto::kChmod, {0777, 0}, "/etc/passwd").result(), -EPERM);
  EXPECT_EQ(Call(proto::kChown, {1000, -1, 0}, "/etc/passwd").result(), -EPERM);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/etc/passwd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(st.st_uid, 0u);
  // Owner may chmod, and chgrp only to its own groups.
  ASSERT_EQ(chown((root_ + "/dir/file").c_str(), 1000, 1000), 0);
  EXPECT_EQ(Call(proto::kChmod, {0600, 0}, "/dir/file").result(), 0);
  EXPECT_EQ(Call(proto::kChown, {-1, 5000, 0}, "/dir/file").result(), -EPERM);
  ctx_.creds.groups = {5000};
  EXPECT_EQ(Call(proto::kChown, {-1, 5000, 0}, "/dir/file").result(), 0);
  EXPECT_EQ(Call(proto::kChown, {0, -1, 0}, "/dir/file").result(), -EPERM);
}

TEST_F(PermissionsTest, UtimensNowNeedsWriteExplicitNeedsOwner) {
  ASSERT_EQ(chmod((root_ + "/dir/file").c_str(), 0666), 0);
  BecomeUser(1000, 1000);
  EXPECT_EQ(Call(proto::kUtimens, {0, 0, UTIME_NOW, 0, UTIME_NOW}, "/dir/file").result(), 0);
  EXPECT_EQ(Call(proto::kUtimens, {0, 5, 0, 5, 0}, "/dir/file").result(), -EPERM);
  EXPECT_EQ(Call(proto::kUtimens, {0, 0, UTIME_NOW, 0, UTIME_NOW}, "/etc/passwd").result(),
            -EACCES);
  EXPECT_EQ(Call(proto::kTruncate, {0}, "/etc/passwd").result(), -EACCES);
}

TEST_F(PermissionsTest, RootWithoutDacOverrideIsRefusedLikeAnyone) {
  ASSERT_EQ(chown((root_ + "/dir/file").c_str(), 1000, 1000), 0);
  ASSERT_EQ(chmod((root_ + "/dir/file").c_str(), 0600), 0);
  ctx_.creds.cap_effective = 0;
  EXPECT_EQ(Open("/dir/file", O_RDONLY).result(), -EACCES);
  ctx_.creds.cap_effective = 1ull << kCapDacReadSearch;
  EXPECT_EQ(Open("/dir/file", O_RDONLY).result(), 0);
  EXPECT_EQ(Open("/dir/file", O_WRONLY).result(), -EACCES);
  ctx_.creds.cap_effective = 1ull << kCapDacOverride;
  EXPECT_EQ(Open("/dir/file", O_RDWR).result(), 0);
}

TEST_F(PermissionsTest, ExecNeedsUsersExecuteBit) {
  ASSERT_EQ(chmod((root_ + "/bin/sh").c_str(), 0744), 0);
  BecomeUser(1000, 1000);
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/bin/sh").result(), -EACCES);
  ASSERT_EQ(chmod((root_ + "/bin/sh").c_str(), 0711), 0);
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/bin/sh").result(), 0);
}

TEST_F(PermissionsTest, AccessUsesRealIdsUnlessEaccess) {
  ASSERT_EQ(chown((root_ + "/dir/file").c_str(), 1000, 1000), 0);
  ASSERT_EQ(chmod((root_ + "/dir/file").c_str(), 0600), 0);
  BecomeUser(1000, 1000);
  ctx_.creds.ruid = 2000;  // setuid-style: effective 1000, real 2000
  EXPECT_EQ(Call(proto::kAccess, {R_OK, 0}, "/dir/file").result(), -EACCES);
  EXPECT_EQ(Call(proto::kAccess, {R_OK, AT_EACCESS}, "/dir/file").result(), 0);
}

TEST_F(PermissionsTest, HardLinkToOthersUnreadableFileIsRefused) {
  BecomeUser(1000, 1000);
  EXPECT_EQ(Call(proto::kLink, {0}, "/etc/shadow", "/tmp/shadow").result(), -EPERM);
}

TEST_F(PermissionsTest, ReadOnlyRootRefusesEveryWrite) {
  Reopen(true);
  EXPECT_EQ(Open("/etc/passwd", O_RDONLY).result(), 0);
  EXPECT_EQ(Open("/etc/passwd", O_WRONLY).result(), -EROFS);
  EXPECT_EQ(Open("/etc/passwd", O_RDONLY | O_TRUNC).result(), -EROFS);
  EXPECT_EQ(Open("/tmp/new", O_WRONLY | O_CREAT).result(), -EROFS);
  EXPECT_EQ(Call(proto::kMkdir, {0755}, "/tmp/d").result(), -EROFS);
  EXPECT_EQ(Call(proto::kMknod, {S_IFIFO | 0600, 0}, "/tmp/f").result(), -EROFS);
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/dir/file").result(), -EROFS);
  EXPECT_EQ(Call(proto::kRename, {0}, "/dir/file", "/dir/f2").result(), -EROFS);
  EXPECT_EQ(Call(proto::kLink, {0}, "/dir/file", "/dir/f2").result(), -EROFS);
  EXPECT_EQ(Call(proto::kSymlink, {}, "x", "/dir/l").result(), -EROFS);
  EXPECT_EQ(Call(proto::kChmod, {0777, 0}, "/dir/file").result(), -EROFS);
  EXPECT_EQ(Call(proto::kChown, {1, 1, 0}, "/dir/file").result(), -EROFS);
  EXPECT_EQ(Call(proto::kUtimens, {0, 1, 0, 1, 0}, "/dir/file").result(), -EROFS);
  EXPECT_EQ(Call(proto::kTruncate, {0}, "/dir/file").result(), -EROFS);
  EXPECT_EQ(Call(proto::kAccess, {W_OK, 0}, "/dir/file").result(), -EROFS);
  EXPECT_EQ(ReadHost(root_ + "/dir/file"), "hello");
  Reply s = Call(proto::kStatfs, {}, "/");
  ASSERT_EQ(s.result(), 0);
  struct statfs sf;
  memcpy(&sf, s.payload.data(), sizeof(sf));
  EXPECT_NE(sf.f_flags & ST_RDONLY, 0u);
  // /dev/shm stays writable: it is its own tmpfs.
  EXPECT_EQ(Open("/dev/shm/x", O_RDWR | O_CREAT, 0600).result(), 0);
}

}  // namespace
}  // namespace litebox::rootfs::test

namespace litebox::rootfs::test {
namespace {

using SearchPermissionTest = RootfsTest;

TEST_F(SearchPermissionTest, UserCannotWalkThroughADirWithoutSearchPermission) {
  ASSERT_EQ(mkdir((root_ + "/root").c_str(), 0700), 0);
  WriteHost(root_ + "/root/notes", "private", 0644);  // readable file, unsearchable dir
  BecomeUser(1000, 1000);
  EXPECT_EQ(Open("/root/notes", O_RDONLY).result(), -EACCES);
  EXPECT_EQ(Call(proto::kStat, {0}, "/root/notes").result(), -EACCES);
  EXPECT_EQ(Open("/root/new", O_WRONLY | O_CREAT, 0644).result(), -EACCES);
  // Through a symlink too: the target's directories are walked the same way.
  ASSERT_EQ(symlink("/root/notes", (root_ + "/tmp/ln").c_str()), 0);
  EXPECT_EQ(Open("/tmp/ln", O_RDONLY).result(), -EACCES);
  // The directory itself can still be stat'ed from its parent.
  EXPECT_EQ(Call(proto::kStat, {0}, "/root").result(), 0);
  // Root with CAP_DAC_READ_SEARCH walks through.
  BecomeUser(0, 0);
  ctx_.creds.cap_effective = 1ull << kCapDacReadSearch;
  EXPECT_EQ(Open("/root/notes", O_RDONLY).result(), 0);
}

// The one-call lookup lets the kernel check search permission with the
// guest's file credentials; these cases tell its answers from a root's.
TEST_F(SearchPermissionTest, RootWithoutCapabilitiesIsRefusedByOwnerBits) {
  ASSERT_EQ(mkdir((root_ + "/home").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root_ + "/home/u").c_str(), 0700), 0);
  ASSERT_EQ(chown((root_ + "/home/u").c_str(), 1000, 1000), 0);
  WriteHost(root_ + "/home/u/f", "x", 0644);
  BecomeUser(0, 0);
  ctx_.creds.cap_effective = 0;  // `runc spec`'s root keeps no DAC capability
  EXPECT_EQ(Open("/home/u/f", O_RDONLY).result(), -EACCES);
  EXPECT_EQ(Call(proto::kStat, {0}, "/home/u/f").result(), -EACCES);
  EXPECT_EQ(Call(proto::kStat, {0}, "/home/u").result(), 0);
  EXPECT_EQ(Call(proto::kStat, {0}, "/etc/passwd").result(), 0);
  ctx_.creds.cap_effective = 1ull << kCapDacOverride;
  EXPECT_EQ(Call(proto::kStat, {0}, "/home/u/f").result(), 0);
}

TEST_F(SearchPermissionTest, GroupSearchBitsCountForSupplementaryGroups) {
  ASSERT_EQ(mkdir((root_ + "/shared").c_str(), 0710), 0);
  ASSERT_EQ(chown((root_ + "/shared").c_str(), 0, 2000), 0);
  WriteHost(root_ + "/shared/f", "x", 0644);
  BecomeUser(1000, 1000);
  EXPECT_EQ(Call(proto::kStat, {0}, "/shared/f").result(), -EACCES);
  ctx_.creds.groups = {3000, 2000};
  EXPECT_EQ(Call(proto::kStat, {0}, "/shared/f").result(), 0);
  EXPECT_EQ(Open("/shared/f", O_RDONLY).result(), 0);
  BecomeUser(1000, 2000);  // the primary group (fsgid) counts as well
  EXPECT_EQ(Call(proto::kStat, {0}, "/shared/f").result(), 0);
}

TEST_F(SearchPermissionTest, ProxyCredentialsAreRestoredAfterALookup) {
  ASSERT_EQ(mkdir((root_ + "/root").c_str(), 0700), 0);
  WriteHost(root_ + "/root/notes", "private", 0644);
  auto fsuid = [] { return syscall(SYS_setfsuid, -1); };
  auto fsgid = [] { return syscall(SYS_setfsgid, -1); };
  long uid0 = fsuid(), gid0 = fsgid();
  // What a credential change resets on the side comes back too: `litebox
  // do`'s supervisor dies with its caller through the parent-death signal.
  ASSERT_EQ(prctl(PR_SET_PDEATHSIG, SIGWINCH, 0, 0, 0), 0);  // ignored by default
  BecomeUser(1000, 1000);
  ctx_.creds.groups = {4000};
  EXPECT_EQ(Call(proto::kStat, {0}, "/root/notes").result(), -EACCES);
  EXPECT_EQ(Call(proto::kStat, {0}, "/etc/passwd").result(), 0);
  EXPECT_EQ(fsuid(), uid0);
  EXPECT_EQ(fsgid(), gid0);
  int pdeath = 0;
  prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0);
  EXPECT_EQ(pdeath, SIGWINCH);
  EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
  prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  // The proxy (this process, root) still walks anywhere itself.
  struct stat st;
  EXPECT_EQ(stat((root_ + "/root/notes").c_str(), &st), 0);
  BecomeUser(0, 0);
  EXPECT_EQ(Open("/root/notes", O_RDONLY).result(), 0);
}

}  // namespace
}  // namespace litebox::rootfs::test
