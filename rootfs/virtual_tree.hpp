// The synthesized parts of the sandbox's file tree: /proc and /dev.
#pragma once

#include <string>
#include <vector>

#include "rootfs/process.hpp"
#include "rootfs/rootfs.hpp"
#include "rootfs/vnode.hpp"

namespace litebox::rootfs {

class VirtualTree {
 public:
  VirtualTree(const RootFs& fs, ProcInfo& procs) : fs_(fs), procs_(procs) {}

  // A VirtualLookup (see vnode.hpp) for the process `ctx`: 1 and *node for
  // /proc/** and the /dev nodes, 0 for host paths (including mounts below
  // /dev such as /dev/shm), -ENOENT for names that do not exist there.
  int Lookup(const std::string& vpath, const ProcessContext& ctx, VNode* node);

 private:
  int LookupProc(const std::vector<std::string>& parts, const ProcessContext& ctx, VNode* node);
  int LookupPid(uint32_t vpid, const std::vector<std::string>& parts, const ProcessContext& ctx,
                VNode* node);
  int LookupDev(const std::vector<std::string>& parts, const ProcessContext& ctx, VNode* node);
  std::string MountsText() const;
  std::string MountInfoText() const;
  std::string StatusText(uint32_t vpid, pid_t host_pid, const Creds& creds,
                         const ProcessContext& ctx);
  // running: the reader is this process, which the host sees asleep in
  // its request to us but which is running as far as it can tell.
  std::string StatText(uint32_t vpid, pid_t host_pid, bool running = false);
  std::string MapsText(pid_t host_pid) const;
  std::string ProcessName(uint32_t vpid, pid_t host_pid);

  const RootFs& fs_;
  ProcInfo& procs_;
};

}  // namespace litebox::rootfs
