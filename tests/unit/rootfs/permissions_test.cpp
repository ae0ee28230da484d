// Virtual credentials: a non-root user, capabilities, read-only root.
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"
#include "rootfs/search_ring.hpp"

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

// Each case runs twice: with the lookups' opens made through io_uring
// under the searcher's registered credentials (rootfs/search_ring.hpp),
// and with the thread's own credentials switched for the lookup
// (SearchAs, where io_uring is unavailable).
class SearchPermissionTest : public RootfsTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    SearchRing::SetEnabledForTesting(GetParam());
    opens_before_ = SearchRing::OpensForTesting();
    RootfsTest::SetUp();
  }
  void TearDown() override {
    RootfsTest::TearDown();
    // The ring did make this case's lookups (where there is one), rather
    // than each falling back to switching credentials.
    if (GetParam() && SearchRing::Get()) {
      EXPECT_GT(SearchRing::OpensForTesting(), opens_before_);
    } else if (!GetParam()) {
      EXPECT_EQ(SearchRing::OpensForTesting(), opens_before_);
    }
    SearchRing::SetEnabledForTesting(true);
  }
  uint64_t opens_before_ = 0;
};
INSTANTIATE_TEST_SUITE_P(Lookups, SearchPermissionTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "ThroughTheRing" : "BySwitchingCredentials";
                         });

// The ring is there on this kernel (unless an administrator turned
// io_uring off), so the cases above did run through it.
TEST(SearchRingTest, IsUsableHere) {
  std::ifstream f("/proc/sys/kernel/io_uring_disabled");
  int disabled = 0;
  if (f >> disabled; disabled != 0) GTEST_SKIP() << "kernel.io_uring_disabled=" << disabled;
  ASSERT_NE(SearchRing::Get(), nullptr);
}

// The ring's opens check search permission with the registered
// credentials, while the thread's own stay those of the proxy.
TEST(SearchRingTest, OpensWithTheRegisteredCredentialsOnly) {
  SearchRing* ring = SearchRing::Get();
  if (!ring) GTEST_SKIP() << "io_uring unavailable";
  char tmpl[] = "/tmp/search-ring-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string base = tmpl;
  ASSERT_EQ(chmod(base.c_str(), 0755), 0);  // mkdtemp's is 0700
  ASSERT_EQ(mkdir((base + "/private").c_str(), 0700), 0);
  ASSERT_EQ(mkdir((base + "/private/inner").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((base + "/group").c_str(), 0710), 0);
  ASSERT_EQ(chown((base + "/group").c_str(), 0, 2000), 0);
  ASSERT_EQ(mkdir((base + "/group/inner").c_str(), 0755), 0);
  int dir = open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  Creds user;
  user.fsuid = user.euid = user.ruid = 1000;
  user.fsgid = user.egid = user.rgid = 1000;
  user.cap_effective = 0;
  Creds member = user;
  member.groups = {3000, 2000};
  Creds bare_root;
  bare_root.cap_effective = 0;
  const int pu = ring->PersonalityFor(user), pm = ring->PersonalityFor(member),
            pr = ring->PersonalityFor(bare_root);
  ASSERT_GE(pu, 0);
  ASSERT_GE(pm, 0);
  ASSERT_GE(pr, 0);
  EXPECT_NE(pu, pm);
  EXPECT_EQ(ring->PersonalityFor(member), pm);  // registered once per class
  Creds reordered = member;
  reordered.groups = {2000, 3000, 2000};
  EXPECT_EQ(ring->PersonalityFor(reordered), pm);
  const uint64_t kFlags = O_PATH | O_NOFOLLOW | O_CLOEXEC, kResolve = RESOLVE_BENEATH;
  auto open_as = [&](int p, const char* path) {
    int fd = ring->Openat2(p, dir, path, kFlags, kResolve);
    if (fd >= 0) close(fd);
    return fd >= 0 ? 0 : fd;
  };
  EXPECT_EQ(open_as(pu, "private/inner"), -EACCES);
  EXPECT_EQ(open_as(pu, "private"), 0);  // the directory itself, from its parent
  EXPECT_EQ(open_as(pu, "group/inner"), -EACCES);
  EXPECT_EQ(open_as(pm, "group/inner"), 0);
  EXPECT_EQ(open_as(pr, "private/inner"), 0);  // root owns it: the owner bits
  EXPECT_EQ(open_as(pu, "missing/x"), -ENOENT);
  // The same answers from the kernel's worker threads, where a lookup the
  // dentry cache cannot answer goes.
  SearchRing::ForceAsyncForTesting(true);
  EXPECT_EQ(open_as(pu, "private/inner"), -EACCES);
  EXPECT_EQ(open_as(pm, "group/inner"), 0);
  EXPECT_EQ(open_as(pu, "group/inner"), -EACCES);
  SearchRing::ForceAsyncForTesting(false);
  // A root without capabilities is refused by a user's owner bits.
  ASSERT_EQ(chown((base + "/private").c_str(), 1000, 1000), 0);
  EXPECT_EQ(open_as(pr, "private/inner"), -EACCES);
  EXPECT_EQ(open_as(pu, "private/inner"), 0);
  // The proxy's own credentials were never the guest's.
  EXPECT_EQ(syscall(SYS_setfsuid, -1), 0);
  int fd = openat(dir, "private/inner", O_PATH | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  if (fd >= 0) close(fd);
  close(dir);
  std::filesystem::remove_all(base);
}

// A forked child makes a ring of its own (its copy of the parent's shares
// the parent's queues), and the parent's goes on working.
TEST(SearchRingTest, AForkedChildUsesItsOwnRing) {
  SearchRing* ring = SearchRing::Get();
  if (!ring) GTEST_SKIP() << "io_uring unavailable";
  Creds user;
  user.fsuid = user.fsgid = 1000;
  user.cap_effective = 0;
  const int p = ring->PersonalityFor(user);
  ASSERT_GE(p, 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SearchRing* own = SearchRing::Get();
    if (!own || own == ring) _exit(2);
    const int q = own->PersonalityFor(user);
    int fd = q < 0 ? -1 : own->Openat2(q, AT_FDCWD, "/etc", O_PATH | O_CLOEXEC, 0);
    _exit(fd >= 0 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  int fd = ring->Openat2(p, AT_FDCWD, "/etc", O_PATH | O_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  if (fd >= 0) close(fd);
}

TEST_P(SearchPermissionTest, UserCannotWalkThroughADirWithoutSearchPermission) {
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
TEST_P(SearchPermissionTest, RootWithoutCapabilitiesIsRefusedByOwnerBits) {
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

TEST_P(SearchPermissionTest, GroupSearchBitsCountForSupplementaryGroups) {
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

TEST_P(SearchPermissionTest, ProxyCredentialsAreRestoredAfterALookup) {
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
