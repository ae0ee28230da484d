#include "libos/rt/util.hpp"

#include "libos/rt/sys.hpp"

namespace lb {

namespace {
constexpr int kFutexWait = 0 | 128;  // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
constexpr int kFutexWake = 1 | 128;
}  // namespace

void Lock::lock() {
  int expected = 0;
  if (__atomic_compare_exchange_n(&word_, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    return;
  // 2 = locked with waiters.
  while (__atomic_exchange_n(&word_, 2, __ATOMIC_ACQUIRE) != 0)
    sys(__NR_futex, (long)&word_, kFutexWait, 2, 0);
}

void Lock::unlock() {
  if (__atomic_exchange_n(&word_, 0, __ATOMIC_RELEASE) == 2)
    sys(__NR_futex, (long)&word_, kFutexWake, 1);
}

// --- allocator -----------------------------------------------------------
// Size classes of powers of two from 16 bytes to 64 KiB with free lists;
// larger blocks come straight from mmap. The region is reserved once, so
// the application never sees libOS data inside its own mappings.
namespace {
constexpr size_t kRegion = 64ull << 20;
constexpr int kClasses = 15;  // 16 .. 256K
struct FreeNode {
  FreeNode* next;
};
struct Header {
  uint64_t size_class;  // class index, or 0xff.. for a direct mapping (size in next word)
  uint64_t bytes;
};
LB_HOT char* g_base;
LB_HOT char* g_top;
LB_HOT char* g_end;
LB_HOT FreeNode* g_free[kClasses];
LB_HOT Lock g_heap_lock;

int class_of(size_t n) {
  size_t c = 16;
  int i = 0;
  while (c < n) c <<= 1, ++i;
  return i;
}
}  // namespace

namespace {
struct Range {
  uint64_t start, end;
};
constexpr int kMaxRanges = 512;
Range g_ranges[kMaxRanges];
LB_HOT int g_nranges = 0;
LB_HOT Lock g_range_lock;
}  // namespace

void own_range_add(uint64_t start, uint64_t len) {
  Guard g(g_range_lock);
  if (g_nranges < kMaxRanges) g_ranges[g_nranges++] = {start, start + len};
}
void own_range_remove(uint64_t start) {
  Guard g(g_range_lock);
  for (int i = 0; i < g_nranges; ++i)
    if (g_ranges[i].start == start) {
      g_ranges[i] = g_ranges[--g_nranges];
      return;
    }
}
bool own_range_contains(uint64_t start, uint64_t end) {
  Guard g(g_range_lock);
  for (int i = 0; i < g_nranges; ++i)
    if (start < g_ranges[i].end && end > g_ranges[i].start) return true;
  return false;
}

int own_ranges_copy(uint64_t (*out)[2], int max) {
  Guard g(g_range_lock);
  int n = g_nranges < max ? g_nranges : max;
  for (int i = 0; i < n; ++i) out[i][0] = g_ranges[i].start, out[i][1] = g_ranges[i].end;
  return n;
}

uint64_t parse_hex(const char*& p) {
  uint64_t v = 0;
  for (;; ++p) {
    char ch = *p;
    if (ch >= '0' && ch <= '9')
      v = v * 16 + static_cast<uint64_t>(ch - '0');
    else if (ch >= 'a' && ch <= 'f')
      v = v * 16 + static_cast<uint64_t>(ch - 'a' + 10);
    else
      return v;
  }
}

void heap_init() {
  long r = sys(__NR_mmap, 0, kRegion, 3 /*RW*/, 0x22 | 0x4000 /*PRIVATE|ANON|NORESERVE*/, -1, 0);
  if (is_err(r)) die("libos: cannot reserve memory", r);
  own_range_add(static_cast<uint64_t>(r), kRegion);
  g_base = g_top = reinterpret_cast<char*>(r);
  g_end = g_base + kRegion;
}

void* alloc(size_t n) {
  size_t need = n + sizeof(Header);
  // Up to 256 KiB from the size classes (reused, never unmapped): the
  // libOS's per-exec message buffers are ~64 KiB, and an mmap + munmap of
  // each cost more than the rest of their use.
  if (need > (256u << 10)) {
    size_t len = (need + 4095) & ~size_t(4095);
    long r = sys(__NR_mmap, 0, len, 3, 0x22, -1, 0);
    if (is_err(r)) return nullptr;
    auto* h = reinterpret_cast<Header*>(r);
    h->size_class = ~0ull;
    h->bytes = len;
    own_range_add(static_cast<uint64_t>(r), len);
    return h + 1;
  }
  int c = class_of(need);
  Guard g(g_heap_lock);
  Header* h;
  if (g_free[c]) {
    h = reinterpret_cast<Header*>(g_free[c]);
    g_free[c] = g_free[c]->next;
  } else {
    size_t sz = size_t(16) << c;
    if (g_top + sz > g_end) return nullptr;
    h = reinterpret_cast<Header*>(g_top);
    g_top += sz;
  }
  h->size_class = c;
  h->bytes = size_t(16) << c;
  return h + 1;
}

void free(void* p) {
  if (!p) return;
  Header* h = static_cast<Header*>(p) - 1;
  if (h->size_class == ~0ull) {
    own_range_remove(reinterpret_cast<uint64_t>(h));
    sys(__NR_munmap, (long)h, (long)h->bytes);
    return;
  }
  Guard g(g_heap_lock);
  auto* node = reinterpret_cast<FreeNode*>(h);
  int c = static_cast<int>(h->size_class);
  node->next = g_free[c];
  g_free[c] = node;
}

char* strndup(const char* s, size_t n) {
  char* d = static_cast<char*>(alloc(n + 1));
  if (!d) return nullptr;
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}
char* strdup(const char* s) {
  return strndup(s, strlen(s));
}

// --- Buf -----------------------------------------------------------------
Buf& Buf::put(const char* s, size_t n) {
  if (n_ + n + 1 > cap_) {
    overflow_ = true;
    n = cap_ - n_ - 1;
  }
  memcpy(d_ + n_, s, n);
  n_ += n;
  d_[n_] = 0;
  return *this;
}
Buf& Buf::put(const char* s) {
  return put(s, strlen(s));
}
Buf& Buf::putc(char c) {
  return put(&c, 1);
}
Buf& Buf::dec(long v) {
  char tmp[24];
  int i = 0;
  bool neg = v < 0;
  unsigned long u = neg ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
  do tmp[i++] = char('0' + u % 10), u /= 10;
  while (u);
  if (neg) putc('-');
  while (i) putc(tmp[--i]);
  return *this;
}
Buf& Buf::hex(unsigned long v) {
  char tmp[20];
  int i = 0;
  do tmp[i++] = "0123456789abcdef"[v & 15], v >>= 4;
  while (v);
  put("0x");
  while (i) putc(tmp[--i]);
  return *this;
}

void die(const char* msg, long code) {
  char b[256];
  Buf out(b, sizeof b);
  out.put("litebox-guest: ").put(msg);
  if (code) out.put(" (").dec(code).put(")");
  out.putc('\n');
  sys(__NR_write, 2, (long)out.c_str(), (long)out.size());
  exit_group(127);
}

}  // namespace lb
