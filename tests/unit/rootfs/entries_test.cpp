// kMkdir, kMknod, kUnlink, kRename, kLink, kSymlink, kReadlink.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"
#include "rootfs/host_fs.hpp"

namespace litebox::rootfs::test {
namespace {

using EntriesTest = RootfsTest;

bool HostExists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

TEST_F(EntriesTest, MkdirCreatesOwnedDirectory) {
  ctx_.creds.fsuid = 1000;
  ctx_.creds.fsgid = 1001;
  ASSERT_EQ(Call(proto::kMkdir, {0750}, "/dir/new").result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/new").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(Call(proto::kMkdir, {0755}, "/dir/new").result(), -EEXIST);
  EXPECT_EQ(Call(proto::kMkdir, {0755}, "/").result(), -EEXIST);
  EXPECT_EQ(Call(proto::kMkdir, {0755}, "/nope/new").result(), -ENOENT);
}

TEST_F(EntriesTest, MkdirInSetgidDirInheritsGroup) {
  ASSERT_EQ(chown((root_ + "/dir").c_str(), 0, 555), 0);
  ASSERT_EQ(chmod((root_ + "/dir").c_str(), 02777), 0);
  ctx_.creds.fsgid = 9;
  ASSERT_EQ(Call(proto::kMkdir, {0755}, "/dir/g").result(), 0);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/dir/g").c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, 555u);
}

TEST_F(EntriesTest, MknodFifoAndRegularButNoDevices) {
  ASSERT_EQ(Call(proto::kMknod, {S_IFIFO | 0600, 0}, "/tmp/f").result(), 0);
  struct stat st;
  ASSERT_EQ(lstat((root_ + "/tmp/f").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(Call(proto::kMknod, {S_IFREG | 0600, 0}, "/tmp/r").result(), 0);
  EXPECT_EQ(Call(proto::kMknod, {S_IFCHR | 0600, 0x0103}, "/tmp/mem").result(), -EPERM);
  EXPECT_EQ(Call(proto::kMknod, {S_IFBLK | 0600, 0x0800}, "/tmp/sda").result(), -EPERM);
  EXPECT_FALSE(HostExists(root_ + "/tmp/mem"));
}

TEST_F(EntriesTest, UnlinkAndRmdir) {
  ASSERT_EQ(Call(proto::kUnlink, {0}, "/dir/file").result(), 0);
  EXPECT_FALSE(HostExists(root_ + "/dir/file"));
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/dir/file").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/dir/sub").result(), -EISDIR);
  ASSERT_EQ(Call(proto::kUnlink, {AT_REMOVEDIR}, "/dir/sub").result(), 0);
  EXPECT_FALSE(HostExists(root_ + "/dir/sub"));
  EXPECT_EQ(Call(proto::kUnlink, {AT_REMOVEDIR}, "/etc").result(), -ENOTEMPTY);
  EXPECT_EQ(Call(proto::kUnlink, {AT_REMOVEDIR}, "/").result(), -EBUSY);
  EXPECT_EQ(Call(proto::kUnlink, {AT_REMOVEDIR}, "/dir/.").result(), -EINVAL);
}

TEST_F(EntriesTest, UnlinkOfSymlinkRemovesTheLinkNotTheTarget) {
  ASSERT_EQ(symlink("/dir/file", (root_ + "/l").c_str()), 0);
  ASSERT_EQ(Call(proto::kUnlink, {0}, "/l").result(), 0);
  EXPECT_FALSE(HostExists(root_ + "/l"));
  EXPECT_TRUE(HostExists(root_ + "/dir/file"));
}

TEST_F(EntriesTest, RenameMovesAndHonoursNoreplace) {
  ASSERT_EQ(Call(proto::kRename, {0}, "/dir/file", "/tmp/moved").result(), 0);
  EXPECT_EQ(ReadHost(root_ + "/tmp/moved"), "hello");
  EXPECT_FALSE(HostExists(root_ + "/dir/file"));
  EXPECT_EQ(Call(proto::kRename, {RENAME_NOREPLACE}, "/tmp/moved", "/etc/passwd").result(),
            -EEXIST);
  EXPECT_EQ(Call(proto::kRename, {0}, "/nope", "/tmp/x").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kRename, {RENAME_WHITEOUT}, "/tmp/moved", "/tmp/y").result(), -EINVAL);
}

TEST_F(EntriesTest, RenameExchangeSwaps) {
  ASSERT_EQ(Call(proto::kRename, {RENAME_EXCHANGE}, "/dir/file", "/etc/passwd").result(), 0);
  EXPECT_EQ(ReadHost(root_ + "/etc/passwd"), "hello");
}

TEST_F(EntriesTest, RenameOfDirIntoItselfFails) {
  EXPECT_EQ(Call(proto::kRename, {0}, "/dir", "/dir/sub/x").result(), -EINVAL);
}

TEST_F(EntriesTest, RenameWithDirFdsForBothPaths) {
  Reply a = Open("/dir", O_RDONLY | O_DIRECTORY);
  Reply b = Open("/tmp", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(Call(proto::kRename, {0}, "file", "f2", {a.fd.get(), b.fd.get()}, 0, 1).result(), 0);
  EXPECT_EQ(ReadHost(root_ + "/tmp/f2"), "hello");
}

TEST_F(EntriesTest, HardLinkSharesTheInode) {
  ASSERT_EQ(Call(proto::kLink, {0}, "/dir/file", "/tmp/hard").result(), 0);
  struct stat a, b;
  ASSERT_EQ(stat((root_ + "/dir/file").c_str(), &a), 0);
  ASSERT_EQ(stat((root_ + "/tmp/hard").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(Call(proto::kLink, {0}, "/dir/file", "/tmp/hard").result(), -EEXIST);
  EXPECT_EQ(Call(proto::kLink, {0}, "/dir", "/tmp/dirlink").result(), -EPERM);
}

TEST_F(EntriesTest, HardLinkOfSymlinkWithAndWithoutFollow) {
  ASSERT_EQ(symlink("/dir/file", (root_ + "/sl").c_str()), 0);
  ASSERT_EQ(Call(proto::kLink, {0}, "/sl", "/tmp/l1").result(), 0);
  struct stat st;
  ASSERT_EQ(lstat((root_ + "/tmp/l1").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(Call(proto::kLink, {AT_SYMLINK_FOLLOW}, "/sl", "/tmp/l2").result(), 0);
  ASSERT_EQ(lstat((root_ + "/tmp/l2").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(EntriesTest, SymlinkStoresTargetVerbatimAndReadlinkReturnsIt) {
  ctx_.creds.fsuid = 42;
  ASSERT_EQ(Call(proto::kSymlink, {}, "../weird//target", "/tmp/sym").result(), 0);
  EXPECT_EQ(ReadLink(AT_FDCWD, root_ + "/tmp/sym"), "../weird//target");
  struct stat st;
  ASSERT_EQ(lstat((root_ + "/tmp/sym").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 42u);
  Reply r = Call(proto::kReadlink, {}, "/tmp/sym");
  EXPECT_EQ(r.result(), 16);
  EXPECT_EQ(r.payload, "../weird//target");
  EXPECT_EQ(Call(proto::kSymlink, {}, "x", "/tmp/sym").result(), -EEXIST);
  EXPECT_EQ(Call(proto::kSymlink, {}, "", "/tmp/empty").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kReadlink, {}, "/etc/passwd").result(), -EINVAL);
}

TEST_F(EntriesTest, CreatingInProcOrDevIsRefused) {
  EXPECT_LT(Call(proto::kMkdir, {0755}, "/proc/x").result(), 0);
  EXPECT_LT(Open("/dev/newfile", O_WRONLY | O_CREAT).result(), 0);
  EXPECT_LT(Call(proto::kUnlink, {0}, "/dev/null").result(), 0);
  EXPECT_LT(Call(proto::kRename, {0}, "/proc/self", "/tmp/self").result(), 0);
  EXPECT_EQ(Call(proto::kLink, {0}, "/proc/self/status", "/tmp/st").result(), -EXDEV);
}

}  // namespace
}  // namespace litebox::rootfs::test
