// The sandbox's lookup cache as the FileServer keeps it: which answers go
// in (read back from the memfd a guest maps), and which changes drop them.
#include "rootfs/lookup_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

class LookupCacheTest : public RootfsTest {
 protected:
  void SetUp() override {
    RootfsTest::SetUp();
    std::string err;
    cache_ = LookupCache::Create(&err);
    ASSERT_NE(cache_, nullptr) << err;
    server_->SetLookupCache(cache_.get());
    // A guest's view: its own read-only mapping of the memfd.
    void* p = mmap(nullptr, proto::kLookupSize, PROT_READ, MAP_SHARED, cache_->fd(), 0);
    ASSERT_NE(p, MAP_FAILED);
    view_ = static_cast<const proto::LookupSlot*>(p);
  }
  void TearDown() override {
    if (view_) munmap(const_cast<proto::LookupSlot*>(view_), proto::kLookupSize);
    if (server_) server_->SetLookupCache(nullptr);
    cache_.reset();
    RootfsTest::TearDown();
  }

  // The entry a guest with ctx_'s credentials would find for this request,
  // or null.
  const proto::LookupSlot* Cached(uint32_t op, std::vector<int64_t> args, const std::string& path) {
    args.resize(6, 0);
    int32_t flag = proto::LookupKeyFlag(op, args.data());
    if (flag < 0) return nullptr;
    uint32_t tag = LookupCache::Tag(ctx_.creds);
    uint64_t hash =
        proto::LookupHash(op, flag, tag, path.data(), static_cast<uint32_t>(path.size()));
    const proto::LookupSlot& s = view_[hash % proto::kLookupSlots];
    if ((s.seq & 1) || s.op != op || s.hash != hash || s.tag != tag ||
        std::string(s.path, s.path_len) != path)
      return nullptr;
    return &s;
  }
  const proto::LookupSlot* CachedStat(const std::string& path, bool nofollow = false) {
    return Cached(proto::kStat, {nofollow ? 0x100 : 0}, path);
  }

  std::unique_ptr<LookupCache> cache_;
  const proto::LookupSlot* view_ = nullptr;
};

TEST_F(LookupCacheTest, MissingNamesDirectoriesAndLinksGoIn) {
  EXPECT_EQ(Call(proto::kStat, {0}, "/dir/nothing").result(), -ENOENT);
  const proto::LookupSlot* s = CachedStat("/dir/nothing");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->result, -ENOENT);

  Reply dir = Call(proto::kStat, {0}, "/dir/sub");
  ASSERT_EQ(dir.result(), 0);
  s = CachedStat("/dir/sub");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->payload_len, sizeof(struct stat));
  EXPECT_EQ(std::string(s->payload, s->payload_len), dir.payload);

  ASSERT_EQ(symlink("file", (root_ + "/dir/link").c_str()), 0);
  Reply link = Call(proto::kReadlink, {}, "/dir/link");
  ASSERT_EQ(link.result(), 4);
  s = Cached(proto::kReadlink, {}, "/dir/link");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(std::string(s->payload, s->payload_len), "file");
  EXPECT_EQ(Call(proto::kReadlink, {}, "/dir/file").result(), -EINVAL);
  ASSERT_NE(Cached(proto::kReadlink, {}, "/dir/file"), nullptr);

  EXPECT_EQ(Call(proto::kAccess, {4, 0}, "/nope/x").result(), -ENOENT);
  EXPECT_NE(Cached(proto::kAccess, {4, 0}, "/nope/x"), nullptr);
  EXPECT_EQ(Open("/dir/absent", O_RDONLY).result(), -ENOENT);
  EXPECT_NE(Cached(proto::kOpen, {O_RDONLY, 0644, 0}, "/dir/absent"), nullptr);
}

TEST_F(LookupCacheTest, WhatWritesOrLinksCanChangeStaysOut) {
  // A regular file's stat moves with writes through fds the proxy never sees.
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/file").result(), 0);
  EXPECT_EQ(CachedStat("/dir/file"), nullptr);
  // Through a symlink: the answer depends on the link's target too.
  ASSERT_EQ(symlink("sub", (root_ + "/dir/tosub").c_str()), 0);
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/tosub").result(), 0);
  EXPECT_EQ(CachedStat("/dir/tosub"), nullptr);
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/tosub/missing").result(), -ENOENT);
  EXPECT_EQ(CachedStat("/dir/tosub/missing"), nullptr);
  // Virtual trees are made afresh on every lookup.
  ASSERT_EQ(Call(proto::kStat, {0}, "/proc/self").result(), 0);
  EXPECT_EQ(CachedStat("/proc/self"), nullptr);
  // Opens that may create, and a successful open (an fd), never.
  ASSERT_EQ(Open("/tmp/new", O_WRONLY | O_CREAT).result(), 0);
  EXPECT_EQ(Cached(proto::kOpen, {O_WRONLY | O_CREAT, 0644, 0}, "/tmp/new"), nullptr);
  // Relative names depend on the cwd.
  ASSERT_EQ(Call(proto::kStat, {0}, "dir/nothing").result(), -ENOENT);
  EXPECT_EQ(CachedStat("dir/nothing"), nullptr);
}

TEST_F(LookupCacheTest, NothingUnderAMountGoesIn) {
  std::string src = base_ + "/src";
  ASSERT_EQ(mkdir(src.c_str(), 0755), 0);
  cache_.reset();  // the server goes with Reopen
  Reopen(false, {{"/mnt", Mount::kBind, src, false}});
  std::string err;
  cache_ = LookupCache::Create(&err);
  ASSERT_NE(cache_, nullptr) << err;
  server_->SetLookupCache(cache_.get());
  munmap(const_cast<proto::LookupSlot*>(view_), proto::kLookupSize);
  view_ = static_cast<const proto::LookupSlot*>(
      mmap(nullptr, proto::kLookupSize, PROT_READ, MAP_SHARED, cache_->fd(), 0));
  ASSERT_NE(view_, MAP_FAILED);
  ASSERT_EQ(Call(proto::kStat, {0}, "/mnt/missing").result(), -ENOENT);
  EXPECT_EQ(CachedStat("/mnt/missing"), nullptr);
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/missing").result(), -ENOENT);
  EXPECT_NE(CachedStat("/dir/missing"), nullptr);
}

TEST_F(LookupCacheTest, ChangesDropTheNameWhatIsBelowAndTheParent) {
  for (const char* p : {"/dir/new", "/dir/new/deeper", "/dir", "/dir/sub", "/etc/missing"})
    Call(proto::kStat, {0}, p);
  ASSERT_NE(CachedStat("/dir/new/deeper"), nullptr);
  ASSERT_NE(CachedStat("/dir"), nullptr);
  ASSERT_EQ(Call(proto::kMkdir, {0755}, "/dir/new").result(), 0);
  EXPECT_EQ(CachedStat("/dir/new"), nullptr);
  EXPECT_EQ(CachedStat("/dir/new/deeper"), nullptr);
  EXPECT_EQ(CachedStat("/dir"), nullptr);  // its link count changed
  EXPECT_NE(CachedStat("/dir/sub"), nullptr);
  EXPECT_NE(CachedStat("/etc/missing"), nullptr);
  // "/dir/sub-x" sorts between "/dir/sub" and "/dir/sub/..." : not below it.
  Call(proto::kStat, {0}, "/dir/sub-x");
  Call(proto::kStat, {0}, "/dir/sub/y");
  Call(proto::kStat, {0}, "/etc");
  ASSERT_NE(CachedStat("/etc"), nullptr);
  ASSERT_EQ(Call(proto::kRename, {0}, "/dir/sub", "/etc/moved").result(), 0);
  EXPECT_EQ(CachedStat("/dir/sub/y"), nullptr);
  EXPECT_NE(CachedStat("/dir/sub-x"), nullptr);
  EXPECT_EQ(CachedStat("/etc"), nullptr) << "the new parent's entries changed too";
  EXPECT_NE(CachedStat("/etc/missing"), nullptr) << "a sibling of the new name did not";
}

TEST_F(LookupCacheTest, DottedNamesDependOnTheirCleanPath) {
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/./sub/../x").result(), -ENOENT);
  ASSERT_NE(CachedStat("/dir/./sub/../x"), nullptr);
  ASSERT_EQ(Open("/dir/x", O_WRONLY | O_CREAT).result(), 0);
  EXPECT_EQ(CachedStat("/dir/./sub/../x"), nullptr);
}

TEST_F(LookupCacheTest, ChmodThroughALinkDropsTheTarget) {
  ASSERT_EQ(symlink("sub", (root_ + "/dir/tosub").c_str()), 0);
  Call(proto::kStat, {0}, "/dir/sub");
  ASSERT_NE(CachedStat("/dir/sub"), nullptr);
  ASSERT_EQ(Call(proto::kChmod, {0700, 0}, "/dir/tosub").result(), 0);
  EXPECT_EQ(CachedStat("/dir/sub"), nullptr);
}

TEST_F(LookupCacheTest, OnlyForProcessesWithTheDacCapabilities) {
  Call(proto::kStat, {0}, "/etc/missing");
  ASSERT_NE(CachedStat("/etc/missing"), nullptr);
  // Without them, search permission decides lookups: neither read nor made.
  BecomeUser(1000, 1000);
  EXPECT_EQ(LookupCache::Tag(ctx_.creds), 0u);
  EXPECT_EQ(Call(proto::kStat, {0}, "/dir/missing").result(), -ENOENT);
  ctx_.creds.cap_effective = ~0ull;
  EXPECT_EQ(CachedStat("/dir/missing"), nullptr);
}

TEST_F(LookupCacheTest, DotDotDependsOnTheDirectoryItLeaves) {
  // "/dir/a/../sub" is missing while /dir/a is: making /dir/a changes it.
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/a/../sub").result(), -ENOENT);
  ASSERT_NE(CachedStat("/dir/a/../sub"), nullptr);
  ASSERT_EQ(Call(proto::kMkdir, {0755}, "/dir/a").result(), 0);
  EXPECT_EQ(CachedStat("/dir/a/../sub"), nullptr);
  ASSERT_EQ(Call(proto::kStat, {0}, "/dir/a/../sub").result(), 0);
  ASSERT_NE(CachedStat("/dir/a/../sub"), nullptr);
  // ... and removing it too.
  ASSERT_EQ(Call(proto::kUnlink, {AT_REMOVEDIR}, "/dir/a").result(), 0);
  EXPECT_EQ(CachedStat("/dir/a/../sub"), nullptr);
  EXPECT_EQ(Call(proto::kStat, {0}, "/dir/a/../sub").result(), -ENOENT);
}

TEST_F(LookupCacheTest, CreateThroughADanglingLinkDropsTheTarget) {
  ASSERT_EQ(symlink("/etc/made", (root_ + "/dir/dangling").c_str()), 0);
  ASSERT_EQ(Call(proto::kStat, {0}, "/etc/made").result(), -ENOENT);
  ASSERT_NE(CachedStat("/etc/made"), nullptr);
  ASSERT_EQ(Open("/dir/dangling", O_WRONLY | O_CREAT).result(), 0);
  EXPECT_EQ(CachedStat("/etc/made"), nullptr);
  EXPECT_EQ(Call(proto::kStat, {0}, "/etc/made").result(), 0);
}

TEST_F(LookupCacheTest, SymlinksThemselvesAreNotStatted) {
  // Their atime moves with each read of them, their link count with a
  // change at another name: only readlink answers are kept.
  ASSERT_EQ(symlink("file", (root_ + "/dir/l").c_str()), 0);
  ASSERT_EQ(Call(proto::kStat, {0x100}, "/dir/l").result(), 0);
  EXPECT_EQ(CachedStat("/dir/l", true), nullptr);
}

TEST_F(LookupCacheTest, GuestsCannotWriteTheMemfd) {
  EXPECT_EQ(mmap(nullptr, proto::kLookupSize, PROT_READ | PROT_WRITE, MAP_SHARED, cache_->fd(), 0),
            MAP_FAILED);
  EXPECT_EQ(mprotect(const_cast<proto::LookupSlot*>(view_), 4096, PROT_READ | PROT_WRITE), -1);
  EXPECT_EQ(pwrite(cache_->fd(), "x", 1, 0), -1);
  EXPECT_EQ(ftruncate(cache_->fd(), 0), -1);
}

}  // namespace
}  // namespace litebox::rootfs::test
