// What the file server knows about the guest processes of its sandbox.
// ProcessContext is owned by the supervisor (one per channel); ProcInfo is
// implemented by the supervisor over its process table.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rootfs/creds.hpp"

namespace litebox::rootfs {

struct ProcessContext {
  uint32_t vpid = 0;
  pid_t host_pid = 0;
  Creds creds;
  std::string cwd = "/";  // canonical virtual path; kChdir updates it
};

class ProcInfo {
 public:
  virtual ~ProcInfo() = default;
  virtual std::vector<uint32_t> Vpids() = 0;  // live processes of the sandbox
  virtual std::optional<pid_t> HostPid(uint32_t vpid) = 0;
  virtual std::string Hostname() = 0;
  virtual std::string Cmdline(uint32_t vpid) = 0;  // argv joined with NULs, as /proc shows it
  virtual std::string ExePath(uint32_t vpid) = 0;  // virtual path
  virtual std::string Cwd(uint32_t vpid) = 0;      // virtual path
  virtual uint32_t Ppid(uint32_t vpid) = 0;        // vpid (0 for the init process)
  // Virtual credentials of another process, for /proc/<pid>/status. The
  // default (nullopt) shows ids 0 for processes other than the caller.
  virtual std::optional<Creds> Credentials(uint32_t vpid) { return std::nullopt; }
  // The environment its image started with (entries NUL-terminated), as
  // /proc/<pid>/environ shows it.
  virtual std::string Environ(uint32_t vpid) { return ""; }
};

}  // namespace litebox::rootfs
