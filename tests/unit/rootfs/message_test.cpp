// The codec against hostile datagrams: each gets an error reply, no fd
// leaks, and the server keeps serving.
#include "rootfs/message.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "harness.hpp"

namespace litebox::rootfs::test {
namespace {

class MessageTest : public RootfsTest {
 protected:
  proto::Request Header(uint32_t op, const std::string& s0 = "", const std::string& s1 = "",
                        uint32_t nfds = 0) {
    proto::Request h = {};
    h.magic = proto::kMagic;
    h.op = op;
    h.size = static_cast<uint32_t>(sizeof(h) + s0.size() + s1.size());
    h.nfds = nfds;
    h.str_len[0] = static_cast<uint32_t>(s0.size());
    h.str_len[1] = static_cast<uint32_t>(s1.size());
    h.dirfd_slot[0] = h.dirfd_slot[1] = -1;
    return h;
  }
  static std::string Bytes(const proto::Request& h, const std::string& tail = "") {
    return std::string(reinterpret_cast<const char*>(&h), sizeof(h)) + tail;
  }
  // The server still answers a good request after the bad one.
  void ExpectStillServing() {
    Reply r = Open("/etc/passwd", O_RDONLY);
    EXPECT_EQ(r.result(), 0);
    EXPECT_EQ(r.payload, "/etc/passwd");
  }
  // A pipe whose read end only the server could still hold: after the
  // request, a write fails with EPIPE iff the server closed it.
  struct Probe {
    int write_end = -1, read_end = -1;
  };
  Probe MakeProbe() {
    int p[2];
    EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
    return {p[1], p[0]};
  }
  bool ProbeClosed(Probe& p) {
    signal(SIGPIPE, SIG_IGN);
    bool closed = write(p.write_end, "x", 1) < 0 && errno == EPIPE;
    close(p.write_end);
    return closed;
  }
};

TEST_F(MessageTest, BadMagicIsEinval) {
  proto::Request h = Header(proto::kOpen, "/etc/passwd");
  h.magic = 0x12345678;
  EXPECT_EQ(Raw(Bytes(h, "/etc/passwd")).result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, UnknownOpIsEproto) {
  for (uint32_t op : {0u, 4u, 26u, 29u, 34u, 99u, 0xffffffffu}) {
    EXPECT_EQ(Raw(Bytes(Header(op))).result(), -EPROTO) << op;
  }
  ExpectStillServing();
}

TEST_F(MessageTest, SizeFieldMustMatchTheDatagram) {
  proto::Request h = Header(proto::kOpen, "/etc/passwd");
  h.size += 1;
  EXPECT_EQ(Raw(Bytes(h, "/etc/passwd")).result(), -EINVAL);
  h.size -= 2;
  EXPECT_EQ(Raw(Bytes(h, "/etc/passwd")).result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, StringLengthsMustAddUp) {
  proto::Request h = Header(proto::kOpen, "/etc/passwd");
  h.str_len[1] = 0xffffffffu;  // would overflow a 32-bit sum
  EXPECT_EQ(Raw(Bytes(h, "/etc/passwd")).result(), -EINVAL);
  h = Header(proto::kOpen, "/etc/passwd");
  h.str_len[0] = 3;
  EXPECT_EQ(Raw(Bytes(h, "/etc/passwd")).result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, TruncatedHeaderIsEinval) {
  std::string full = Bytes(Header(proto::kOpen));
  for (size_t n : {1u, 4u, 8u, 40u, 71u}) {
    EXPECT_EQ(Raw(full.substr(0, n)).result(), -EINVAL) << n;
  }
  ExpectStillServing();
}

TEST_F(MessageTest, EmptyDatagramIsNotAHangup) {
  EXPECT_EQ(Raw("").result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, OversizeDatagramIsEmsgsize) {
  std::string big(proto::kMaxMessage + 100, 'A');
  proto::Request h = Header(proto::kLog);
  h.size = static_cast<uint32_t>(big.size());
  h.str_len[0] = static_cast<uint32_t>(big.size() - sizeof(h));
  memcpy(big.data(), &h, sizeof(h));
  EXPECT_EQ(Raw(big).result(), -EMSGSIZE);
  ExpectStillServing();
}

TEST_F(MessageTest, NfdsThatLiesIsRejectedAndFdsAreClosed) {
  Probe p = MakeProbe();
  proto::Request h = Header(proto::kOpen, "/etc/passwd", "", 0);  // says 0, sends 1
  Reply r = Raw(Bytes(h, "/etc/passwd"), {p.read_end});
  close(p.read_end);
  EXPECT_EQ(r.result(), -EINVAL);
  EXPECT_TRUE(ProbeClosed(p));
  h = Header(proto::kOpen, "/etc/passwd", "", 2);  // says 2, sends 0
  EXPECT_EQ(Raw(Bytes(h, "/etc/passwd")).result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, MoreThanMaxFdsIsRejectedAndAllAreClosed) {
  Probe a = MakeProbe(), b = MakeProbe(), c = MakeProbe();
  proto::Request h = Header(proto::kFdPath, "", "", 3);
  Reply r = Raw(Bytes(h), {a.read_end, b.read_end, c.read_end});
  close(a.read_end);
  close(b.read_end);
  close(c.read_end);
  EXPECT_EQ(r.result(), -EINVAL);
  EXPECT_TRUE(ProbeClosed(a));
  EXPECT_TRUE(ProbeClosed(b));
  EXPECT_TRUE(ProbeClosed(c));
  ExpectStillServing();
}

TEST_F(MessageTest, DirfdSlotOutOfRangeIsEinval) {
  Probe p = MakeProbe();
  proto::Request h = Header(proto::kOpen, "passwd", "", 1);
  h.dirfd_slot[0] = 1;
  Reply r = Raw(Bytes(h, "passwd"), {p.read_end});
  close(p.read_end);
  EXPECT_EQ(r.result(), -EINVAL);
  EXPECT_TRUE(ProbeClosed(p));
  h = Header(proto::kOpen, "passwd");
  h.dirfd_slot[0] = -2;
  EXPECT_EQ(Raw(Bytes(h, "passwd")).result(), -EINVAL);
  h.dirfd_slot[0] = -1;
  h.dirfd_slot[1] = 0x7fffffff;
  EXPECT_EQ(Raw(Bytes(h, "passwd")).result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, PathWithNulIsEinval) {
  std::string path("/etc/passwd\0/../shadow", 22);
  EXPECT_EQ(Raw(Bytes(Header(proto::kOpen, path), path)).result(), -EINVAL);
  ExpectStillServing();
}

TEST_F(MessageTest, PathLongerThanPathMaxIsEinval) {
  std::string path = "/" + std::string(proto::kMaxPath, 'a');
  EXPECT_EQ(Raw(Bytes(Header(proto::kStat, path), path)).result(), -EINVAL);
  std::string ok = "/" + std::string(300, 'a');
  EXPECT_EQ(Call(proto::kStat, {0}, ok).result(), -ENAMETOOLONG);  // component > 255
  ExpectStillServing();
}

TEST_F(MessageTest, NonPathOpsMayCarryNuls) {
  // kExecDone's str1 is argv joined with NULs: the codec accepts it, and the
  // file server declines the op (it is the supervisor's).
  std::string argv("sh\0-c\0true", 10);
  ReceivedRequest req;
  int err = 0;
  std::string bytes = Bytes(Header(proto::kExecDone, "/bin/sh", argv), "/bin/sh" + argv);
  ASSERT_EQ(send(client_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  ASSERT_EQ(ReceiveRequest(server_fd_, &req, &err), RecvStatus::kOk);
  EXPECT_EQ(req.str[1], argv);
  EXPECT_FALSE(server_->Handle(req, ctx_, server_fd_));
}

TEST_F(MessageTest, FileServerDeclinesNonFileOps) {
  ReceivedRequest req;
  req.hdr = Header(proto::kHello);
  EXPECT_FALSE(server_->Handle(req, ctx_, server_fd_));
  char c;
  EXPECT_LT(recv(client_, &c, 1, MSG_DONTWAIT), 0);  // nothing was sent
}

TEST_F(MessageTest, ClosedPeerIsReportedAsClosed) {
  close(client_);
  client_ = -1;
  ReceivedRequest req;
  int err = 0;
  EXPECT_EQ(ReceiveRequest(server_fd_, &req, &err), RecvStatus::kClosed);
}

TEST_F(MessageTest, NonBlockingChannelWithNothingQueuedIsWouldBlock) {
  ASSERT_EQ(fcntl(server_fd_, F_SETFL, O_NONBLOCK), 0);
  ReceivedRequest req;
  int err = 0;
  EXPECT_EQ(ReceiveRequest(server_fd_, &req, &err), RecvStatus::kWouldBlock);
  ExpectStillServing();
}

TEST_F(MessageTest, TenThousandRandomDatagramsNeverBreakTheServer) {
  std::mt19937 rng(12345);
  int malformed = 0;
  for (int i = 0; i < 10000; ++i) {
    size_t len = rng() % 300;
    std::string bytes(len, '\0');
    for (auto& ch : bytes) ch = static_cast<char>(rng());
    // Half the time, a plausible header with random fields, so the fuzz
    // reaches the file ops and not only the magic check.
    if (len >= sizeof(proto::Request) && (i & 1)) {
      proto::Request h;
      memcpy(&h, bytes.data(), sizeof(h));
      h.magic = proto::kMagic;
      h.op = proto::kOpen + rng() % 24;
      h.size = static_cast<uint32_t>(len);
      h.nfds = 0;
      h.str_len[0] = static_cast<uint32_t>(rng() % (len - sizeof(h) + 1));
      h.str_len[1] = static_cast<uint32_t>(len - sizeof(h) - h.str_len[0]);
      h.dirfd_slot[0] = h.dirfd_slot[1] = -1;
      h.arg[0] &= ~static_cast<int64_t>(O_CREAT | O_TMPFILE | O_TRUNC);  // keep the tree intact
      if (h.op == proto::kUnlink || h.op == proto::kRename || h.op == proto::kTruncate ||
          h.op == proto::kChmod || h.op == proto::kChown)
        h.op = proto::kStat;
      memcpy(bytes.data(), &h, sizeof(h));
    }
    Reply r = Raw(bytes);
    if (r.result() < 0) ++malformed;
    ASSERT_NE(r.result(), -9999) << "no reply to datagram " << i;
  }
  EXPECT_GT(malformed, 9000);
  ExpectStillServing();
  EXPECT_EQ(ReadHost(root_ + "/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
}

TEST_F(MessageTest, RandomWellFormedFileOpsWithRandomFdsNeverBreakTheServer) {
  // Valid framing, hostile content: any file op, paths built from nasty
  // fragments, random args, 0-2 fds from a pool that includes a dir outside
  // the root, pipes, a memfd and fds the server itself handed out.
  std::mt19937 rng(777);
  const std::vector<std::string> frags = {"..",
                                          ".",
                                          "",
                                          "etc",
                                          "passwd",
                                          "proc",
                                          "self",
                                          "fd",
                                          "root",
                                          "dev",
                                          "null",
                                          "tmp",
                                          "dir",
                                          "sub",
                                          "1",
                                          "outside",
                                          "decoy",
                                          "x",
                                          std::string(300, 'n')};
  UniqueFd out_dir(open(outside_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueFd decoy(open(decoy_.c_str(), O_RDONLY | O_CLOEXEC));
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  UniqueFd pr(p[0]), pw(p[1]);
  UniqueFd mem(memfd_create("lbx:/proc/1", MFD_CLOEXEC));
  Reply etc = Open("/etc", O_RDONLY | O_DIRECTORY);
  Reply proc = Open("/proc/self", O_RDONLY | O_DIRECTORY);
  Reply file = Open("/dir/file", O_RDONLY);
  std::vector<int> pool = {out_dir.get(), decoy.get(),  pr.get(),      pw.get(),
                           mem.get(),     etc.fd.get(), proc.fd.get(), file.fd.get()};
  auto count_fds = [] {
    int n = 0;
    for (int fd = 0; fd < 4096; ++fd) n += fcntl(fd, F_GETFD) >= 0;
    return n;
  };
  int before = count_fds();
  auto path = [&] {
    std::string s = rng() % 3 ? "/" : "";
    int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) s += (i ? "/" : "") + frags[rng() % frags.size()];
    return s;
  };
  for (int i = 0; i < 3000; ++i) {
    uint32_t op = proto::kOpen + rng() % 24;
    std::vector<int64_t> args(6);
    for (auto& a : args)
      a = rng() % 2 ? static_cast<int64_t>(rng()) : static_cast<int64_t>(rng() % 4);
    if (op == proto::kOpen) args[0] &= ~static_cast<int64_t>(O_TRUNC);  // keep the files
    if (op == proto::kTruncate || op == proto::kUnlink || op == proto::kRename) op = proto::kStat;
    std::vector<int> fds;
    size_t nfds = rng() % 3;
    for (size_t k = 0; k < nfds; ++k) fds.push_back(pool[rng() % pool.size()]);
    int slot0 = nfds ? static_cast<int>(rng() % (nfds + 1)) - 1 : -1;
    int slot1 = nfds ? static_cast<int>(rng() % (nfds + 1)) - 1 : -1;
    Reply r = Call(op, args, path(), path(), fds, slot0, slot1);
    ASSERT_NE(r.result(), -9999) << "no reply to request " << i;
    ASSERT_EQ(r.payload.find(kDecoy), std::string::npos);
    if (r.fd) {
      ASSERT_EQ(ReadFd(r.fd.get()).find(kDecoy), std::string::npos) << i;
    }
  }
  EXPECT_EQ(count_fds(), before);
  ExpectStillServing();
  EXPECT_EQ(ReadHost(decoy_), kDecoy);
  struct stat st;
  ASSERT_EQ(stat(decoy_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, decoy_st_.st_mode);
  EXPECT_EQ(st.st_uid, decoy_st_.st_uid);
  EXPECT_EQ(st.st_mtim.tv_sec, decoy_st_.st_mtim.tv_sec);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(MessageTest, ServerLeaksNoFdsOverManyRequests) {
  auto count_fds = [] {
    int n = 0;
    for (int fd = 0; fd < 4096; ++fd) n += fcntl(fd, F_GETFD) >= 0;
    return n;
  };
  for (int i = 0; i < 20; ++i) Open("/etc/passwd", O_RDONLY);  // warm up
  int before = count_fds();
  for (int i = 0; i < 200; ++i) {
    Open("/etc/passwd", O_RDONLY);
    Open("/proc/self/status", O_RDONLY);
    Open("/nope", O_RDONLY);
    Call(proto::kStat, {0}, "/dir/sub/../file");
    Raw("garbage");
  }
  EXPECT_EQ(count_fds(), before);
}

}  // namespace
}  // namespace litebox::rootfs::test
