// Every way out of the root must fail, and the decoy outside the root must
// never be read: no reply carries its bytes and no returned fd is its inode.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

class EscapeTest : public RootfsTest {
 protected:
  // Asserts that a reply neither failed open nor handed out the decoy.
  void ExpectNoDecoy(const Reply& r, const std::string& what) {
    EXPECT_EQ(r.payload.find(kDecoy), std::string::npos) << what;
    if (r.fd) {
      struct stat st;
      ASSERT_EQ(fstat(r.fd.get(), &st), 0);
      EXPECT_FALSE(st.st_ino == decoy_st_.st_ino && st.st_dev == decoy_st_.st_dev) << what;
      EXPECT_EQ(ReadFd(r.fd.get()).find(kDecoy), std::string::npos) << what;
    }
  }
  void ExpectOpenFails(const std::string& path, int flags = O_RDONLY) {
    Reply r = Open(path, flags);
    EXPECT_LT(r.result(), 0) << path << " opened as " << r.payload;
    ExpectNoDecoy(r, path);
  }
  void TearDown() override {
    EXPECT_EQ(ReadHost(decoy_), kDecoy);  // untouched
    RootfsTest::TearDown();
  }
};

TEST_F(EscapeTest, DotDotChainsStayAtTheRoot) {
  ExpectOpenFails("/../outside/decoy");
  ExpectOpenFails("/../../../../../../outside/decoy");
  ExpectOpenFails("/etc/../../outside/decoy");
  ExpectOpenFails("/dir/sub/../../../../outside/decoy");
  Reply r = Open("/../../etc/passwd", O_RDONLY);  // .. at / is /
  EXPECT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/etc/passwd");
}

TEST_F(EscapeTest, AbsoluteSymlinkToHostPathResolvesInsideTheRoot) {
  ASSERT_EQ(symlink(decoy_.c_str(), (root_ + "/abs").c_str()), 0);
  ASSERT_EQ(symlink(outside_.c_str(), (root_ + "/absdir").c_str()), 0);
  ExpectOpenFails("/abs");
  ExpectOpenFails("/absdir/decoy");
}

TEST_F(EscapeTest, RelativeSymlinkOutResolvesInsideTheRoot) {
  ASSERT_EQ(symlink("../outside/decoy", (root_ + "/rel").c_str()), 0);
  ASSERT_EQ(symlink("../../../../outside", (root_ + "/dir/reldir").c_str()), 0);
  ExpectOpenFails("/rel");
  ExpectOpenFails("/dir/reldir/decoy");
}

TEST_F(EscapeTest, SymlinkLoopsEndInEloop) {
  ASSERT_EQ(symlink("loop2", (root_ + "/loop1").c_str()), 0);
  ASSERT_EQ(symlink("loop1", (root_ + "/loop2").c_str()), 0);
  EXPECT_EQ(Open("/loop1", O_RDONLY).result(), -ELOOP);
  EXPECT_EQ(Open("/loop1/x", O_RDONLY).result(), -ELOOP);
}

TEST_F(EscapeTest, DirFdFromOutsideTheRootIsRejected) {
  UniqueFd out(open(outside_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(out);
  Reply r = Call(proto::kOpen, {O_RDONLY, 0, 0}, "decoy", "", {out.get()}, 0);
  EXPECT_EQ(r.result(), -EBADF);
  ExpectNoDecoy(r, "dirfd");
  EXPECT_EQ(Call(proto::kStat, {0}, "decoy", "", {out.get()}, 0).result(), -EBADF);
  EXPECT_EQ(Call(proto::kLink, {0}, "decoy", "/tmp/stolen", {out.get()}, 0).result(), -EBADF);
  UniqueFd path_fd(open(outside_.c_str(), O_PATH | O_CLOEXEC));
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, 0}, "decoy", "", {path_fd.get()}, 0).result(), -EBADF);
}

TEST_F(EscapeTest, HeldFdsOfOutsideObjectsGetNothing) {
  UniqueFd dir(open(outside_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueFd file(open(decoy_.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(Call(proto::kGetdents, {4096}, "", "", {dir.get()}).result(), -EBADF);
  EXPECT_EQ(Call(proto::kFdPath, {}, "", "", {file.get()}).result(), -EBADF);
  EXPECT_EQ(Call(proto::kFchmod, {0777}, "", "", {file.get()}).result(), -EPERM);
  EXPECT_EQ(Call(proto::kFchown, {1, 1}, "", "", {file.get()}).result(), -EPERM);
  EXPECT_EQ(Call(proto::kUtimens, {0, 1, 0, 1, 0}, "", "", {file.get()}).result(), -EPERM);
  struct stat st;
  ASSERT_EQ(stat(decoy_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(st.st_uid, decoy_st_.st_uid);
  EXPECT_EQ(st.st_mtim.tv_sec, decoy_st_.st_mtim.tv_sec);
}

TEST_F(EscapeTest, HardLinkToAnOutsideFileCannotBeNamed) {
  ASSERT_EQ(symlink("../outside/decoy", (root_ + "/rel").c_str()), 0);
  EXPECT_EQ(Call(proto::kLink, {AT_SYMLINK_FOLLOW}, "/rel", "/tmp/hl").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kLink, {0}, "/../outside/decoy", "/tmp/hl").result(), -ENOENT);
  // Linking the symlink itself gives only another symlink, resolved in the root.
  ASSERT_EQ(Call(proto::kLink, {0}, "/rel", "/tmp/hl").result(), 0);
  ExpectOpenFails("/tmp/hl");
  struct stat st;
  ASSERT_EQ(stat(decoy_.c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(EscapeTest, ProcRootLinksLeadBackToTheSandboxRoot) {
  procs_.procs[7] = {getpid(), 1, "/bin/sh", "/", ""};
  ExpectOpenFails("/proc/self/root/../outside/decoy");
  ExpectOpenFails("/proc/1/root/../../outside/decoy");
  ExpectOpenFails("/proc/7/root/../../../outside/decoy");
  ExpectOpenFails("/proc/self/cwd/../../outside/decoy");
  Reply r = Open("/proc/1/root/etc/passwd", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/etc/passwd");
  EXPECT_EQ(ReadFd(r.fd.get()), "root:x:0:0:root:/root:/bin/sh\n");
}

TEST_F(EscapeTest, ProcSelfFdOfAnOutsideFileDoesNotReopenIt) {
  // The guest (this process) holds an fd of the decoy, e.g. inherited.
  UniqueFd held(open(decoy_.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(held);
  std::string p = "/proc/self/fd/" + std::to_string(held.get());
  ExpectOpenFails(p);
  ExpectOpenFails(p, O_RDWR);
  Reply l = Call(proto::kReadlink, {}, p);
  ASSERT_GT(l.result(), 0);
  EXPECT_EQ(l.payload.find(base_), std::string::npos) << "host path leaks: " << l.payload;
}

TEST_F(EscapeTest, SymlinkOutOfABindMountStaysInTheSandbox) {
  std::string src = base_ + "/bindsrc";
  ASSERT_EQ(mkdir(src.c_str(), 0755), 0);
  ASSERT_EQ(symlink("../outside/decoy", (src + "/up").c_str()), 0);
  ASSERT_EQ(symlink("../../../outside/decoy", (src + "/up3").c_str()), 0);
  Reopen(false, {{"/mnt", Mount::kBind, src, false}});
  ExpectOpenFails("/mnt/up");
  ExpectOpenFails("/mnt/up3");
  ExpectOpenFails("/mnt/../../outside/decoy");
}

TEST_F(EscapeTest, RenameAndSymlinkCannotPlaceThingsOutside) {
  EXPECT_LT(Call(proto::kRename, {0}, "/dir/file", "/../outside/moved").result(), 0);
  struct stat st;
  EXPECT_NE(stat((outside_ + "/moved").c_str(), &st), 0);
  ASSERT_EQ(symlink(outside_.c_str(), (root_ + "/od").c_str()), 0);
  EXPECT_LT(Open("/od/created", O_WRONLY | O_CREAT, 0644).result(), 0);
  EXPECT_NE(stat((outside_ + "/created").c_str(), &st), 0);
  EXPECT_LT(Call(proto::kMkdir, {0755}, "/od/newdir").result(), 0);
  EXPECT_NE(stat((outside_ + "/newdir").c_str(), &st), 0);
}

TEST_F(EscapeTest, StatAndReadlinkDoNotSeeOutside) {
  EXPECT_EQ(Call(proto::kStat, {0}, "/../outside/decoy").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kAccess, {F_OK, 0}, "/../outside/decoy").result(), -ENOENT);
  ASSERT_EQ(symlink(decoy_.c_str(), (root_ + "/abs").c_str()), 0);
  EXPECT_EQ(Call(proto::kStat, {0}, "/abs").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kTruncate, {0}, "/abs").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kChmod, {0777, 0}, "/abs").result(), -ENOENT);
}

TEST_F(EscapeTest, DeviceNodesCannotBeMadeOrOpened) {
  ctx_.creds.cap_effective = ~0ull;  // even with every capability
  EXPECT_EQ(Call(proto::kMknod, {S_IFBLK | 0666, 0x0800}, "/tmp/disk").result(), -EPERM);
}

}  // namespace
}  // namespace litebox::rootfs::test
