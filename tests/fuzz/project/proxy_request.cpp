// The host-file proxy's server side (rootfs/) on arbitrary datagrams, as a
// hostile guest can send them on its channel: ReceiveRequest validates, and
// FileServer::Handle serves whatever passes, against a scratch root. Beyond
// "no crash, no leak, no UB", a host oracle: a decoy file beside the root
// must stay unchanged and nothing may appear next to the root.
//
// Input: byte 0 says which fds go with the datagram (bit 0: the root dir,
// bit 1: a file in it); the rest is the datagram itself.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rootfs/file_server.hpp"
#include "rootfs/message.hpp"
#include "rootfs/rootfs.hpp"

using namespace litebox::rootfs;

namespace {

struct Procs : ProcInfo {
  std::vector<uint32_t> Vpids() override { return {1}; }
  std::optional<pid_t> HostPid(uint32_t vpid) override {
    return vpid == 1 ? std::optional<pid_t>(getpid()) : std::nullopt;
  }
  std::string Hostname() override { return "fuzz"; }
  std::string Cmdline(uint32_t) override { return std::string("sh\0-c\0x\0", 9); }
  std::string ExePath(uint32_t) override { return "/bin/sh"; }
  std::string Cwd(uint32_t) override { return "/"; }
  uint32_t Ppid(uint32_t) override { return 0; }
};

struct World {
  std::string base, root, decoy;
  struct stat decoy_st {};
  std::unique_ptr<RootFs> fs;
  Procs procs;
  std::unique_ptr<FileServer> server;
  int root_fd = -1, file_fd = -1;
};

void Write(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) abort();
  close(fd);
}

World& Get() {
  static World* w = [] {
    auto* w = new World;
    char tmpl[] = "/tmp/litebox-fuzz-proxy-XXXXXX";
    if (!mkdtemp(tmpl)) abort();
    w->base = tmpl;
    w->root = w->base + "/root";
    w->decoy = w->base + "/decoy";
    Write(w->decoy, "host secret\n");
    stat(w->decoy.c_str(), &w->decoy_st);
    for (const char* d : {"/root", "/root/etc", "/root/tmp", "/root/bin", "/root/d", "/root/d/e"})
      mkdir((w->base + d).c_str(), 0755);
    Write(w->root + "/etc/passwd", "root:x:0:0::/:/bin/sh\n");
    Write(w->root + "/bin/sh", "#!/bin/sh\n");
    chmod((w->root + "/bin/sh").c_str(), 0755);
    symlink("/etc/passwd", (w->root + "/abs").c_str());
    symlink("../../etc", (w->root + "/d/e/up").c_str());
    symlink("../decoy", (w->root + "/out").c_str());  // must resolve inside
    std::string err;
    w->fs = RootFs::Open(w->root, false, {{"/tmp", Mount::kTmpfs, "", false}}, &err, w->base);
    if (!w->fs) abort();
    w->server = std::make_unique<FileServer>(*w->fs, w->procs);
    w->root_fd = open(w->root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    w->file_fd = open((w->root + "/etc/passwd").c_str(), O_RDONLY | O_CLOEXEC);
    return w;
  }();
  return *w;
}

void CheckHost(const World& w) {
  struct stat st;
  if (stat(w.decoy.c_str(), &st) != 0 || st.st_size != w.decoy_st.st_size ||
      st.st_mtim.tv_nsec != w.decoy_st.st_mtim.tv_nsec || st.st_mode != w.decoy_st.st_mode)
    abort();  // the decoy beside the root was changed
  DIR* d = opendir(w.base.c_str());
  if (!d) abort();
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n == "root" || n == "decoy" || n.rfind("litebox-rootfs-", 0) == 0)
      continue;
    abort();  // something was created next to the root
  }
  closedir(d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 70000) return 0;
  World& w = Get();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) abort();
  iovec iov{const_cast<uint8_t*>(data + 1), size - 1};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char ctl[CMSG_SPACE(2 * sizeof(int))] = {};
  int fds[2], nfds = 0;
  if (data[0] & 1) fds[nfds++] = w.root_fd;
  if (data[0] & 2) fds[nfds++] = w.file_fd;
  if (nfds) {
    mh.msg_control = ctl;
    mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
  }
  if (sendmsg(sv[1], &mh, MSG_NOSIGNAL) < 0) {  // e.g. larger than the socket takes
    close(sv[0]);
    close(sv[1]);
    return 0;
  }
  ReceivedRequest req;
  int eno = 0;
  ProcessContext ctx;
  ctx.vpid = 1;
  ctx.host_pid = getpid();
  if (ReceiveRequest(sv[0], &req, &eno) == RecvStatus::kOk) w.server->Handle(req, ctx, sv[0]);
  // Drain whatever was answered, closing any fd that came with it.
  for (;;) {
    char buf[70000];
    alignas(cmsghdr) char rctl[CMSG_SPACE(8 * sizeof(int))];
    iovec riov{buf, sizeof buf};
    msghdr rm{};
    rm.msg_iov = &riov;
    rm.msg_iovlen = 1;
    rm.msg_control = rctl;
    rm.msg_controllen = sizeof rctl;
    if (recvmsg(sv[1], &rm, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0) break;
    for (cmsghdr* c = CMSG_FIRSTHDR(&rm); c; c = CMSG_NXTHDR(&rm, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        close(fd);
      }
    }
  }
  close(sv[0]);
  close(sv[1]);
  CheckHost(w);
  return 0;
}
