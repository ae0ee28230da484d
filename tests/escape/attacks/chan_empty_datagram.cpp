// A zero-length datagram and a shutdown(SHUT_WR) on the channel: the
// supervisor may end this process (its own channel said goodbye) but must
// not stall or crash; the decoy and the host are untouched.
#include "channel.hpp"

int main() {
  announce();
  step("send_empty", chan::SendRaw("", 0));
  chan::Report("reply_to_empty", chan::Receive(1000));
  step("shutdown_wr", RAW2(SYS_shutdown, chan::kFd, SHUT_WR));
  chan::Report("reply_after_shutdown", chan::Receive(1000));
  return done();
}
