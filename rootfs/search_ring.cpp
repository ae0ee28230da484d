#include "rootfs/search_ring.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <tuple>
#include <vector>

#include "rootfs/search_as.hpp"

namespace litebox::rootfs {
namespace {

// A class of search credentials: what SearchAs sets (the DAC capabilities
// are dropped for every searcher that comes here).
using ClassKey = std::tuple<uint32_t, uint32_t, std::vector<uint32_t>>;
// Far more classes than a sandbox has; past it, SearchAs.
constexpr size_t kMaxPersonalities = 64;

std::mutex g_mu;
SearchRing* g_ring = nullptr;
bool g_failed = false;  // this process tried and io_uring was refused
bool g_disabled = false;
bool g_force_async = false;
uint64_t g_opens = 0;  // opens made through a ring (tests)

}  // namespace

struct SearchRing::State {
  int fd = -1;
  void* sq_map = MAP_FAILED;
  size_t sq_len = 0;
  void* cq_map = MAP_FAILED;  // the same mapping as sq_map with IORING_FEAT_SINGLE_MMAP
  size_t cq_len = 0;
  io_uring_sqe* sqes = static_cast<io_uring_sqe*>(MAP_FAILED);
  size_t sqes_len = 0;
  unsigned* sq_tail = nullptr;
  unsigned* sq_mask = nullptr;
  unsigned* sq_array = nullptr;
  unsigned* cq_head = nullptr;
  unsigned* cq_tail = nullptr;
  unsigned* cq_mask = nullptr;
  io_uring_cqe* cqes = nullptr;
  uint64_t last_request = 0;
  std::map<ClassKey, int> personalities;
  // PersonalityFor's last answer, for the credentials as given.
  int last_id = -1;
  uint32_t last_fsuid = 0, last_fsgid = 0;
  std::vector<uint32_t> last_groups;
};

SearchRing::~SearchRing() {
  if (!s_) return;
  if (s_->sqes != MAP_FAILED) munmap(s_->sqes, s_->sqes_len);
  if (s_->cq_map != MAP_FAILED && s_->cq_map != s_->sq_map) munmap(s_->cq_map, s_->cq_len);
  if (s_->sq_map != MAP_FAILED) munmap(s_->sq_map, s_->sq_len);
  if (s_->fd >= 0) close(s_->fd);
  delete s_;
}

bool SearchRing::Init() {
  s_ = new State;
  io_uring_params p{};
  long fd = syscall(__NR_io_uring_setup, 4, &p);
  if (fd < 0) return false;
  s_->fd = static_cast<int>(fd);  // io_uring fds are close-on-exec
  s_->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  s_->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single) s_->sq_len = s_->cq_len = std::max(s_->sq_len, s_->cq_len);
  s_->sq_map = mmap(nullptr, s_->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, s_->fd,
                    IORING_OFF_SQ_RING);
  if (s_->sq_map == MAP_FAILED) return false;
  s_->cq_map = single ? s_->sq_map
                      : mmap(nullptr, s_->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                             s_->fd, IORING_OFF_CQ_RING);
  if (s_->cq_map == MAP_FAILED) return false;
  s_->sqes_len = p.sq_entries * sizeof(io_uring_sqe);
  s_->sqes = static_cast<io_uring_sqe*>(mmap(nullptr, s_->sqes_len, PROT_READ | PROT_WRITE,
                                             MAP_SHARED | MAP_POPULATE, s_->fd, IORING_OFF_SQES));
  if (s_->sqes == MAP_FAILED) return false;
  auto* sq = static_cast<char*>(s_->sq_map);
  auto* cq = static_cast<char*>(s_->cq_map);
  s_->sq_tail = reinterpret_cast<unsigned*>(sq + p.sq_off.tail);
  s_->sq_mask = reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
  s_->sq_array = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
  s_->cq_head = reinterpret_cast<unsigned*>(cq + p.cq_off.head);
  s_->cq_tail = reinterpret_cast<unsigned*>(cq + p.cq_off.tail);
  s_->cq_mask = reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
  s_->cqes = reinterpret_cast<io_uring_cqe*>(cq + p.cq_off.cqes);
  // What every lookup needs: openat2 and personalities (both since 5.6).
  io_uring_probe* probe = static_cast<io_uring_probe*>(
      calloc(1, sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op)));
  bool has_openat2 = false;
  if (syscall(__NR_io_uring_register, s_->fd, IORING_REGISTER_PROBE, probe, 256) == 0)
    has_openat2 = probe->last_op >= IORING_OP_OPENAT2 &&
                  (probe->ops[IORING_OP_OPENAT2].flags & IO_URING_OP_SUPPORTED);
  free(probe);
  if (!has_openat2) return false;
  // A security module may refuse requests made with registered credentials
  // (SELinux's io_uring override_creds): every lookup would then fail over
  // to the slow walk. One open with our own, now, tells.
  long self = syscall(__NR_io_uring_register, s_->fd, IORING_REGISTER_PERSONALITY, nullptr, 0);
  if (self < 0) return false;
  int root = Openat2(static_cast<int>(self), AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  syscall(__NR_io_uring_register, s_->fd, IORING_UNREGISTER_PERSONALITY, nullptr, self);
  if (root < 0) return false;
  close(root);
  return true;
}

SearchRing* SearchRing::Get() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_disabled || g_failed) return nullptr;
  if (g_ring) return g_ring;
  static bool registered = [] {
    // The child's copy of the ring is its parent's (same submission queue):
    // it forgets it and makes its own when it needs one.
    // Only system calls here: the supervisor forks from a signal handler
    // too (heap and lock may be mid-use), so the parent's object is left
    // unfreed and the lock made anew.
    return pthread_atfork(nullptr, nullptr, [] {
             new (&g_mu) std::mutex;
             if (g_ring) g_ring->AbandonInChild();
             g_ring = nullptr;
             g_failed = false;
           }) == 0;
  }();
  if (!registered) {
    g_failed = true;
    return nullptr;
  }
  auto* ring = new SearchRing;
  bool ok;
  {
    // Init's probe open takes the lock itself.
    g_mu.unlock();
    ok = ring->Init();
    g_mu.lock();
  }
  if (g_ring) {  // made meanwhile by another thread
    delete ring;
    return g_ring;
  }
  if (!ok) {
    delete ring;
    g_failed = true;
    return nullptr;
  }
  g_ring = ring;
  return g_ring;
}

void SearchRing::SetEnabledForTesting(bool enabled) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_disabled = !enabled;
}

void SearchRing::ForceAsyncForTesting(bool async) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_force_async = async;
}

uint64_t SearchRing::OpensForTesting() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_opens;
}

void SearchRing::AbandonInChild() {
  if (s_->sqes != MAP_FAILED) munmap(s_->sqes, s_->sqes_len);
  if (s_->cq_map != MAP_FAILED && s_->cq_map != s_->sq_map) munmap(s_->cq_map, s_->cq_len);
  if (s_->sq_map != MAP_FAILED) munmap(s_->sq_map, s_->sq_len);
  if (s_->fd >= 0) close(s_->fd);
}

int SearchRing::PersonalityFor(const Creds& c) {
  std::lock_guard<std::mutex> lock(g_mu);
  // Every lookup asks: the last class's answer without building a key
  // (lookups come in runs from one process).
  if (s_->last_id >= 0 && c.fsuid == s_->last_fsuid && c.fsgid == s_->last_fsgid &&
      c.groups == s_->last_groups)
    return s_->last_id;
  ClassKey key{c.fsuid, c.fsgid, c.groups};
  auto& groups = std::get<2>(key);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  auto remember = [&](int id) {
    s_->last_fsuid = c.fsuid, s_->last_fsgid = c.fsgid, s_->last_groups = c.groups;
    s_->last_id = id;
    return id;
  };
  auto it = s_->personalities.find(key);
  if (it != s_->personalities.end()) return remember(it->second);
  if (s_->personalities.size() >= kMaxPersonalities) return -1;
  // The kernel keeps a reference to the credentials in force when this
  // thread registers: the guest's file ids and groups (SearchAs), and no
  // effective capability at all, so that nothing of the proxy's own
  // rights (CAP_FOWNER, CAP_SYS_ADMIN...) comes with a guest's lookup.
  long id = -1;
  {
    SearchAs switched(c);
    if (!switched.ok()) return -1;
    __user_cap_data_struct caps[2], none[2];
    if (!GetThreadCaps(caps)) return -1;
    none[0] = caps[0], none[1] = caps[1];
    none[0].effective = none[1].effective = 0;
    if (!SetThreadCaps(none)) return -1;
    id = syscall(__NR_io_uring_register, s_->fd, IORING_REGISTER_PERSONALITY, nullptr, 0);
    // What SearchAs restores from (raising effective bits back within the
    // permitted set always succeeds).
    if (!SetThreadCaps(caps)) abort();
  }
  if (id < 0) return -1;
  s_->personalities.emplace(std::move(key), static_cast<int>(id));
  return remember(static_cast<int>(id));
}

int SearchRing::Openat2(int personality, int dirfd, const char* path, uint64_t flags,
                        uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  std::lock_guard<std::mutex> lock(g_mu);
  // One request at a time: the queues are empty between calls.
  const unsigned tail = *s_->sq_tail;
  const unsigned index = tail & *s_->sq_mask;
  io_uring_sqe* sqe = &s_->sqes[index];
  memset(sqe, 0, sizeof *sqe);
  sqe->opcode = IORING_OP_OPENAT2;
  sqe->fd = dirfd;
  sqe->addr = reinterpret_cast<uint64_t>(path);
  sqe->len = sizeof how;
  sqe->off = reinterpret_cast<uint64_t>(&how);
  sqe->personality = static_cast<uint16_t>(personality);
  if (g_force_async) sqe->flags = IOSQE_ASYNC;  // the kernel worker's path
  const uint64_t request = ++s_->last_request;
  sqe->user_data = request;
  s_->sq_array[index] = index;
  __atomic_store_n(s_->sq_tail, tail + 1, __ATOMIC_RELEASE);
  // The request is read (path and open_how copied in) when it is
  // submitted; a lookup the dentry cache cannot answer completes later
  // from the kernel's worker, so wait until the completion is there.
  unsigned to_submit = 1;
  for (;;) {
    const unsigned head = *s_->cq_head;
    if (head != __atomic_load_n(s_->cq_tail, __ATOMIC_ACQUIRE)) {
      const io_uring_cqe cqe = s_->cqes[head & *s_->cq_mask];
      __atomic_store_n(s_->cq_head, head + 1, __ATOMIC_RELEASE);
      if (cqe.user_data == request) {
        ++g_opens;
        return cqe.res;
      }
      // An earlier request's, given up on: its file is nobody's.
      if (cqe.res >= 0) close(cqe.res);
      continue;
    }
    long r = syscall(__NR_io_uring_enter, s_->fd, to_submit, 1, IORING_ENTER_GETEVENTS, nullptr, 0);
    if (r > 0) to_submit = 0;
    if (r >= 0 || errno == EINTR) continue;
    if (to_submit && errno != EAGAIN && errno != EBUSY) {
      // Not submitted and never will be: take it back.
      __atomic_store_n(s_->sq_tail, tail, __ATOMIC_RELEASE);
      return -errno;
    }
    // Submitted (the kernel owns the request and reads dirfd when it
    // runs, so the caller may not go on and close it), or to be retried:
    // wait for the completion.
    sched_yield();
  }
}

}  // namespace litebox::rootfs
