// Resource limits of a sandbox (OCI linux.resources: memory, cpu, pids)
// enforced by a host cgroup that holds the sandbox's guest processes. The
// supervisor itself stays outside it: it serves the guests and must not be
// the process the OOM killer or the pids limit picks.
//
// Both hierarchies are handled: cgroup v1 (one directory per controller
// under /sys/fs/cgroup/<controller>, cpu and cpuacct possibly apart) and the
// unified v2 hierarchy (one directory; controllers enabled in each parent's
// cgroup.subtree_control). Paths are taken from the hierarchy's root, as
// runc takes an absolute cgroupsPath.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace litebox::runtime {

// What a container asked for; unset fields are left as the kernel has them.
struct CgroupLimits {
  std::optional<int64_t> memory;       // bytes; -1: unlimited
  std::optional<int64_t> memory_swap;  // memory + swap, bytes (OCI/v1 meaning); -1: unlimited
  std::optional<uint64_t> cpu_shares;  // relative weight (v1 shares; mapped to v2 weight)
  std::optional<int64_t> cpu_quota;    // microseconds per period; -1: unlimited
  std::optional<uint64_t> cpu_period;  // microseconds
  std::optional<int64_t> pids;         // max tasks; <= 0: unlimited
  bool empty() const {
    return !memory && !memory_swap && !cpu_shares && !cpu_quota && !cpu_period && !pids;
  }
  bool operator==(const CgroupLimits&) const = default;
};

// The limits in the caller <-> supervisor control protocol (OCI documents
// become limits in oci::ToCgroupLimits).
nlohmann::json ToJson(const CgroupLimits& l);
CgroupLimits LimitsFromJson(const nlohmann::json& j);

struct CgroupStats {
  uint64_t memory_usage = 0, memory_max_usage = 0, memory_limit = 0, memory_failcnt = 0;
  uint64_t memory_rss = 0, memory_cache = 0;
  uint64_t oom_kills = 0;
  uint64_t cpu_usage_ns = 0, cpu_user_ns = 0, cpu_system_ns = 0;
  uint64_t pids_current = 0, pids_limit = 0;  // limit 0: unlimited
};
nlohmann::json ToJson(const CgroupStats& s);
// The same counters summed from /proc for a sandbox without a cgroup (no
// limits were set): RSS for memory usage, utime+stime for CPU, the count
// of processes. Limits read 0 (none).
CgroupStats StatsOfProcesses(const std::vector<pid_t>& pids);
CgroupStats StatsFromJson(const nlohmann::json& j);

// The default cgroup of a sandbox that has limits but no cgroupsPath: one
// per leased host uid, so two sandboxes never share it (uid_lease.hpp).
inline std::string SandboxCgroupPath(uid_t host_uid) {
  return "/litebox/sandbox-" + std::to_string(host_uid);
}

class Cgroup {
 public:
  // Why this host cannot enforce `limits` ("" when it can): no cgroup
  // hierarchy, not root, a controller missing (e.g. swap accounting off).
  static std::string Unusable(const CgroupLimits& limits);
  // Removes from *limits what this host cannot enforce; one warning line per
  // dropped limit (the caller logs them: never a silent success claim).
  static std::vector<std::string> DropUnenforceable(CgroupLimits* limits);

  // Creates (or reuses) the cgroup at path in every controller needed.
  static std::optional<Cgroup> Create(const std::string& path, std::string* err);
  // The cgroup at path, as created before (for Stats/Remove).
  static Cgroup Open(const std::string& path);

  const std::string& path() const { return path_; }
  // Writes the limits; *err names the file and the reason.
  bool Apply(const CgroupLimits& limits, std::string* err) const;
  // Moves a process (all its threads) into the cgroup.
  bool Join(pid_t pid, std::string* err) const;
  CgroupStats Stats() const;
  // Removes the cgroup's directories (retrying while exiting processes
  // still count as members). False with *err if one stays.
  bool Remove(std::string* err) const;

 private:
  explicit Cgroup(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace litebox::runtime
