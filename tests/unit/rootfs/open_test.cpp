// kOpen: reading, creating, flags, exec opens.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

class OpenTest : public RootfsTest {
 protected:
  // Opens `path` read-only; expects success and the canonical path it has.
  Reply ExpectOpensAs(const std::string& path, const std::string& canonical) {
    Reply r = Open(path, O_RDONLY);
    EXPECT_EQ(r.result(), 0) << path;
    EXPECT_EQ(r.payload, canonical) << path;
    return r;
  }
};

TEST_F(OpenTest, ReadsAFileAndRepliesItsCanonicalPath) {
  Reply r = Open("/etc/passwd", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  ASSERT_TRUE(r.fd);
  EXPECT_EQ(r.hdr.aux[0], proto::kFdHost);
  EXPECT_EQ(r.payload, "/etc/passwd");
  EXPECT_EQ(ReadFd(r.fd.get()), "root:x:0:0:root:/root:/bin/sh\n");
}

TEST_F(OpenTest, CanonicalPathResolvesDotsAndSymlinks) {
  ASSERT_EQ(symlink("../etc", (root_ + "/dir/etclink").c_str()), 0);
  ExpectOpensAs("/dir/./sub/../etclink//passwd", "/etc/passwd");
}

// Symlinks met on a clean path are followed without the component walk
// (ResolveFast); the answers must be the walk's.
TEST_F(OpenTest, DirectorySymlinkOnTheWayIsFollowed) {
  ASSERT_EQ(mkdir((root_ + "/usr").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root_ + "/usr/lib").c_str(), 0755), 0);
  WriteHost(root_ + "/usr/lib/libx.so", "x");
  ASSERT_EQ(symlink("usr/lib", (root_ + "/lib").c_str()), 0);  // Debian's merged /lib
  Reply r = ExpectOpensAs("/lib/libx.so", "/usr/lib/libx.so");
  ASSERT_TRUE(r.fd);
  EXPECT_EQ(ReadFd(r.fd.get()), "x");
  EXPECT_EQ(Open("/lib/missing", O_RDONLY).result(), -ENOENT);
}

TEST_F(OpenTest, RelativeFinalSymlinkWithDotDotIsFollowed) {
  ASSERT_EQ(symlink("../passwd", (root_ + "/etc/pw").c_str()), 0);
  ASSERT_EQ(symlink("../../../etc/passwd", (root_ + "/dir/up").c_str()), 0);  // ".." at / is /
  EXPECT_EQ(Open("/etc/pw", O_RDONLY).result(), -ENOENT);                     // /passwd
  ExpectOpensAs("/dir/up", "/etc/passwd");
}

TEST_F(OpenTest, DotDotAfterALinkInTheTargetStepsOutOfThatLinksTarget) {
  // /a -> b/../c with b -> x/y: the kernel's answer is /x/c, not /c.
  ASSERT_EQ(mkdir((root_ + "/x").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root_ + "/x/y").c_str(), 0755), 0);
  WriteHost(root_ + "/x/c", "xc");
  WriteHost(root_ + "/c", "c");
  ASSERT_EQ(symlink("x/y", (root_ + "/b").c_str()), 0);
  ASSERT_EQ(symlink("b/../c", (root_ + "/a").c_str()), 0);
  Reply r = ExpectOpensAs("/a", "/x/c");
  ASSERT_TRUE(r.fd);
  EXPECT_EQ(ReadFd(r.fd.get()), "xc");
}

TEST_F(OpenTest, SymlinkIntoProcIsResolvedInTheVirtualTree) {
  ASSERT_EQ(symlink("/proc/self", (root_ + "/me").c_str()), 0);
  Reply r = Open("/me/cmdline", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.hdr.aux[0], proto::kFdVirtualFile);
}

TEST_F(OpenTest, MissingFileIsEnoent) {
  EXPECT_EQ(Open("/etc/nope", O_RDONLY).result(), -ENOENT);
  EXPECT_EQ(Open("/nope/passwd", O_RDONLY).result(), -ENOENT);
}

TEST_F(OpenTest, FileAsDirectoryIsEnotdir) {
  EXPECT_EQ(Open("/etc/passwd/x", O_RDONLY).result(), -ENOTDIR);
  EXPECT_EQ(Open("/etc/passwd/", O_RDONLY).result(), -ENOTDIR);
  EXPECT_EQ(Open("/etc/passwd", O_RDONLY | O_DIRECTORY).result(), -ENOTDIR);
}

TEST_F(OpenTest, CreateWritesAFileOwnedByTheVirtualUser) {
  ctx_.creds.fsuid = 1234;
  ctx_.creds.fsgid = 4321;
  Reply r = Open("/tmp/new", O_WRONLY | O_CREAT | O_EXCL, 0640);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/tmp/new");
  ASSERT_EQ(write(r.fd.get(), "abc", 3), 3);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/tmp/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 4321u);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(ReadHost(root_ + "/tmp/new"), "abc");
}

TEST_F(OpenTest, CreateExclOnExistingIsEexist) {
  EXPECT_EQ(Open("/etc/passwd", O_WRONLY | O_CREAT | O_EXCL).result(), -EEXIST);
}

TEST_F(OpenTest, CreateThroughDanglingSymlinkCreatesTheTarget) {
  ASSERT_EQ(symlink("/tmp/target", (root_ + "/dangling").c_str()), 0);
  Reply r = Open("/dangling", O_WRONLY | O_CREAT, 0600);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/tmp/target");
  struct stat st;
  EXPECT_EQ(stat((root_ + "/tmp/target").c_str(), &st), 0);
}

TEST_F(OpenTest, TruncAndAppend) {
  Reply t = Open("/dir/file", O_WRONLY | O_TRUNC);
  ASSERT_EQ(t.result(), 0);
  EXPECT_EQ(ReadHost(root_ + "/dir/file"), "");
  ASSERT_EQ(write(t.fd.get(), "12", 2), 2);
  Reply a = Open("/dir/file", O_WRONLY | O_APPEND);
  ASSERT_EQ(a.result(), 0);
  ASSERT_EQ(write(a.fd.get(), "34", 2), 2);
  EXPECT_EQ(ReadHost(root_ + "/dir/file"), "1234");
}

TEST_F(OpenTest, NofollowOnSymlinkIsEloopButOpathGivesTheLink) {
  ASSERT_EQ(symlink("passwd", (root_ + "/etc/link").c_str()), 0);
  EXPECT_EQ(Open("/etc/link", O_RDONLY | O_NOFOLLOW).result(), -ELOOP);
  Reply p = Open("/etc/link", O_PATH | O_NOFOLLOW);
  ASSERT_EQ(p.result(), 0);
  struct stat st;
  ASSERT_EQ(fstat(p.fd.get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  Reply f = Open("/etc/link", O_RDONLY);
  ASSERT_EQ(f.result(), 0);
  EXPECT_EQ(f.payload, "/etc/passwd");
}

TEST_F(OpenTest, DirectoryOpensReadOnlyOnly) {
  Reply d = Open("/dir", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  struct stat st;
  ASSERT_EQ(fstat(d.fd.get(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(Open("/dir", O_WRONLY).result(), -EISDIR);
}

TEST_F(OpenTest, TmpfileIsAnonymousAndOwned) {
  ctx_.creds.fsuid = 77;
  Reply r = Open("/tmp", O_TMPFILE | O_RDWR, 0600);
  ASSERT_EQ(r.result(), 0);
  struct stat st;
  ASSERT_EQ(fstat(r.fd.get(), &st), 0);
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(st.st_uid, 77u);
}

TEST_F(OpenTest, OpenForExecNeedsRegularFileWithExecuteBit) {
  Reply ok = Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/bin/sh");
  ASSERT_EQ(ok.result(), 0);
  EXPECT_EQ(fcntl(ok.fd.get(), F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/etc/passwd").result(),
            -EACCES);
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/dir").result(), -EACCES);
  // Not even root execs a file with no x bit; /proc files are not executable either.
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/proc/self/status").result(),
            -EACCES);
}

TEST_F(OpenTest, DeviceNodeInTheImageDoesNotOpenTheHostDevice) {
  ASSERT_EQ(mknod((root_ + "/dir/mem").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  EXPECT_EQ(Open("/dir/mem", O_RDWR).result(), -EACCES);
}

TEST_F(OpenTest, FifoOpenForReadDoesNotBlockTheServer) {
  ASSERT_EQ(mkfifo((root_ + "/tmp/fifo").c_str(), 0666), 0);
  Reply r = Open("/tmp/fifo", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(fcntl(r.fd.get(), F_GETFL) & O_NONBLOCK, 0);  // the guest asked for a blocking fd
  Reply w = Open("/tmp/fifo", O_WRONLY);
  ASSERT_EQ(w.result(), 0);
  ASSERT_EQ(write(w.fd.get(), "x", 1), 1);
  char c;
  EXPECT_EQ(read(r.fd.get(), &c, 1), 1);
}

TEST_F(OpenTest, RelativePathUsesAttachedDirFd) {
  Reply d = Open("/etc", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  Reply r = Call(proto::kOpen, {O_RDONLY, 0, 0}, "passwd", "", {d.fd.get()}, 0);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/etc/passwd");
  Reply up = Call(proto::kOpen, {O_RDONLY, 0, 0}, "../dir/file", "", {d.fd.get()}, 0);
  ASSERT_EQ(up.result(), 0);
  EXPECT_EQ(ReadFd(up.fd.get()), "hello");
}

TEST_F(OpenTest, DirFdThatIsAFileIsEnotdir) {
  Reply f = Open("/etc/passwd", O_RDONLY);
  ASSERT_EQ(f.result(), 0);
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, 0}, "x", "", {f.fd.get()}, 0).result(), -ENOTDIR);
}

TEST_F(OpenTest, RelativePathWithoutDirFdUsesCwd) {
  ASSERT_EQ(Call(proto::kChdir, {}, "/etc").result(), 0);
  Reply r = Open("passwd", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/etc/passwd");
}

TEST_F(OpenTest, EmptyPathIsEnoent) {
  EXPECT_EQ(Open("", O_RDONLY).result(), -ENOENT);
}

TEST_F(OpenTest, SymlinkLoopIsEloop) {
  ASSERT_EQ(symlink("b", (root_ + "/a").c_str()), 0);
  ASSERT_EQ(symlink("a", (root_ + "/b").c_str()), 0);
  EXPECT_EQ(Open("/a", O_RDONLY).result(), -ELOOP);
  ASSERT_EQ(symlink("self/x", (root_ + "/self").c_str()), 0);
  EXPECT_EQ(Open("/self", O_RDONLY).result(), -ELOOP);
}

}  // namespace
}  // namespace litebox::rootfs::test
