// Oversized datagrams on the channel (beyond kMaxMessage, up to what the
// socket buffer takes) and a flood of 20000 requests: the supervisor must
// reject, not crash or desynchronise, and the sandbox must go on.
#include "channel.hpp"

using namespace litebox::proto;

static char huge[1 << 20];

int main() {
  announce();
  memset(huge, 'A', sizeof huge);
  for (size_t len : {size_t(kMaxMessage + 1), size_t(200000), sizeof huge}) {
    Request q = chan::Make(kOpen);
    q.str_len[0] = static_cast<uint32_t>(len - sizeof q);
    q.size = static_cast<uint32_t>(len);
    memcpy(huge, &q, sizeof q);
    huge[sizeof q] = '/';
    long s = chan::SendRaw(huge, len);
    char label[64];
    snprintf(label, sizeof label, "send_%zu", len);
    if (s < 0) {
      step(label, s);
      continue;
    }
    chan::Report(label, chan::Receive());
  }
  long ok = 0;
  long t0 = now_ms();
  for (int i = 0; i < 20000 && now_ms() - t0 < 8000; ++i)
    if (chan::Call(chan::Make(kStat, "/"), "/").result == 0) ++ok;
  out("INFO flood_ok=%ld\n", ok);
  step("flood_answered", ok > 100 ? 0 : -EIO);
  chan::StillInSync("in_sync_after");
  try_read("libos_open_after", "/etc/passwd");
  return done();
}
