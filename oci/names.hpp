// Name <-> number tables for the string enums of config.json: capabilities,
// rlimits, namespaces and the seccomp vocabulary. One place, so the parser's
// validation and the sandbox conversion can never disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/result.hpp"

namespace litebox::oci {

// "CAP_CHOWN" -> 0 ... "CAP_CHECKPOINT_RESTORE" -> 40; nullopt if unknown.
std::optional<int> CapabilityNumber(std::string_view name);
// Every capability name this library knows, in number order.
const std::vector<std::string>& CapabilityNames();
// Bit mask (1 << number) of the named capabilities; the error names the
// first unknown one as `<path>[i]: unknown capability "CAP_FOO"`.
Result<uint64_t> CapabilityMask(const std::vector<std::string>& names,
                                const std::string& path = "capabilities");

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE from <sys/resource.h>; nullopt if unknown.
std::optional<int> RlimitNumber(std::string_view name);
const std::vector<std::string>& RlimitNames();

// pid, network, mount, ipc, uts, user, cgroup, time.
bool IsNamespaceType(std::string_view type);
// SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ...
bool IsSeccompAction(std::string_view action);
// SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, ...
bool IsSeccompOperator(std::string_view op);
// SCMP_ARCH_X86_64, ...
bool IsSeccompArch(std::string_view arch);
// SECCOMP_FILTER_FLAG_TSYNC, ...
bool IsSeccompFlag(std::string_view flag);

}  // namespace litebox::oci
