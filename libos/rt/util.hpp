// Small freestanding helpers: strings, a futex lock, a bump+free-list
// allocator over the libOS's own memory region, and debug formatting.
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {
void* memcpy(void*, const void*, size_t);
void* memmove(void*, const void*, size_t);
void* memset(void*, int, size_t);
int memcmp(const void*, const void*, size_t);
size_t strlen(const char*);
}

namespace litebox::abi {}
namespace litebox::proto {}

namespace lb {

namespace abi = litebox::abi;
namespace proto = litebox::proto;

inline bool streq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
inline bool starts_with(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return false;
  return true;
}

// A futex-based lock. Threads of one process share it; the SIGSYS handler
// runs with every other signal blocked, so a holder is never re-entered on
// the same thread.
// The libOS's small mutable globals that every fork touches (locks,
// counters, heap pointers) sit together, next to g_proc: after a fork each
// page written by both processes is copied once and faulted on twice, so
// one shared page instead of six saves ~10 us per fork here.
#define LB_HOT __attribute__((section(".data.lb_hot")))

class Lock {
 public:
  void lock();
  void unlock();
  void reset() { word_ = 0; }  // in a fork child: only the forking thread survives

 private:
  volatile int word_ = 0;
};

struct Guard {
  explicit Guard(Lock& l) : l_(l) { l_.lock(); }
  ~Guard() { l_.unlock(); }
  Lock& l_;
};

// Memory for libOS bookkeeping (never handed to the application).
// Every mapping the libOS makes for itself is registered, so an in-process
// execve can unmap everything else.
void own_range_add(uint64_t start, uint64_t len);
void own_range_remove(uint64_t start);
bool own_range_contains(uint64_t start, uint64_t end);
// Copies up to `max` of the libOS's own ranges as [start, end) pairs.
int own_ranges_copy(uint64_t (*out)[2], int max);
void heap_init();
// Reads lowercase hex digits at p (as /proc/self/maps writes them) and
// leaves p at the first other character.
uint64_t parse_hex(const char*& p);
void* alloc(size_t n);
void free(void* p);
char* strdup(const char* s);
char* strndup(const char* s, size_t n);

// Fixed-capacity string builder (no allocation), for paths and log lines.
class Buf {
 public:
  Buf(char* data, size_t cap) : d_(data), cap_(cap) { d_[0] = 0; }
  Buf& put(const char* s);
  Buf& put(const char* s, size_t n);
  Buf& putc(char c);
  Buf& dec(long v);
  Buf& hex(unsigned long v);
  const char* c_str() const { return d_; }
  size_t size() const { return n_; }
  bool overflow() const { return overflow_; }
  void clear() { n_ = 0, d_[0] = 0, overflow_ = false; }

 private:
  char* d_;
  size_t cap_;
  size_t n_ = 0;
  bool overflow_ = false;
};

// Writes to the host stderr of the guest (fd 2) — only for fatal errors
// before the app runs.
void die(const char* msg, long code = 0);

}  // namespace lb
