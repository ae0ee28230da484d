// Confused deputy: fd-taking requests (fchmod, fchown, futimens, fstatfs,
// getdents, fd path, openat base, fork channel) with fds of the wrong kind
// attached: pipes, socketpairs, memfd, eventfd, the channel itself, our
// host stdio (a host pty) and the libOS's reserved fds (its own host
// binary). The supervisor runs with privilege; it must refuse, never
// chmod/chown a host object. The driver watches the litebox binaries and
// the pty.
#include <sys/stat.h>

#include "channel.hpp"

using namespace litebox::proto;

static void Attack(const char* kind, int fd) {
  char l[128];
  auto label = [&](const char* op) {
    snprintf(l, sizeof l, "%s_%s", kind, op);
    return l;
  };
  Request q = chan::Make(kOpen, "../decoy/secret");
  q.nfds = 1;
  q.dirfd_slot[0] = 0;
  chan::Report(label("openat_dotdot"), chan::Call(q, "../decoy/secret", "", {fd}));
  q = chan::Make(kFchmod);
  q.nfds = 1;
  q.arg[0] = 04777;
  chan::Report(label("fchmod"), chan::Call(q, "", "", {fd}));
  q = chan::Make(kFchown);
  q.nfds = 1;
  q.arg[0] = 4242;
  q.arg[1] = 4242;
  chan::Report(label("fchown"), chan::Call(q, "", "", {fd}));
  q = chan::Make(kUtimens);
  q.nfds = 1;
  q.arg[1] = 1;
  q.arg[3] = 1;
  chan::Report(label("futimens"), chan::Call(q, "", "", {fd}));
  q = chan::Make(kGetdents);
  q.nfds = 1;
  q.arg[0] = 4096;
  chan::Report(label("getdents"), chan::Call(q, "", "", {fd}));
  q = chan::Make(kFdPath);
  q.nfds = 1;
  chan::Report(label("fdpath"), chan::Call(q, "", "", {fd}));
}

int main() {
  announce();
  int p[2], s[2];
  RAW2(SYS_pipe2, p, 0);
  RAW4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, s);
  long memfd = RAW2(SYS_memfd_create, "x", 0);
  long efd = RAW2(SYS_eventfd2, 0, 0);
  Attack("pipe", p[0]);
  Attack("socketpair", s[0]);
  Attack("memfd", (int)memfd);
  Attack("eventfd", (int)efd);
  Attack("stdin", 0);
  Attack("stdout", 1);
  Attack("channel", chan::kFd);
  Request q = chan::Make(kFork);
  q.nfds = 1;
  chan::Report("fork_with_pipe_channel", chan::Call(q, "", "", {p[1]}));
  // A fork with a vpid the supervisor never offered (forks with an offered
  // one are not answered): refused without a reply, its channel closed, and
  // no such process appears.
  int cs[2];
  RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, cs);
  q = chan::Make(kFork);
  q.nfds = 1;
  q.arg[0] = 4242;
  std::string dgram(reinterpret_cast<const char*>(&q), sizeof q);
  step("fork_forged_vpid_sent", chan::SendRaw(dgram.data(), dgram.size(), {cs[0]}));
  RAW1(SYS_close, cs[0]);  // the supervisor's copy is now the only one
  chan::Report("fork_forged_vpid_reply", chan::Receive(300));
  pollfd hup{cs[1], POLLRDHUP, 0};
  RAW3(SYS_poll, &hup, 1, 3000);
  step("fork_forged_vpid_channel_closed", (hup.revents & (POLLHUP | POLLRDHUP)) ? 0 : -EBADF);
  step("kill_forged_vpid", RAW2(SYS_kill, 4242, 0));
  // A malformed notice (a kReaped whose size lies) gets no answer, which
  // the next request would otherwise take for its own.
  q = chan::Make(kReaped);
  q.size += 8;
  dgram.assign(reinterpret_cast<const char*>(&q), sizeof q);
  step("malformed_notice_sent", chan::SendRaw(dgram.data(), dgram.size()));
  chan::Report("malformed_notice_reply", chan::Receive(300));
  // A child channel whose buffer we filled through a kept copy of the
  // supervisor's end: the welcome cannot go, the fork fails, nothing hangs.
  int full[2];
  RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, full);
  int one_kb = 1024;
  RAW5(SYS_setsockopt, full[0], SOL_SOCKET, SO_SNDBUF, &one_kb, sizeof one_kb);
  char junk[256] = {};
  while (RAW4(SYS_sendto, full[0], junk, sizeof junk, MSG_DONTWAIT) > 0) {
  }
  q = chan::Make(kFork);
  q.nfds = 1;
  chan::Report("fork_full_channel", chan::Call(q, "", "", {full[0]}));
  // Children that never say hello (their channels kept, silent) stall a
  // lookup by at most a second after they were registered, not one each.
  for (int i = 0; i < 4; ++i) {
    int mute[2];
    RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, mute);
    q = chan::Make(kFork);
    q.nfds = 1;
    chan::Call(q, "", "", {mute[0]});
  }
  long t0 = now_ms();
  RAW2(SYS_kill, 1, 0);  // the supervisor reads pending hellos first
  step("silent_children_stall", now_ms() - t0 < 2500 ? 0 : -ETIMEDOUT);
  chan::StillInSync("in_sync_after");
  return done();
}
