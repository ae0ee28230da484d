// Malformed requests on the supervisor channel: short, bad magic, lying
// sizes, overflowing string lengths, unknown ops, fd counts that do not
// match, bad dirfd slots, NUL inside a path. Each must get an error reply
// and leave the channel in sync (a proper stat afterwards still works).
#include "channel.hpp"

using namespace litebox::proto;

int main() {
  announce();
  char junk[256];
  memset(junk, 0x41, sizeof junk);
  chan::SendRaw(junk, 1);
  chan::Report("one_byte", chan::Receive());
  chan::SendRaw(junk, sizeof(Request) - 1);
  chan::Report("short_header", chan::Receive());
  Request q = chan::Make(kStat, "/");
  q.magic = 0xdeadbeef;
  chan::Report("bad_magic", chan::Call(q, "/"));
  q = chan::Make(kStat, "/");
  q.size += 100;
  chan::Report("size_too_big", chan::Call(q, "/"));
  q = chan::Make(kStat, "/");
  q.size = 8;
  chan::Report("size_too_small", chan::Call(q, "/"));
  q = chan::Make(kStat, "/");
  q.str_len[0] = 0xffffffff;
  chan::Report("str_len_huge", chan::Call(q, "/"));
  q = chan::Make(kStat, "/");
  q.str_len[0] = 0x80000000;
  q.str_len[1] = 0x80000001;  // sums to 1 in 32 bits
  chan::Report("str_len_wrap", chan::Call(q, "/"));
  q = chan::Make(9999, "/");
  chan::Report("unknown_op", chan::Call(q, "/"));
  q = chan::Make(0, "/");
  chan::Report("op_zero", chan::Call(q, "/"));
  q = chan::Make(kOpen, "/etc/passwd");
  q.nfds = 2;
  chan::Report("nfds_lies", chan::Call(q, "/etc/passwd"));
  q = chan::Make(kOpen, "passwd");
  q.dirfd_slot[0] = 5;
  chan::Report("dirfd_slot_out_of_range", chan::Call(q, "passwd"));
  q = chan::Make(kOpen, "passwd");
  q.dirfd_slot[0] = -7;
  chan::Report("dirfd_slot_negative", chan::Call(q, "passwd"));
  q = chan::Make(kOpen, "");
  chan::Report("empty_path", chan::Call(q, ""));
  std::string nul("/etc/passwd\0/../../decoy/secret", 31);
  q = chan::Make(kOpen, nul);
  chan::Report("nul_in_path", chan::Call(q, nul));
  std::string big(8000, 'a');
  big[0] = '/';
  q = chan::Make(kOpen, big);
  chan::Report("path_over_path_max", chan::Call(q, big));
  // Two requests in one datagram: only the first may be answered.
  Request a = chan::Make(kStat, "/"), b = chan::Make(kStat, "/");
  std::string two(reinterpret_cast<char*>(&a), sizeof a);
  two += "/";
  two.append(reinterpret_cast<char*>(&b), sizeof b);
  two += "/";
  chan::SendRaw(two.data(), two.size());
  chan::Report("two_in_one", chan::Receive());
  chan::Report("no_second_reply", chan::Receive(300));
  chan::StillInSync("in_sync_after");
  try_read("libos_open_after", "/etc/passwd");
  return done();
}
