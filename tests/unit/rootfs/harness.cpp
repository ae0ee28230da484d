#include "harness.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "rootfs/message.hpp"

namespace litebox::rootfs::test {

std::vector<uint32_t> FakeProcInfo::Vpids() {
  std::vector<uint32_t> out;
  for (auto& [v, p] : procs) out.push_back(v);
  return out;
}

std::optional<pid_t> FakeProcInfo::HostPid(uint32_t vpid) {
  auto it = procs.find(vpid);
  if (it == procs.end()) return std::nullopt;
  return it->second.host_pid;
}

std::string ReadFd(int fd) {
  std::string out;
  char buf[4096];
  off_t off = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof(buf), off);
    if (n < 0 && errno == ESPIPE) n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

std::string ReadHost(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd ? ReadFd(fd.get()) : std::string("<missing>");
}

void WriteHost(const std::string& path, const std::string& content, mode_t mode) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  ASSERT_TRUE(fd) << path << ": " << strerror(errno);
  ASSERT_EQ(write(fd.get(), content.data(), content.size()), static_cast<ssize_t>(content.size()));
  fchmod(fd.get(), mode);
}

void RootfsTest::SetUp() {
  char tmpl[] = "/tmp/rootfs-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  base_ = tmpl;
  root_ = base_ + "/root";
  outside_ = base_ + "/outside";
  decoy_ = outside_ + "/decoy";
  for (const char* d : {"", "/etc", "/bin", "/dir", "/dir/sub", "/tmp", "/proc", "/dev"})
    ASSERT_EQ(mkdir((root_ + d).c_str(), 0755), 0) << d;
  chmod((root_ + "/tmp").c_str(), 01777);
  ASSERT_EQ(mkdir(outside_.c_str(), 0755), 0);
  WriteHost(decoy_, kDecoy, 0644);
  ASSERT_EQ(stat(decoy_.c_str(), &decoy_st_), 0);
  WriteHost(root_ + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
  WriteHost(root_ + "/etc/shadow", "root:*:1::::::\n", 0600);
  WriteHost(root_ + "/bin/sh", "#!fake-elf\n", 0755);
  WriteHost(root_ + "/dir/file", "hello", 0644);
  procs_.procs[1] = {getpid(), 0, "/bin/sh", "/", std::string("sh\0-c\0true\0", 11)};
  ctx_ = ProcessContext{};
  ctx_.vpid = 1;
  ctx_.host_pid = getpid();
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  client_ = sv[0];
  server_fd_ = sv[1];
  Reopen(false);
}

void RootfsTest::TearDown() {
  server_.reset();
  fs_.reset();
  if (client_ >= 0) close(client_);
  if (server_fd_ >= 0) close(server_fd_);
  std::error_code ec;
  std::filesystem::remove_all(base_, ec);
}

void RootfsTest::Reopen(bool readonly_root, std::vector<Mount> mounts) {
  server_.reset();
  fs_.reset();
  std::string err;
  fs_ = RootFs::Open(root_, readonly_root, std::move(mounts), &err, base_);
  ASSERT_NE(fs_, nullptr) << err;
  server_ = std::make_unique<FileServer>(*fs_, procs_);
}

void RootfsTest::BecomeUser(uint32_t uid, uint32_t gid) {
  Creds& c = ctx_.creds;
  c.ruid = c.euid = c.suid = c.fsuid = uid;
  c.rgid = c.egid = c.sgid = c.fsgid = gid;
  c.groups.clear();
  c.cap_effective = 0;
}

namespace {

void SendDatagram(int sock, const std::string& bytes, const std::vector<int>& fds) {
  struct iovec iov = {const_cast<char*>(bytes.data()), bytes.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> cbuf(CMSG_SPACE(sizeof(int) * std::max<size_t>(fds.size(), 1)));
  if (!fds.empty()) {
    msg.msg_control = cbuf.data();
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ASSERT_EQ(sendmsg(sock, &msg, MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()))
      << strerror(errno);
}

}  // namespace

void RootfsTest::ServeOne() {
  ReceivedRequest req;
  int err = 0;
  switch (ReceiveRequest(server_fd_, &req, &err)) {
    case RecvStatus::kOk:
      if (!server_->Handle(req, ctx_, server_fd_))
        SendResponse(server_fd_, req.hdr.op, -EPROTO, 0, "");
      break;
    case RecvStatus::kMalformed:
      SendResponse(server_fd_, req.hdr.op, -err, 0, "");
      break;
    case RecvStatus::kClosed:
      FAIL() << "server saw the channel closed";
    case RecvStatus::kWouldBlock:
      FAIL() << "nothing queued";
  }
}

Reply RootfsTest::ReadReply() {
  Reply r;
  std::vector<char> buf(proto::kMaxMessage + 16);
  alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {buf.data(), buf.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  ssize_t n = recvmsg(client_, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  EXPECT_GE(n, static_cast<ssize_t>(sizeof(proto::Response))) << "no reply: " << strerror(errno);
  if (n < static_cast<ssize_t>(sizeof(proto::Response))) {
    r.hdr.result = -9999;
    return r;
  }
  memcpy(&r.hdr, buf.data(), sizeof(r.hdr));
  EXPECT_EQ(r.hdr.magic, proto::kMagic);
  EXPECT_EQ(r.hdr.size, static_cast<uint32_t>(n));
  r.payload.assign(buf.data() + sizeof(r.hdr), static_cast<size_t>(n) - sizeof(r.hdr));
  int nfds = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_type != SCM_RIGHTS) continue;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    r.fd.reset(fd);
    nfds = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
  }
  EXPECT_EQ(static_cast<uint32_t>(nfds), r.hdr.nfds);
  return r;
}

Reply RootfsTest::Call(uint32_t op, std::vector<int64_t> args, const std::string& s0,
                       const std::string& s1, std::vector<int> fds, int slot0, int slot1) {
  proto::Request h = {};
  h.magic = proto::kMagic;
  h.op = op;
  h.size = static_cast<uint32_t>(sizeof(h) + s0.size() + s1.size());
  h.nfds = static_cast<uint32_t>(fds.size());
  for (size_t i = 0; i < args.size() && i < 6; ++i) h.arg[i] = args[i];
  h.str_len[0] = static_cast<uint32_t>(s0.size());
  h.str_len[1] = static_cast<uint32_t>(s1.size());
  h.dirfd_slot[0] = slot0;
  h.dirfd_slot[1] = slot1;
  std::string bytes(reinterpret_cast<const char*>(&h), sizeof(h));
  bytes += s0;
  bytes += s1;
  return Raw(bytes, fds);
}

Reply RootfsTest::Raw(const std::string& bytes, std::vector<int> fds) {
  SendDatagram(client_, bytes, fds);
  ServeOne();
  return ReadReply();
}

struct stat RootfsTest::StatOf(const std::string& path, bool nofollow) {
  struct stat st = {};
  Reply r = Call(proto::kStat, {nofollow ? 0x100 : 0}, path);
  EXPECT_EQ(r.result(), 0) << path;
  if (r.payload.size() == sizeof(st)) memcpy(&st, r.payload.data(), sizeof(st));
  return st;
}

}  // namespace litebox::rootfs::test
