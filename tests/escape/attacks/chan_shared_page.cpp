// The shared request page (libos/abi/proto.h, "Shared page"): the app can
// write every byte of it, whenever it likes. Lying lengths, a request with
// fd slots, a process op, an escape path, a flood of posts with garbage and
// a page left posted: each gets an error (or a confined answer), the
// supervisor survives, and the libOS's own file ops still work afterwards.
#include <stdio.h>
#include <stdlib.h>

#include "channel.hpp"

using namespace litebox::proto;

namespace {

char* g_page = nullptr;

ShmControl* Ctl() {
  return reinterpret_cast<ShmControl*>(g_page);
}

// The libOS maps its page from a memfd named litebox-page.
char* FindPage() {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return nullptr;
  char line[512];
  char* found = nullptr;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "litebox-page")) found = reinterpret_cast<char*>(strtoul(line, nullptr, 16));
  fclose(f);
  return found;
}

// Posts raw request bytes with a chosen req_len, rings, and waits for the
// answer (in place, or queued on the socket).
chan::Reply Post(const std::string& bytes, uint32_t req_len, uint32_t sock_sent = 0,
                 int extra_datagrams = 0) {
  memcpy(g_page + kShmReqOffset, bytes.data(),
         bytes.size() < kShmReqCap ? bytes.size() : kShmReqCap);
  Ctl()->req_len = req_len;
  Ctl()->sock_sent = sock_sent;
  // Datagrams queued ahead of the doorbell (kLog lines: answered on the
  // socket, and read back below).
  for (int i = 0; i < extra_datagrams; ++i) {
    Request q = chan::Make(kLog, "x");
    std::string d(reinterpret_cast<const char*>(&q), sizeof q);
    d += "x";
    chan::SendRaw(d.data(), d.size());
  }
  __atomic_store_n(&Ctl()->state, kShmPosted, __ATOMIC_SEQ_CST);
  Request bell = chan::Make(kDoorbell);
  chan::SendRaw(&bell, sizeof bell);
  chan::Reply r;
  long t0 = now_ms();
  uint32_t s;
  while ((s = __atomic_load_n(&Ctl()->state, __ATOMIC_ACQUIRE)) == kShmPosted)
    if (now_ms() - t0 > 3000) return r;  // -ETIMEDOUT
  for (int i = 0; i < extra_datagrams; ++i) chan::Receive();
  if (s == kShmOnSocket) return chan::Receive();
  Response resp;
  memcpy(&resp, g_page + kShmRespOffset, sizeof resp);
  r.result = resp.result;
  uint32_t n = Ctl()->resp_len;
  if (n > sizeof resp && n <= kShmRespCap)
    r.payload.assign(g_page + kShmRespOffset + sizeof resp, n - sizeof resp);
  Ctl()->state = kShmIdle;
  return r;
}

std::string Bytes(Request q, const std::string& s0 = "", const std::string& s1 = "") {
  std::string b(reinterpret_cast<const char*>(&q), sizeof q);
  return b + s0 + s1;
}

}  // namespace

int main() {
  announce();
  try_read("libos_open_first", "/etc/passwd");  // the libOS has its page now
  g_page = FindPage();
  if (!g_page) {
    step("page_found", -ENOENT);
    return done();
  }
  step("page_found", 0);
  std::string ok = Bytes(chan::Make(kStat, "/"), "/");
  chan::Report("stat_via_page", Post(ok, ok.size()));
  chan::Report("req_len_huge", Post(ok, 0xffffffffu));
  chan::Report("req_len_short", Post(ok, 3));
  chan::Report("req_len_past_request", Post(ok, ok.size() + 100));
  Request q = chan::Make(kStat, "/");
  q.size = 12;
  chan::Report("size_lies", Post(Bytes(q, "/"), sizeof q + 1));
  q = chan::Make(kStat, "/");
  q.nfds = 1;
  q.dirfd_slot[0] = 0;
  chan::Report("fd_slot_without_fd", Post(Bytes(q, "/"), sizeof q + 1));
  q = chan::Make(kKill);
  q.arg[0] = -1;
  q.arg[1] = 9;
  chan::Report("process_op", Post(Bytes(q), sizeof q));
  std::string esc = "/../../../.." + std::string(host("ESC_DECOY"));
  chan::Report("open_escape",
               Post(Bytes(chan::Make(kOpen, esc), esc), sizeof(Request) + esc.size()));
  // A page that claims a huge number of earlier datagrams, behind a run of
  // real ones: the supervisor reads a bounded number at a time and answers
  // once the socket is empty.
  chan::Report("sock_sent_lie", Post(ok, ok.size(), 0x7fffffffu, 40));
  // Garbage posts, as fast as the page turns.
  std::string junk(sizeof(Request) + 64, '\x41');
  int answered = 0;
  for (int i = 0; i < 2000; ++i) {
    chan::Reply r = Post(junk, static_cast<uint32_t>(junk.size()));
    if (r.result != -ETIMEDOUT) ++answered;
  }
  step("flood_answered", answered == 2000 ? 0 : -EIO);
  // Left posted and rung with nothing behind it: the next real request
  // must not be confused by it.
  Ctl()->req_len = 1;
  __atomic_store_n(&Ctl()->state, kShmPosted, __ATOMIC_SEQ_CST);
  sleep_ms(50);
  Ctl()->state = kShmIdle;
  chan::StillInSync("in_sync_after");
  try_read("libos_open_after", "/etc/passwd");
  return done();
}
