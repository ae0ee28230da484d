#include "rootfs/lookup_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace litebox::rootfs {

std::unique_ptr<LookupCache> LookupCache::Create(std::string* err) {
  int fd = memfd_create("litebox-lookup", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    *err = std::string("memfd_create (lookup cache): ") + strerror(errno);
    return nullptr;
  }
  void* p = MAP_FAILED;
  if (ftruncate(fd, proto::kLookupSize) == 0)
    p = mmap(nullptr, proto::kLookupSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  // Guests map it read-only and can make no writable mapping or write of
  // their own; nobody can resize it under the readers.
  if (p == MAP_FAILED ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) !=
          0) {
    *err = std::string("lookup cache memfd: ") + strerror(errno);
    if (p != MAP_FAILED) munmap(p, proto::kLookupSize);
    close(fd);
    return nullptr;
  }
  return std::unique_ptr<LookupCache>(new LookupCache(fd, static_cast<proto::LookupSlot*>(p)));
}

LookupCache::~LookupCache() {
  munmap(slots_, proto::kLookupSize);
  close(fd_);
}

namespace {

bool Cacheable(uint32_t op, int64_t result, std::string_view payload) {
  const bool missing = result == -ENOENT || result == -ENOTDIR;
  switch (op) {
    case proto::kStat: {
      if (missing) return true;
      struct stat st;
      if (result != 0 || payload.size() != sizeof st) return false;
      memcpy(&st, payload.data(), sizeof st);
      // A regular file's size and times move with writes through fds; a
      // symlink's atime with every read of it, its link count with a
      // change at another of its names.
      return S_ISDIR(st.st_mode);
    }
    case proto::kReadlink:
      return missing || result == -EINVAL || result >= 0;
    case proto::kAccess:
      return missing;
    case proto::kOpen:
      return result == -ENOENT;  // ENOTDIR may be O_DIRECTORY's
    default:
      return false;
  }
}

void Publish(proto::LookupSlot& s, uint32_t op, int32_t key_flag, uint32_t tag, uint64_t hash,
             std::string_view path, int64_t result, std::string_view payload) {
  __atomic_store_n(&s.seq, s.seq + 1, __ATOMIC_RELAXED);  // odd: being written
  __atomic_thread_fence(__ATOMIC_RELEASE);
  s.op = op;
  s.key_flag = static_cast<uint32_t>(key_flag);
  s.tag = tag;
  s.hash = hash;
  s.result = result;
  s.path_len = static_cast<uint16_t>(path.size());
  memcpy(s.path, path.data(), path.size());
  s.path[path.size()] = 0;
  s.payload_len = static_cast<uint16_t>(payload.size());
  memcpy(s.payload, payload.data(), payload.size());
  s.expires_tsc = __rdtsc() + proto::kLookupTtlCycles;
  __atomic_store_n(&s.seq, s.seq + 1, __ATOMIC_RELEASE);  // even: whole
}

}  // namespace

void LookupCache::Offer(uint32_t op, const int64_t* args, uint32_t tag, std::string_view path,
                        int64_t result, std::string_view payload, const std::string& plain_path,
                        const std::vector<std::string>& plain_up) {
  if (tag == 0 || plain_path.empty() || path.empty() || path[0] != '/' ||
      path.size() > proto::kLookupMaxPath || payload.size() > proto::kLookupMaxPayload ||
      !Cacheable(op, result, payload))
    return;
  const int32_t key_flag = proto::LookupKeyFlag(op, args);
  if (key_flag < 0) return;
  const uint64_t hash =
      proto::LookupHash(op, key_flag, tag, path.data(), static_cast<uint32_t>(path.size()));
  const uint32_t index = static_cast<uint32_t>(hash % proto::kLookupSlots);
  Forget(index);
  Publish(slots_[index], op, key_flag, tag, hash, path, result, payload);
  std::vector<std::string>& deps = deps_of_[index];
  deps.push_back(plain_path);
  deps.insert(deps.end(), plain_up.begin(), plain_up.end());
  for (const std::string& d : deps) {
    std::vector<uint32_t>& v = by_dep_[d];
    if (v.empty() || v.back() != index) v.push_back(index);
  }
}

void LookupCache::Forget(uint32_t index) {
  for (const std::string& dep : deps_of_[index]) {
    auto it = by_dep_.find(dep);
    if (it == by_dep_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), index), v.end());
    if (v.empty()) by_dep_.erase(it);
  }
  deps_of_[index].clear();
}

void LookupCache::Drop(uint32_t index) {
  proto::LookupSlot& s = slots_[index];
  __atomic_store_n(&s.seq, s.seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  s.op = 0;
  __atomic_store_n(&s.seq, s.seq + 1, __ATOMIC_RELEASE);
  Forget(index);
}

void LookupCache::ChangedExactly(const std::string& q) {
  auto it = by_dep_.find(q);
  if (it == by_dep_.end()) return;
  const std::vector<uint32_t> slots = it->second;  // Drop edits the index
  for (uint32_t index : slots) Drop(index);
}

void LookupCache::Changed(const std::string& q) {
  if (q.empty() || q[0] != '/') return;
  // The parent directory's own entries (its mtime and link count).
  if (q != "/") ChangedExactly(q.substr(0, std::max<size_t>(q.rfind('/'), 1)));
  // q itself, then everything below it: the keys that start with q + "/"
  // sort together ("/a/b-c" sorts between "/a/b" and "/a/b/c").
  ChangedExactly(q);
  const std::string below = q == "/" ? q : q + "/";
  for (;;) {
    auto it = by_dep_.lower_bound(below);
    if (it == by_dep_.end() || !std::string_view(it->first).starts_with(below)) break;
    const std::vector<uint32_t> slots = it->second;
    for (uint32_t index : slots) Drop(index);
  }
}

uint32_t LookupCaches::TagOf(const Creds& c) {
  uint32_t tag;
  if (c.HasCap(kCapDacOverride) || c.HasCap(kCapDacReadSearch)) {
    tag = 1;
  } else {
    Class k{c.fsuid, c.fsgid, c.groups};
    std::sort(k.groups.begin(), k.groups.end());
    k.groups.erase(std::unique(k.groups.begin(), k.groups.end()), k.groups.end());
    auto it = tags_.find(k);
    if (it != tags_.end()) {
      tag = it->second;
    } else {
      tag = static_cast<uint32_t>(tags_.size()) + 2;
      if (failed_ || caches_.size() >= kMaxClasses) return 0;
      tags_.emplace(std::move(k), tag);
    }
  }
  if (caches_.count(tag) == 0) {
    if (failed_ || caches_.size() >= kMaxClasses) return 0;
    std::string err;
    auto cache = LookupCache::Create(&err);
    if (!cache) {
      failed_ = true;
      return 0;
    }
    caches_.emplace(tag, std::move(cache));
  }
  return tag;
}

LookupCache* LookupCaches::For(uint32_t tag) const {
  auto it = caches_.find(tag);
  return it == caches_.end() ? nullptr : it->second.get();
}

bool LookupCaches::empty() const {
  for (const auto& [tag, cache] : caches_)
    if (!cache->empty()) return false;
  return true;
}

void LookupCaches::Changed(const std::string& q) {
  for (const auto& [tag, cache] : caches_) cache->Changed(q);
}

void LookupCaches::ChangedExactly(const std::string& q) {
  for (const auto& [tag, cache] : caches_) cache->ChangedExactly(q);
}

void LookupCaches::Offer(uint32_t op, const int64_t* args, uint32_t tag, std::string_view path,
                         int64_t result, std::string_view payload, const std::string& plain_path,
                         const std::vector<std::string>& plain_up) {
  if (LookupCache* cache = For(tag))
    cache->Offer(op, args, tag, path, result, payload, plain_path, plain_up);
}

}  // namespace litebox::rootfs
