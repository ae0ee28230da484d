#include "libos/lookup_cache.hpp"

#include "libos/abi/proto.h"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/rt/util.hpp"

namespace lb::lookup {

namespace proto = litebox::proto;

namespace {
LB_HOT const proto::LookupSlot* g_slots = nullptr;
}  // namespace

bool map(int fd) {
  long r = sys(__NR_mmap, 0, proto::kLookupSize, 1 /*PROT_READ*/, 1 /*MAP_SHARED*/, fd, 0);
  sys(__NR_close, fd);
  if (is_err(r)) return false;
  own_range_add(static_cast<uint64_t>(r), proto::kLookupSize);
  g_slots = reinterpret_cast<const proto::LookupSlot*>(r);
  return true;
}

void credentials_changed(uint32_t tag, int fd) {
  if (fd >= 0 && !g_slots) {
    map(fd);
    return;
  }
  if (!g_slots || (fd < 0 && tag != 0)) {
    if (fd >= 0) sys(__NR_close, fd);
    return;
  }
  // In place (MAP_FIXED), under the channel lock: no lookup is being
  // answered from it now.
  long r = fd >= 0 ? sys(__NR_mmap, reinterpret_cast<long>(g_slots), proto::kLookupSize,
                         1 /*PROT_READ*/, 0x11 /*MAP_SHARED|MAP_FIXED*/, fd, 0)
                   : sys(__NR_mmap, reinterpret_cast<long>(g_slots), proto::kLookupSize,
                         1 /*PROT_READ*/, 0x32 /*MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED*/, -1, 0);
  if (fd >= 0) sys(__NR_close, fd);
  if (is_err(r)) exit_group(128 + k::SIGKILL);  // never leave the old class's readable
}

bool answer(Rpc& r, uint32_t tag, long* result) {
  if (tag == 0 || !g_slots || r.nfds != 0 || r.dirfd_slot[0] != -1 || r.str[1] != nullptr ||
      !r.str[0])
    return false;
  const uint32_t len = r.str_len[0];
  if (len == 0 || len > proto::kLookupMaxPath || r.str[0][0] != '/') return false;
  const int32_t key_flag = proto::LookupKeyFlag(r.op, r.arg);
  if (key_flag < 0) return false;
  const uint64_t hash = proto::LookupHash(r.op, key_flag, tag, r.str[0], len);
  const proto::LookupSlot* s = &g_slots[hash % proto::kLookupSlots];
  // Seqlock read: a copy, then the sequence again (the supervisor may be
  // rewriting the slot while we copy).
  const uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
  if (seq & 1) return false;
  if (__atomic_load_n(&s->op, __ATOMIC_RELAXED) != r.op) return false;
  proto::LookupSlot copy;
  memcpy(&copy, s, sizeof copy);
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
  if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq) return false;
  if (copy.hash != hash || copy.key_flag != static_cast<uint32_t>(key_flag) || copy.tag != tag ||
      copy.path_len != len || memcmp(copy.path, r.str[0], len) != 0)
    return false;
  if (__builtin_ia32_rdtsc() >= copy.expires_tsc) return false;
  if (copy.payload_len > proto::kLookupMaxPayload || copy.payload_len > r.payload_cap) return false;
  if (copy.payload_len) memcpy(r.payload, copy.payload, copy.payload_len);
  r.payload_len = copy.payload_len;
  r.aux[0] = r.aux[1] = 0;
  r.fd_out = -1;
  *result = copy.result;
  return true;
}

}  // namespace lb::lookup
