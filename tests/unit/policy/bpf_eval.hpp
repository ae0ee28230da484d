// A classic-BPF interpreter for seccomp programs, so tests can run the
// generated partition filter on any seccomp_data and see which fields each
// path reads (what decides whether the kernel's action cache applies).
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <span>
#include <string>

namespace litebox::policy_test {

struct BpfRun {
  bool ok = false;  // false: the program is malformed on this path (see error)
  std::string error;
  uint32_t action = 0;  // the full SECCOMP_RET_* value returned
  // Highest byte offset of seccomp_data read by an absolute load (-1: none).
  int max_load_offset = -1;
  bool read_instruction_pointer = false;
  bool read_args = false;
  // The path used only what the kernel's action-cache emulator
  // (seccomp_is_const_allow) understands: loads of nr/arch, JA, JEQ/JGT/
  // JGE/JSET with K, ALU AND K, RET K. If so and the result is ALLOW, the
  // kernel skips the filter for that number.
  bool kernel_cacheable = true;
  size_t steps = 0;
};

BpfRun RunSeccompBpf(std::span<const sock_filter> prog, const seccomp_data& data);

// Convenience: the SECCOMP_RET_ACTION_FULL and SECCOMP_RET_DATA parts.
inline uint32_t ActionOf(uint32_t ret) {
  return ret & SECCOMP_RET_ACTION_FULL;
}
inline uint32_t DataOf(uint32_t ret) {
  return ret & SECCOMP_RET_DATA;
}

}  // namespace litebox::policy_test
