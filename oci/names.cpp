#include "oci/names.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <utility>

namespace litebox::oci {
namespace {

// Index == capability number (linux/capability.h); the names are the ones
// runtime-spec uses. Written out because libcap's names are lower case and
// libcap of an older host may not know the newest ones.
const std::vector<std::string>& CapTable() {
  static const std::vector<std::string> kCaps = {"CAP_CHOWN",
                                                 "CAP_DAC_OVERRIDE",
                                                 "CAP_DAC_READ_SEARCH",
                                                 "CAP_FOWNER",
                                                 "CAP_FSETID",
                                                 "CAP_KILL",
                                                 "CAP_SETGID",
                                                 "CAP_SETUID",
                                                 "CAP_SETPCAP",
                                                 "CAP_LINUX_IMMUTABLE",
                                                 "CAP_NET_BIND_SERVICE",
                                                 "CAP_NET_BROADCAST",
                                                 "CAP_NET_ADMIN",
                                                 "CAP_NET_RAW",
                                                 "CAP_IPC_LOCK",
                                                 "CAP_IPC_OWNER",
                                                 "CAP_SYS_MODULE",
                                                 "CAP_SYS_RAWIO",
                                                 "CAP_SYS_CHROOT",
                                                 "CAP_SYS_PTRACE",
                                                 "CAP_SYS_PACCT",
                                                 "CAP_SYS_ADMIN",
                                                 "CAP_SYS_BOOT",
                                                 "CAP_SYS_NICE",
                                                 "CAP_SYS_RESOURCE",
                                                 "CAP_SYS_TIME",
                                                 "CAP_SYS_TTY_CONFIG",
                                                 "CAP_MKNOD",
                                                 "CAP_LEASE",
                                                 "CAP_AUDIT_WRITE",
                                                 "CAP_AUDIT_CONTROL",
                                                 "CAP_SETFCAP",
                                                 "CAP_MAC_OVERRIDE",
                                                 "CAP_MAC_ADMIN",
                                                 "CAP_SYSLOG",
                                                 "CAP_WAKE_ALARM",
                                                 "CAP_BLOCK_SUSPEND",
                                                 "CAP_AUDIT_READ",
                                                 "CAP_PERFMON",
                                                 "CAP_BPF",
                                                 "CAP_CHECKPOINT_RESTORE"};
  return kCaps;
}

struct RlimitEntry {
  const char* name;
  int number;
};

constexpr std::array<RlimitEntry, 16> kRlimits = {{
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
}};

template <size_t N>
bool OneOf(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

}  // namespace

std::optional<int> CapabilityNumber(std::string_view name) {
  const auto& caps = CapTable();
  auto it = std::find(caps.begin(), caps.end(), name);
  if (it == caps.end()) return std::nullopt;
  return static_cast<int>(it - caps.begin());
}

const std::vector<std::string>& CapabilityNames() {
  return CapTable();
}

Result<uint64_t> CapabilityMask(const std::vector<std::string>& names, const std::string& path) {
  uint64_t mask = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    auto n = CapabilityNumber(names[i]);
    if (!n) {
      return Error{path + "[" + std::to_string(i) + "]", "unknown capability \"" + names[i] + "\""};
    }
    mask |= uint64_t{1} << *n;
  }
  return mask;
}

std::optional<int> RlimitNumber(std::string_view name) {
  for (const auto& e : kRlimits) {
    if (name == e.name) return e.number;
  }
  return std::nullopt;
}

const std::vector<std::string>& RlimitNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& e : kRlimits) v.emplace_back(e.name);
    return v;
  }();
  return kNames;
}

bool IsNamespaceType(std::string_view type) {
  static constexpr std::array<std::string_view, 8> kTypes = {"pid", "network", "mount",  "ipc",
                                                             "uts", "user",    "cgroup", "time"};
  return OneOf(type, kTypes);
}

bool IsSeccompAction(std::string_view action) {
  static constexpr std::array<std::string_view, 9> kActions = {
      "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
      "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
      "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
  return OneOf(action, kActions);
}

bool IsSeccompOperator(std::string_view op) {
  static constexpr std::array<std::string_view, 7> kOps = {
      "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
      "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  return OneOf(op, kOps);
}

bool IsSeccompArch(std::string_view arch) {
  static constexpr std::array<std::string_view, 22> kArchs = {
      "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
      "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
      "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
      "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
      "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
      "SCMP_ARCH_M68K",    "SCMP_ARCH_SH"};
  return OneOf(arch, kArchs);
}

bool IsSeccompFlag(std::string_view flag) {
  static constexpr std::array<std::string_view, 4> kFlags = {
      "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  return OneOf(flag, kFlags);
}

}  // namespace litebox::oci
