// The mount table: bind mounts of dirs and files, tmpfs, read-only mounts.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "harness.hpp"
#include "rootfs/host_fs.hpp"

namespace litebox::rootfs::test {
namespace {

class MountsTest : public RootfsTest {
 protected:
  void SetUp() override {
    RootfsTest::SetUp();
    src_ = base_ + "/bindsrc";
    ASSERT_EQ(mkdir(src_.c_str(), 0755), 0);
    WriteHost(src_ + "/data.txt", "bound", 0644);
    WriteHost(base_ + "/hosts", "127.0.0.1 localhost\n", 0644);
    Reopen(false, {{"/data", Mount::kBind, src_, false},
                   {"/ro", Mount::kBind, src_, true},
                   {"/etc/hosts", Mount::kBind, base_ + "/hosts", false},
                   {"/scratch", Mount::kTmpfs, "", false}});
  }
  std::string src_;
};

TEST_F(MountsTest, BindDirIsVisibleAndWritable) {
  Reply r = Open("/data/data.txt", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(ReadFd(r.fd.get()), "bound");
  EXPECT_EQ(r.payload, "/data/data.txt");
  ASSERT_EQ(Open("/data/new", O_WRONLY | O_CREAT, 0644).result(), 0);
  struct stat st;
  EXPECT_EQ(stat((src_ + "/new").c_str(), &st), 0);
  // The mount point was created in the root (like runc) so listings show it.
  EXPECT_EQ(stat((root_ + "/data").c_str(), &st), 0);
}

TEST_F(MountsTest, BindFileShadowsTheRootsFile) {
  Reply r = Open("/etc/hosts", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(ReadFd(r.fd.get()), "127.0.0.1 localhost\n");
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/etc/hosts").result(), -EBUSY);
  EXPECT_EQ(Call(proto::kRename, {0}, "/etc/passwd", "/etc/hosts").result(), -EBUSY);
}

TEST_F(MountsTest, ReadOnlyBindRefusesWritesButReads) {
  EXPECT_EQ(Open("/ro/data.txt", O_RDONLY).result(), 0);
  EXPECT_EQ(Open("/ro/data.txt", O_WRONLY).result(), -EROFS);
  EXPECT_EQ(Open("/ro/x", O_WRONLY | O_CREAT).result(), -EROFS);
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/ro/data.txt").result(), -EROFS);
  EXPECT_EQ(Call(proto::kChmod, {0777, 0}, "/ro/data.txt").result(), -EROFS);
  // The same source stays writable through the other mount.
  EXPECT_EQ(Open("/data/data.txt", O_WRONLY).result(), 0);
}

TEST_F(MountsTest, CrossMountRenameAndLinkAreExdev) {
  EXPECT_EQ(Call(proto::kRename, {0}, "/data/data.txt", "/tmp/x").result(), -EXDEV);
  EXPECT_EQ(Call(proto::kLink, {0}, "/data/data.txt", "/tmp/x").result(), -EXDEV);
  EXPECT_EQ(Call(proto::kUnlink, {AT_REMOVEDIR}, "/data").result(), -EBUSY);
}

TEST_F(MountsTest, TmpfsIsPrivateEmptyAndSticky) {
  struct stat st = StatOf("/scratch");
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  ASSERT_EQ(Open("/scratch/f", O_WRONLY | O_CREAT, 0600).result(), 0);
  EXPECT_NE(stat((root_ + "/scratch/f").c_str(), &st), 0);  // not in the root dir
}

TEST_F(MountsTest, SymlinkInRootPointingIntoAMountCrossesIt) {
  ASSERT_EQ(symlink("/data", (root_ + "/datalink").c_str()), 0);
  Reply r = Open("/datalink/data.txt", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(ReadFd(r.fd.get()), "bound");
  EXPECT_EQ(r.payload, "/data/data.txt");
}

TEST_F(MountsTest, DotDotFromAMountRootReturnsToTheParentMount) {
  Reply r = Open("/data/../etc/passwd", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/etc/passwd");
}

// Paths that are not lexically clean take a one-call lookup where no mount
// or virtual tree lies on the way: each must still reach the mount's
// content, never the mount point's backing in the root.
TEST_F(MountsTest, DotsOnTheWayIntoAMountReachItsContent) {
  WriteHost(root_ + "/data/decoy.txt", "backing", 0644);  // hidden by the bind
  for (const char* p : {"/etc/../data/data.txt", "/etc//../data/./data.txt", "/../../data/data.txt",
                        "/data/./data.txt", "//data//data.txt"}) {
    Reply r = Open(p, O_RDONLY);
    ASSERT_EQ(r.result(), 0) << p;
    EXPECT_EQ(ReadFd(r.fd.get()), "bound") << p;
    EXPECT_EQ(r.payload, "/data/data.txt") << p;
  }
  EXPECT_EQ(Open("/etc/../data/decoy.txt", O_RDONLY).result(), -ENOENT);
  // Through a mount and out again: the way is the mount's, where "sub"
  // does not exist (the backing's does); and through a virtual tree.
  ASSERT_EQ(mkdir((root_ + "/data/sub").c_str(), 0755), 0);
  EXPECT_EQ(Open("/data/sub/../../etc/passwd", O_RDONLY).result(), -ENOENT);
  EXPECT_EQ(Call(proto::kStat, {0}, "/data/sub/../data.txt").result(), -ENOENT);
  ASSERT_EQ(mkdir((src_ + "/sub").c_str(), 0755), 0);
  EXPECT_EQ(Open("/data/sub/../../etc/passwd", O_RDONLY).result(), 0);
  EXPECT_EQ(Open("/dev/../etc/passwd", O_RDONLY).result(), 0);
  Reply h = Open("/etc/./hosts", O_RDONLY);
  ASSERT_EQ(h.result(), 0);
  EXPECT_EQ(ReadFd(h.fd.get()), "127.0.0.1 localhost\n");
  struct stat in = StatOf("/data/."), src;
  ASSERT_EQ(stat(src_.c_str(), &src), 0);
  EXPECT_EQ(in.st_ino, src.st_ino);
  // A create through such a path lands in the tmpfs, not under the root.
  ASSERT_EQ(Open("/scratch//f", O_WRONLY | O_CREAT, 0644).result(), 0);
  ASSERT_EQ(Open("/etc/../scratch/./g", O_WRONLY | O_CREAT, 0644).result(), 0);
  struct stat st;
  EXPECT_NE(stat((root_ + "/scratch/f").c_str(), &st), 0);
  EXPECT_NE(stat((root_ + "/scratch/g").c_str(), &st), 0);
  EXPECT_EQ(StatOf("/scratch/f").st_size, 0);
  EXPECT_EQ(StatOf("/scratch/g").st_size, 0);
}

// The root's own symlinks (/lib -> usr/lib on Debian) are read in one call
// on the way: every kind of target must land where the full walk would.
TEST_F(MountsTest, RootSymlinksOnTheWayLandWhereTheyPoint) {
  ASSERT_EQ(mkdir((root_ + "/usr").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root_ + "/usr/lib").c_str(), 0755), 0);
  WriteHost(root_ + "/usr/lib/libc.so", "libc", 0644);
  ASSERT_EQ(symlink("usr/lib", (root_ + "/lib").c_str()), 0);
  ASSERT_EQ(symlink("/usr/lib", (root_ + "/lib2").c_str()), 0);
  ASSERT_EQ(symlink("../../usr/lib", (root_ + "/lib3").c_str()), 0);
  ASSERT_EQ(symlink("nowhere", (root_ + "/dangling").c_str()), 0);
  ASSERT_EQ(symlink("data", (root_ + "/dl").c_str()), 0);
  ASSERT_EQ(symlink("/dev", (root_ + "/dv").c_str()), 0);
  ASSERT_EQ(symlink(outside_.c_str(), (root_ + "/out").c_str()), 0);
  for (const char* p : {"/lib/libc.so", "/lib2/libc.so", "/lib3/libc.so"}) {
    Reply r = Open(p, O_RDONLY);
    ASSERT_EQ(r.result(), 0) << p;
    EXPECT_EQ(ReadFd(r.fd.get()), "libc") << p;
    EXPECT_EQ(r.payload, "/usr/lib/libc.so") << p;
  }
  EXPECT_EQ(Open("/dangling/x", O_RDONLY).result(), -ENOENT);
  EXPECT_EQ(Open("/lib/none", O_RDONLY).result(), -ENOENT);
  EXPECT_EQ(Open("/etc/passwd/x", O_RDONLY).result(), -ENOTDIR);
  Reply d = Open("/dl/data.txt", O_RDONLY);
  ASSERT_EQ(d.result(), 0);
  EXPECT_EQ(ReadFd(d.fd.get()), "bound");
  EXPECT_TRUE(S_ISCHR(StatOf("/dv/null").st_mode));
  // A link to a host path names that path inside the root: not the decoy.
  EXPECT_EQ(Open("/out/decoy", O_RDONLY).result(), -ENOENT);
}

TEST_F(MountsTest, DirFdInsideAMountMapsBack) {
  Reply d = Open("/data", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  Reply r = Call(proto::kOpen, {O_RDONLY, 0, 0}, "data.txt", "", {d.fd.get()}, 0);
  ASSERT_EQ(r.result(), 0);
  // /data and /ro share the source; the more specific mapping is either.
  EXPECT_TRUE(r.payload == "/data/data.txt" || r.payload == "/ro/data.txt") << r.payload;
}

TEST_F(MountsTest, ProcMountsDescribesTheSandboxTable) {
  Reply r = Open("/proc/self/mounts", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  std::string m = ReadFd(r.fd.get());
  EXPECT_NE(m.find(" /data "), std::string::npos) << m;
  EXPECT_NE(m.find(" /ro "), std::string::npos);
  EXPECT_NE(m.find(" /etc/hosts "), std::string::npos);
  EXPECT_NE(m.find("tmpfs /scratch tmpfs rw"), std::string::npos);
  EXPECT_NE(m.find("shm /dev/shm tmpfs"), std::string::npos);
  EXPECT_EQ(m.find(base_), std::string::npos) << "host paths leak: " << m;
  size_t ro = m.find(" /ro ");
  EXPECT_NE(m.find(" ro,", ro), std::string::npos);
}

TEST_F(MountsTest, DestinationBehindAnImageSymlinkIsResolvedLikeRunc) {
  ASSERT_EQ(mkdir((root_ + "/run").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root_ + "/var").c_str(), 0755), 0);
  ASSERT_EQ(symlink("../run", (root_ + "/var/run").c_str()), 0);
  Reopen(false, {{"/var/run/secrets", Mount::kBind, src_, true}});
  Reply a = Open("/var/run/secrets/data.txt", O_RDONLY);
  ASSERT_EQ(a.result(), 0);
  EXPECT_EQ(ReadFd(a.fd.get()), "bound");
  EXPECT_EQ(a.payload, "/run/secrets/data.txt");
  Reply b = Open("/run/secrets/data.txt", O_RDONLY);
  ASSERT_EQ(b.result(), 0);
  EXPECT_EQ(Open("/run/secrets/data.txt", O_WRONLY).result(), -EROFS);
  // The symlink itself was left alone.
  EXPECT_EQ(ReadLink(AT_FDCWD, root_ + "/var/run"), "../run");
}

TEST_F(MountsTest, DestinationSymlinkCannotRedirectOntoTheRoot) {
  ASSERT_EQ(symlink("/", (root_ + "/evil").c_str()), 0);
  std::string err;
  EXPECT_EQ(RootFs::Open(root_, false, {{"/evil", Mount::kBind, src_, false}}, &err, base_),
            nullptr);
  EXPECT_NE(err.find("/evil"), std::string::npos) << err;
}

TEST_F(MountsTest, ScratchDirInsideTheRootIsRefused) {
  std::string err;
  EXPECT_EQ(RootFs::Open(root_, false, {}, &err, root_ + "/tmp"), nullptr);
  EXPECT_NE(err.find("inside the root"), std::string::npos) << err;
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/tmp"))
      << "the refused scratch dir was left behind";
}

TEST(MountsOpen, BadMountsAreNamedInTheError) {
  std::string err;
  EXPECT_EQ(RootFs::Open("/nonexistent-root-dir", false, {}, &err), nullptr);
  EXPECT_NE(err.find("/nonexistent-root-dir"), std::string::npos) << err;
  EXPECT_EQ(RootFs::Open("/usr", false, {{"relative", Mount::kBind, "/tmp", false}}, &err),
            nullptr);
  EXPECT_NE(err.find("mounts[0]"), std::string::npos) << err;
  EXPECT_EQ(RootFs::Open("/usr", false, {{"/x", Mount::kBind, "/no/such/src", false}}, &err),
            nullptr);
  EXPECT_NE(err.find("/no/such/src"), std::string::npos) << err;
}

}  // namespace
}  // namespace litebox::rootfs::test
