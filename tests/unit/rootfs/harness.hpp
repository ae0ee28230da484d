// Test fixture: a scratch root file system in a temp dir, a real
// FileServer, and a client speaking the wire protocol over a
// SOCK_SEQPACKET socketpair (request sent, served, reply read, all in the
// test thread).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libos/abi/proto.h"
#include "rootfs/file_server.hpp"
#include "rootfs/rootfs.hpp"

namespace litebox::rootfs::test {

class FakeProcInfo : public ProcInfo {
 public:
  struct Proc {
    pid_t host_pid;
    uint32_t ppid;
    std::string exe, cwd, cmdline, environ;
  };
  std::map<uint32_t, Proc> procs;
  std::string hostname = "sandbox-host";

  std::vector<uint32_t> Vpids() override;
  std::optional<pid_t> HostPid(uint32_t vpid) override;
  std::string Hostname() override { return hostname; }
  std::string Cmdline(uint32_t vpid) override {
    return procs.count(vpid) ? procs[vpid].cmdline : "";
  }
  std::string ExePath(uint32_t vpid) override { return procs.count(vpid) ? procs[vpid].exe : ""; }
  std::string Cwd(uint32_t vpid) override { return procs.count(vpid) ? procs[vpid].cwd : "/"; }
  uint32_t Ppid(uint32_t vpid) override { return procs.count(vpid) ? procs[vpid].ppid : 0; }
  std::string Environ(uint32_t vpid) override {
    return procs.count(vpid) ? procs[vpid].environ : "";
  }
};

struct Reply {
  proto::Response hdr{};
  std::string payload;
  UniqueFd fd;
  int64_t result() const { return hdr.result; }
};

// Whole content of an fd from offset 0 (pread) or from its position.
std::string ReadFd(int fd);
std::string ReadHost(const std::string& path);
void WriteHost(const std::string& path, const std::string& content, mode_t mode = 0644);

class RootfsTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // (Re)creates the RootFs/FileServer with these options.
  void Reopen(bool readonly_root, std::vector<Mount> mounts = {});

  // One request, served, its reply. slots: dirfd_slot for str0 / str1.
  Reply Call(uint32_t op, std::vector<int64_t> args, const std::string& s0 = "",
             const std::string& s1 = "", std::vector<int> fds = {}, int slot0 = -1, int slot1 = -1);
  // Sends raw bytes (+fds) as one datagram, serves it, returns the reply.
  Reply Raw(const std::string& bytes, std::vector<int> fds = {});
  // Serves whatever datagram is queued; answers malformed ones like the supervisor.
  void ServeOne();
  Reply ReadReply();

  Reply Open(const std::string& path, int flags, int mode = 0644) {
    return Call(proto::kOpen, {flags, mode, 0}, path);
  }
  struct stat StatOf(const std::string& path, bool nofollow = false);
  int64_t Errno(const Reply& r) { return r.result(); }
  // A non-root virtual user without capabilities.
  void BecomeUser(uint32_t uid, uint32_t gid);

  std::string base_;     // temp dir
  std::string root_;     // base_/root: the sandbox root
  std::string outside_;  // base_/outside: holds the decoy
  std::string decoy_;    // base_/outside/decoy, content kDecoy
  static constexpr const char* kDecoy = "DECOY-CONTENT-MUST-NOT-LEAK";
  struct stat decoy_st_ {};

  FakeProcInfo procs_;
  ProcessContext ctx_;
  std::unique_ptr<RootFs> fs_;
  std::unique_ptr<FileServer> server_;
  int client_ = -1, server_fd_ = -1;
};

}  // namespace litebox::rootfs::test
