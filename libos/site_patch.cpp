#include "libos/site_patch.hpp"

#include "libos/path.hpp"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/rt/util.hpp"

extern "C" void lb_direct_entry();

namespace lb::sites {

namespace {
static_assert(abi::kThreadRegionSize == 0x40000, "rt/direct_entry.S hard-codes the region size");
static_assert(kThreadMagic == 0x4c42544852454144ull, "rt/direct_entry.S hard-codes the magic");

LB_HOT bool g_enabled = false;
LB_HOT Lock g_lock;

// Sites seen trapping, by the address behind their syscall instruction.
// An entry counts only in the generation it was made in: exec starts a new
// one instead of clearing the table, whose 16 KiB a fork child would
// otherwise copy page by page just to zero them.
struct Hit {
  uint64_t rip;
  uint32_t gen;
  uint16_t count;
  bool done;  // patched, or found unpatchable: never looked at again
};
// One page: a fork child that traps a handful of times copies one page of
// it, not one per site it happens to hash to (each copy is a ~1.3 us fault).
constexpr int kHits = 256, kProbes = 16;
alignas(4096) Hit g_hits[kHits];
static_assert(sizeof g_hits == 4096, "one page");
LB_HOT uint32_t g_gen = 1;

// Private r-x file mappings: only their code is ever rewritten, and their
// protection is what mprotect restores. The loader reports the images it
// maps (a static program's every site); shared libraries are found in
// /proc/self/maps, read through the proxy (~0.1 ms), so only for a site
// that has trapped kHitsBeforeMapsRead times.
struct Range {
  uint64_t lo, hi;
};
constexpr int kMaxText = 256;
Range g_text[kMaxText];
LB_HOT int g_ntext = 0;
LB_HOT int g_maps_reads = 0;
constexpr int kMaxMapsReads = 4;  // per image: dlopen adds text, rarely
// Patching costs about what four traps do (two mprotects, a stub page the
// first time, a copied page of text): a site is patched on its fourth trap,
// so a short-lived process (a shell's child, a compiler pass) whose sites
// trap once or twice pays for no patch it will not use.
constexpr uint32_t kHitsToPatch = 4, kHitsBeforeMapsRead = 8;

// Stub pages: the entry's address at offset 0, then 32-byte stubs. Each
// must lie within a rel32 jump of the sites it serves.
struct StubPage {
  uint64_t base;
  uint32_t used;
};
constexpr int kMaxStubPages = 64;
StubPage g_pages[kMaxStubPages];
LB_HOT int g_npages = 0;
constexpr uint32_t kStubSize = 32, kPage = 4096;
constexpr uint64_t kReach = (1ull << 31) - 2 * kPage;

uint64_t distance(uint64_t a, uint64_t b) {
  return a > b ? a - b : b - a;
}

void wrgsbase(Thread* t) {
  asm volatile("wrgsbase %0" : : "r"(reinterpret_cast<uint64_t>(t)) : "memory");
}

void read_text_ranges() {
  ++g_maps_reads;
  g_ntext = 0;
  long fd = proxy_open(k::AT_FDCWD, "/proc/self/maps", k::O_RDONLY | k::O_CLOEXEC, 0);
  if (fd < 0) return;
  const size_t cap = 1 << 20;
  char* buf = static_cast<char*>(alloc(cap));
  size_t len = 0;
  if (buf) {
    for (;;) {
      long n =
          sys(__NR_read, fd, reinterpret_cast<long>(buf + len), static_cast<long>(cap - 1 - len));
      if (n <= 0) break;
      len += static_cast<size_t>(n);
      if (len >= cap - 1) break;
    }
    buf[len] = 0;
  }
  sys(__NR_close, fd);
  if (!buf) return;
  // "lo-hi perms offset dev inode path": r-xp with an inode.
  for (const char* p = buf; *p && g_ntext < kMaxText;) {
    const char* q = p;
    while (*p && *p != '\n') ++p;
    if (*p) ++p;
    uint64_t lo = parse_hex(q);
    if (*q++ != '-') continue;
    uint64_t hi = parse_hex(q);
    if (*q++ != ' ' || q[0] != 'r' || q[1] != '-' || q[2] != 'x' || q[3] != 'p') continue;
    q += 5;
    parse_hex(q);  // offset
    if (*q++ != ' ') continue;
    while (*q && *q != ' ') ++q;  // dev
    if (*q++ != ' ') continue;
    if (parse_hex(q) == 0) continue;  // inode 0: anonymous, not a file
    g_text[g_ntext++] = {lo, hi};
  }
  free(buf);
}

bool known_text(uint64_t lo, uint64_t hi) {
  for (int i = 0; i < g_ntext; ++i)
    if (lo >= g_text[i].lo && hi <= g_text[i].hi) return true;
  return false;
}

// A fresh stub page within reach of `site`: below it first (above an
// executable usually lies its data and the heap's growth).
uint64_t new_stub_page(uint64_t site) {
  if (g_npages == kMaxStubPages) return 0;
  uint64_t base = site & ~uint64_t{kPage - 1};
  for (uint64_t delta = 1ull << 20; delta <= (1ull << 30); delta <<= 1) {
    uint64_t cand[2] = {base - delta, base + delta};
    for (uint64_t a : cand) {
      if (a < (1ull << 20) || a >= (1ull << 47) - kPage || distance(a, site) > kReach) continue;
      long r =
          sys(__NR_mmap, static_cast<long>(a), kPage, k::PROT_READ | k::PROT_WRITE | k::PROT_EXEC,
              k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_FIXED_NOREPLACE, -1, 0);
      if (is_err(r)) continue;
      if (static_cast<uint64_t>(r) != a) {  // an old kernel ignoring NOREPLACE
        sys(__NR_munmap, r, kPage);
        continue;
      }
      *reinterpret_cast<uint64_t*>(a) = reinterpret_cast<uint64_t>(&lb_direct_entry);
      g_pages[g_npages++] = {a, kStubSize};
      return a;
    }
  }
  return 0;
}

uint64_t alloc_stub(uint64_t site) {
  for (int i = 0; i < g_npages; ++i) {
    StubPage& p = g_pages[i];
    if (p.used + kStubSize <= kPage && distance(p.base, site) <= kReach) {
      uint64_t s = p.base + p.used;
      p.used += kStubSize;
      return s;
    }
  }
  uint64_t page = new_stub_page(site);
  if (!page) return 0;
  g_pages[g_npages - 1].used += kStubSize;
  return page + kStubSize;
}

void put32(uint8_t* p, int64_t v) {
  int32_t x = static_cast<int32_t>(v);
  memcpy(p, &x, 4);
}

// The two kinds of site, 7 bytes ending at the syscall instruction:
//   b8 <nr>          mov $nr, %eax         (glibc's wrappers, inline calls)
//   4c 8b 4c 24 08   mov 0x8(%rsp), %r9    (glibc's syscall(): nr in rax)
// The stub replays that first instruction, then
// lea -128(%rsp),%rsp; call *entry(%rip); lea 128(%rsp),%rsp; jmp rip.
// For syscall() every number comes this way: the entry answers the direct
// rows and makes the call itself for the others (pass rows run natively,
// the rest trap as from any application code).
constexpr uint8_t kMovR9[5] = {0x4c, 0x8b, 0x4c, 0x24, 0x08};

void write_stub(uint64_t stub, uint64_t page, const uint8_t* first, uint64_t rip) {
  auto* s = reinterpret_cast<uint8_t*>(stub);
  memcpy(s, first, 5);
  const uint8_t lea_down[5] = {0x48, 0x8d, 0x64, 0x24, 0x80};
  memcpy(s + 5, lea_down, 5);
  s[10] = 0xff, s[11] = 0x15;
  put32(s + 12, static_cast<int64_t>(page) - static_cast<int64_t>(stub + 16));
  const uint8_t lea_up[8] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
  memcpy(s + 16, lea_up, 8);
  s[24] = 0xe9;
  put32(s + 25, static_cast<int64_t>(rip) - static_cast<int64_t>(stub + 29));
  s[29] = s[30] = s[31] = 0xcc;
}

bool is_prefix_byte(uint8_t b) {
  if ((b & 0xf0) == 0x40) return true;  // REX: the "b8" would be mov to r8d..
  switch (b) {
    case 0x66:
    case 0x67:
    case 0xf0:
    case 0xf2:
    case 0xf3:
    case 0x26:
    case 0x2e:
    case 0x36:
    case 0x3e:
    case 0x64:
    case 0x65:
      return true;
    default:
      return false;
  }
}

void patch(long nr, uint64_t rip) {
  const uint64_t site = rip - 7;
  if (own_range_contains(site - 1, rip)) return;  // the libOS's own code
  const auto* p = reinterpret_cast<const uint8_t*>(site);
  uint32_t imm;
  memcpy(&imm, p + 1, 4);
  if (p[5] != 0x0f || p[6] != 0x05 || is_prefix_byte(p[-1])) return;
  const bool fixed = p[0] == 0xb8 && imm == static_cast<uint32_t>(nr);
  if (!fixed && memcmp(p, kMovR9, 5) != 0) return;
  // Another thread may be running these bytes: rewrite them with one
  // aligned 8-byte store, which it sees whole or not at all.
  const bool threads = g_proc.threads_made;
  if (threads && (site & 7) > 3) return;
  const uint64_t stub = alloc_stub(site);
  if (!stub) return;
  uint8_t first[5];
  memcpy(first, p, 5);
  write_stub(stub, stub & ~uint64_t{kPage - 1}, first, rip);
  uint8_t jmp[5] = {0xe9};
  put32(jmp + 1, static_cast<int64_t>(stub) - static_cast<int64_t>(site + 5));
  const uint64_t lo = site & ~uint64_t{kPage - 1};
  const uint64_t len = ((site + 5 + kPage - 1) & ~uint64_t{kPage - 1}) - lo;
  if (sys(__NR_mprotect, lo, len, k::PROT_READ | k::PROT_WRITE | k::PROT_EXEC) < 0) return;
  if (threads) {
    auto* word = reinterpret_cast<uint64_t*>(site & ~7ull);
    uint64_t v = __atomic_load_n(word, __ATOMIC_RELAXED);
    memcpy(reinterpret_cast<uint8_t*>(&v) + (site & 7), jmp, 5);
    __atomic_store_n(word, v, __ATOMIC_RELEASE);
  } else {
    memcpy(reinterpret_cast<void*>(site), jmp, 5);
  }
  sys(__NR_mprotect, lo, len, k::PROT_READ | k::PROT_EXEC);
  if (g_proc.debug) {
    char b[96];
    Buf m(b, sizeof b);
    m.put("patched syscall site ").hex(site).put(" nr ").dec(nr);
    log_line(m.c_str());
  }
}
}  // namespace

void init(Thread* main_thread) {
  g_enabled = (g_proc.at_hwcap2 & 2) != 0;  // HWCAP2_FSGSBASE
  if (g_enabled) wrgsbase(main_thread);
}

void thread_start(Thread* t) {
  if (g_enabled) wrgsbase(t);
}

Thread* current_thread() {
  if (!g_enabled) return nullptr;
  uint64_t v;
  asm volatile("rdgsbase %0" : "=r"(v));
  return reinterpret_cast<Thread*>(v);
}

void note_trap(long nr, uint64_t rip) {
  if (!g_enabled || rip < 8) return;
  Guard g(g_lock);
  uint64_t h = (rip * 0x9e3779b97f4a7c15ull) >> 56;  // 8 bits
  for (int i = 0; i < kProbes; ++i) {
    Hit& e = g_hits[(h + i) % kHits];
    if (e.gen != g_gen || e.rip == 0) {
      e = {rip, g_gen, 1, false};
      return;
    }
    if (e.rip != rip) continue;
    if (e.done || ++e.count < kHitsToPatch) return;
    if (!known_text(rip - 8, rip)) {
      if (e.count < kHitsBeforeMapsRead) return;
      if (g_maps_reads < kMaxMapsReads) read_text_ranges();
      if (!known_text(rip - 8, rip)) {
        e.done = true;
        return;
      }
    }
    e.done = true;
    patch(nr, rip);
    return;
  }
}

void exec_reset() {
  Guard g(g_lock);
  ++g_gen;       // every entry of g_hits is now empty
  g_npages = 0;  // unmapped with the old image
  g_ntext = 0;
  g_maps_reads = 0;
}

void reset_in_child() {
  g_lock.reset();
}

void add_text(uint64_t lo, uint64_t hi) {
  Guard g(g_lock);
  if (g_ntext < kMaxText) g_text[g_ntext++] = {lo, hi};
}

}  // namespace lb::sites
