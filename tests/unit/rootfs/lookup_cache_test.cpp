// The sandbox's lookup cache as the FileServer keeps it: which answers go
// in (read back from the memfd a guest maps), and which changes drop them.
#include "rootfs/lookup_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

class LookupCacheTest : public RootfsTest {
 protected:
  void SetUp() override {
    RootfsTest::SetUp();
    caches_ = std::make_unique<LookupCaches>();
    server_->SetLookupCaches(caches_.get());
  }
  void TearDown() override {
    for (auto& [tag, view] : views_)
      munmap(const_cast<proto::LookupSlot*>(view), proto::kLookupSize);
    if (server_) server_->SetLookupCaches(nullptr);
    caches_.reset();
    RootfsTest::TearDown();
  }

  // What a guest with ctx_'s credentials maps: its class's memfd, read-only.
  const proto::LookupSlot* View() {
    uint32_t tag = caches_->TagOf(ctx_.creds);
    EXPECT_NE(tag, 0u);
    if (views_.count(tag) == 0) {
      void* p =
          mmap(nullptr, proto::kLookupSize, PROT_READ, MAP_SHARED, caches_->For(tag)->fd(), 0);
      EXPECT_NE(p, MAP_FAILED);
      views_[tag] = static_cast<const proto::LookupSlot*>(p);
    }
    return views_[tag];
  }

  // The entry a guest with ctx_'s credentials would find for this request,
  // or null.
  const proto::LookupSlot* Cached(uint32_t op, std::vector<int64_t> args, const std::string& path) {
    args.resize(6, 0);
    int32_t flag = proto::LookupKeyFlag(op, args.data());
    if (flag < 0) return nullptr;
    uint32_t tag = caches_->TagOf(ctx_.creds);
    uint64_t hash =
        proto::LookupHash(op, flag, tag, path.data(), static_cast<uint32_t>(path.size()));
    const proto::LookupSlot& s = View()[hash % proto::kLookupSlots];
    if ((s.seq & 1) || s.op != op || s.hash != hash || s.tag != tag ||
        std::string(s.path, s.path_len) != path)
      return nullptr;
    return &s;
  }
  const proto::LookupSlot* CachedStat(const std::string& path, bool nofollow = false) {
    return Cached(proto::kStat, {nofollow ? 0x100 : 0}, path);
  }

  std::unique_ptr<LookupCaches> caches_;
  std::map<uint32_t, const proto::LookupSlot*> views_;
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
  Reopen(false, {{"/mnt", Mount::kBind, src, false}});
  server_->SetLookupCaches(caches_.get());
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

TEST_F(LookupCacheTest, EachClassOfCredentialsHasAMemfdOfItsOwn) {
  ASSERT_EQ(chmod((root_ + "/dir").c_str(), 0700), 0);
  Call(proto::kStat, {0}, "/dir/missing");
  ASSERT_NE(CachedStat("/dir/missing"), nullptr);
  const uint32_t root_tag = caches_->TagOf(ctx_.creds);
  const proto::LookupSlot* root_view = View();
  // Without the DAC capabilities, search permission decides lookups: the
  // user's answers go to a memfd of their own.
  BecomeUser(1000, 1000);
  const uint32_t user_tag = caches_->TagOf(ctx_.creds);
  ASSERT_NE(user_tag, 0u);
  EXPECT_NE(user_tag, root_tag);
  EXPECT_EQ(Call(proto::kStat, {0}, "/dir/missing").result(), -EACCES);
  EXPECT_EQ(Call(proto::kStat, {0}, "/etc/missing").result(), -ENOENT);
  EXPECT_NE(CachedStat("/etc/missing"), nullptr);
  const proto::LookupSlot* user_view = View();
  // Every entry of each memfd is its own class's: nothing of the root's
  // lookups (the name in the directory the user may not search) is in the
  // user's memfd, and nothing of the user's in the root's.
  int root_entries = 0, user_entries = 0;
  for (uint32_t i = 0; i < proto::kLookupSlots; ++i) {
    if (root_view[i].op != 0) {
      ++root_entries;
      EXPECT_EQ(root_view[i].tag, root_tag) << i;
    }
    if (user_view[i].op != 0) {
      ++user_entries;
      EXPECT_EQ(user_view[i].tag, user_tag) << i;
      EXPECT_NE(std::string(user_view[i].path, user_view[i].path_len), "/dir/missing") << i;
    }
  }
  EXPECT_EQ(root_entries, 1);
  EXPECT_EQ(user_entries, 1);
  // The same ids and groups in another order, or repeated, are one class.
  ctx_.creds.groups = {5, 4};
  const uint32_t with_groups = caches_->TagOf(ctx_.creds);
  ctx_.creds.groups = {4, 5, 4};
  EXPECT_EQ(caches_->TagOf(ctx_.creds), with_groups);
  EXPECT_NE(with_groups, user_tag);
}

TEST_F(LookupCacheTest, ClassesAreBounded) {
  // The DAC-capable class counts too.
  ASSERT_EQ(caches_->TagOf(ctx_.creds), 1u);
  std::vector<uint32_t> tags;
  for (uint32_t uid = 1000; uid < 1000 + LookupCaches::kMaxClasses + 3; ++uid) {
    BecomeUser(uid, uid);
    tags.push_back(caches_->TagOf(ctx_.creds));
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i + 1 < LookupCaches::kMaxClasses)
      EXPECT_GT(tags[i], 1u) << i;
    else
      EXPECT_EQ(tags[i], 0u) << i;
  }
  // Asked again, each gets the same answer; a process of no class asks the
  // proxy, and its answers go nowhere.
  BecomeUser(1000 + LookupCaches::kMaxClasses + 1, 1);
  EXPECT_EQ(caches_->TagOf(ctx_.creds), 0u);
  EXPECT_EQ(Call(proto::kStat, {0}, "/etc/missing").result(), -ENOENT);
  EXPECT_EQ(caches_->TagOf(ctx_.creds), 0u);
  BecomeUser(1000, 1000);
  EXPECT_EQ(caches_->TagOf(ctx_.creds), tags[0]);
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
  const proto::LookupSlot* view = View();
  const int fd = caches_->For(caches_->TagOf(ctx_.creds))->fd();
  EXPECT_EQ(mmap(nullptr, proto::kLookupSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            MAP_FAILED);
  EXPECT_EQ(mprotect(const_cast<proto::LookupSlot*>(view), 4096, PROT_READ | PROT_WRITE), -1);
  EXPECT_EQ(pwrite(fd, "x", 1, 0), -1);
  EXPECT_EQ(ftruncate(fd, 0), -1);
}

}  // namespace
}  // namespace litebox::rootfs::test
