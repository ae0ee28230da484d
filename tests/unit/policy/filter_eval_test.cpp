// The generated partition filter, run in a BPF interpreter over every
// number and many argument/instruction-pointer values.
#include <errno.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "libos/abi/constants.h"
#include "runtime/seccomp_policy.hpp"
#include "tests/unit/policy/bpf_eval.hpp"

namespace litebox::runtime {
namespace {

using policy_test::ActionOf;
using policy_test::BpfRun;
using policy_test::DataOf;
using policy_test::RunSeccompBpf;

// Upper half non-zero so the 64-bit instruction-pointer compare is exercised.
constexpr uint64_t kGateIp = 0x00007f1234567890ull;
constexpr uint64_t kElsewhere = 0x0000555555554321ull;
constexpr uint32_t kTaggedTrap = SECCOMP_RET_TRAP | abi::kTrapTag;
constexpr uint32_t Errno(int e) {
  return SECCOMP_RET_ERRNO | static_cast<uint32_t>(e);
}

class FilterEval : public ::testing::Test {
 protected:
  void SetUp() override { prog_ = Build({}); }

  static std::vector<sock_filter> Build(const PolicyOptions& options) {
    std::string err;
    auto prog = BuildPartitionFilter(kGateIp, options, &err);
    EXPECT_FALSE(prog.empty()) << err;
    return prog;
  }

  static seccomp_data Data(int nr, std::initializer_list<uint64_t> args, uint64_t ip = kElsewhere,
                           uint32_t arch = AUDIT_ARCH_X86_64) {
    seccomp_data d{};
    d.nr = nr;
    d.arch = arch;
    d.instruction_pointer = ip;
    int i = 0;
    for (uint64_t a : args) d.args[i++] = a;
    return d;
  }

  uint32_t Eval(const seccomp_data& d) { return EvalIn(prog_, d); }
  static uint32_t EvalIn(const std::vector<sock_filter>& prog, const seccomp_data& d) {
    BpfRun r = RunSeccompBpf(prog, d);
    EXPECT_TRUE(r.ok) << "nr " << d.nr << ": " << r.error;
    return r.action;
  }
  uint32_t Call(int nr, std::initializer_list<uint64_t> args, uint64_t ip = kElsewhere) {
    return Eval(Data(nr, args, ip));
  }

  seccomp_data Random(int nr) {
    seccomp_data d{};
    d.nr = nr;
    d.arch = AUDIT_ARCH_X86_64;
    d.instruction_pointer = rng_();
    for (auto& a : d.args) a = rng_() % 4 == 0 ? rng_() % 64 : rng_();
    return d;
  }

  std::vector<sock_filter> prog_;
  std::mt19937_64 rng_{20261127};
};

TEST_F(FilterEval, FitsTheKernelLimit) {
  EXPECT_LE(prog_.size(), static_cast<size_t>(BPF_MAXINSNS));
  PolicyOptions net;
  net.network = true;
  EXPECT_LE(Build(net).size(), static_cast<size_t>(BPF_MAXINSNS));
}

TEST_F(FilterEval, EveryTrapCarriesTheTag) {
  int traps = 0;
  for (const sock_filter& in : prog_) {
    if (in.code != (BPF_RET | BPF_K) || ActionOf(in.k) != SECCOMP_RET_TRAP) continue;
    ++traps;
    EXPECT_EQ(DataOf(in.k), abi::kTrapTag);
  }
  EXPECT_GT(traps, 0);
}

TEST_F(FilterEval, ForeignArchAndX32AreKilled) {
  EXPECT_EQ(Eval(Data(39, {}, kElsewhere, AUDIT_ARCH_I386)), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Eval(Data(0, {}, kGateIp, AUDIT_ARCH_I386)), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Call(0x40000000 | 0, {}), SECCOMP_RET_KILL_PROCESS);  // x32 read
  EXPECT_EQ(Call(0x40000000 | 13, {}, kGateIp), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Call(0x40000000 | 520, {}), SECCOMP_RET_KILL_PROCESS);  // x32 execve
}

TEST_F(FilterEval, UnassignedAndOutOfRangeNumbersGetEnosys) {
  for (int nr = 337; nr <= 423; ++nr) EXPECT_EQ(Eval(Random(nr)), Errno(ENOSYS)) << nr;
  for (int nr : {471, 472, 512, 1000, 0x3fffffff}) EXPECT_EQ(Eval(Random(nr)), Errno(ENOSYS)) << nr;
  // -1 carries the x32 bit: the filter order kills before the range check.
  EXPECT_EQ(Eval(Random(-1)), SECCOMP_RET_KILL_PROCESS);
}

// The kernel's action cache (5.11+) only skips the filter for a number whose
// result never depends on args or instruction_pointer; every unchecked pass
// row must be decided having read nothing past nr and arch.
TEST_F(FilterEval, UncheckedPassRowsAllowFromNrAndArchAlone) {
  int rows = 0;
  for (const SyscallRow& row : SyscallTable()) {
    if (row.cls != SysClass::PASS || row.check != ArgCheck::NONE) continue;
    ++rows;
    for (int i = 0; i < 64; ++i) {
      seccomp_data d = Random(row.nr);
      if (i == 0) d.instruction_pointer = kGateIp;
      BpfRun r = RunSeccompBpf(prog_, d);
      ASSERT_TRUE(r.ok) << row.name << ": " << r.error;
      EXPECT_EQ(r.action, SECCOMP_RET_ALLOW) << row.name;
      EXPECT_LT(r.max_load_offset, 8)
          << row.name << " reads seccomp_data offset " << r.max_load_offset;
      EXPECT_TRUE(r.kernel_cacheable) << row.name << " uses an insn the cache emulator rejects";
    }
  }
  EXPECT_EQ(rows, 116 - 30);  // 30 pass rows carry a CHECK
}

TEST_F(FilterEval, DenyRowsReturnTheirErrnoWhateverTheArguments) {
  for (const SyscallRow& row : SyscallTable()) {
    int e = row.cls == SysClass::DENY_ENOSYS   ? ENOSYS
            : row.cls == SysClass::DENY_EPERM  ? EPERM
            : row.cls == SysClass::DENY_EACCES ? EACCES
                                               : 0;
    if (e == 0) continue;
    for (int i = 0; i < 16; ++i) {
      BpfRun r = RunSeccompBpf(prog_, Random(row.nr));
      ASSERT_TRUE(r.ok) << row.name << ": " << r.error;
      EXPECT_EQ(r.action, Errno(e)) << row.name;
      EXPECT_LT(r.max_load_offset, 8) << row.name;
    }
  }
}

TEST_F(FilterEval, EmulateRowsTrapWithTheTagAwayFromTheGate) {
  for (const SyscallRow& row : SyscallTable()) {
    if (row.cls != SysClass::EMULATE) continue;
    for (int i = 0; i < 16; ++i) {
      seccomp_data d = Random(row.nr);
      if (d.instruction_pointer == kGateIp) continue;
      BpfRun r = RunSeccompBpf(prog_, d);
      ASSERT_TRUE(r.ok) << row.name << ": " << r.error;
      EXPECT_EQ(r.action, kTaggedTrap) << row.name;
      if (row.gate == GateForm::NOGATE) {
        EXPECT_LT(r.max_load_offset, 8) << row.name << " should be cacheable";
      } else {
        EXPECT_TRUE(r.read_instruction_pointer) << row.name;
      }
    }
  }
}

TEST_F(FilterEval, OnlyGateNumbersReadTheInstructionPointer) {
  for (int nr = 0; nr <= abi::kMaxSyscall; ++nr) {
    bool gated = false;
    for (const SyscallRow& row : SyscallTable())
      if (row.nr == nr) gated = row.gate != GateForm::NOGATE;
    for (int i = 0; i < 8; ++i) {
      seccomp_data d = Random(nr);
      if (i == 0) d.instruction_pointer = kGateIp;
      BpfRun r = RunSeccompBpf(prog_, d);
      ASSERT_TRUE(r.ok) << nr << ": " << r.error;
      if (!gated) {
        EXPECT_FALSE(r.read_instruction_pointer) << nr;
      }
    }
  }
}

TEST_F(FilterEval, GateAnyRowsAreAllowedOnlyAtTheGate) {
  for (const SyscallRow& row : SyscallTable()) {
    if (row.gate != GateForm::GATE_ANY) continue;
    for (int i = 0; i < 16; ++i) {
      seccomp_data d = Random(row.nr);
      d.instruction_pointer = kGateIp;
      EXPECT_EQ(Eval(d), SECCOMP_RET_ALLOW) << row.name;
      // Same low word, other high word; and one byte off.
      d.instruction_pointer = kGateIp ^ (1ull << 40);
      uint32_t off_high = Eval(d);
      d.instruction_pointer = kGateIp + 1;
      uint32_t off_by_one = Eval(d);
      if (row.cls == SysClass::EMULATE) {
        EXPECT_EQ(off_high, kTaggedTrap) << row.name;
        EXPECT_EQ(off_by_one, kTaggedTrap) << row.name;
      }
    }
  }
  // A masked wait: pass with a NULL mask anywhere, trap with a mask except at the gate.
  EXPECT_EQ(Call(271, {0, 0, 0, 0x7000, 8}), kTaggedTrap);
  EXPECT_EQ(Call(271, {0, 0, 0, 0x7000, 8}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(271, {0, 0, 0, 0, 8}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(270, {1, 0, 0, 0, 0, 0x7000}), kTaggedTrap);
  EXPECT_EQ(Call(270, {1, 0, 0, 0, 0, 0}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(281, {3, 0x1000, 8, 0, 0x7000}), kTaggedTrap);
  EXPECT_EQ(Call(281, {3, 0x1000, 8, 0, 0}), SECCOMP_RET_ALLOW);
}

TEST_F(FilterEval, GateCloneRefusesNamespacesAndPtrace) {
  const uint64_t thread = 0x3d0f00;  // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|...TID
  EXPECT_EQ(Call(56, {thread}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(56, {17 /*SIGCHLD*/}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(56, {thread}), kTaggedTrap);
  for (uint64_t bad : {0x10000000ull /*NEWUSER*/, 0x20000ull /*NEWNS*/, 0x40000000ull /*NEWNET*/,
                       0x2000ull /*PTRACE*/, 0x02000000ull /*NEWCGROUP*/})
    EXPECT_EQ(Call(56, {17 | bad}, kGateIp), Errno(EPERM)) << std::hex << bad;
  EXPECT_EQ(Call(56, {17 | 0x10000000ull}), kTaggedTrap);  // off the gate the libOS decides
}

TEST_F(FilterEval, GateSeccompAndGateClock) {
  EXPECT_EQ(Call(317, {1, 0, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);  // SET_MODE_FILTER
  EXPECT_EQ(Call(317, {0, 0, 0}, kGateIp), SECCOMP_RET_ALLOW);       // SET_MODE_STRICT
  EXPECT_EQ(Call(317, {1, 8, 0x1000}, kGateIp), Errno(EINVAL));      // NEW_LISTENER
  EXPECT_EQ(Call(317, {2, 0, 0x1000}, kGateIp), Errno(EINVAL));      // GET_ACTION_AVAIL
  EXPECT_EQ(Call(317, {1, 0, 0x1000}), kTaggedTrap);
  EXPECT_EQ(Call(222, {1, 0, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);  // MONOTONIC
  EXPECT_EQ(Call(222, {static_cast<uint64_t>(-6), 0, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);
  const uint64_t other_process_cpu = static_cast<uint32_t>((~1234u << 3) | 2);
  EXPECT_EQ(Call(222, {other_process_cpu, 0, 0x1000}, kGateIp), Errno(EINVAL));
  EXPECT_EQ(Call(222, {1, 0, 0x1000}), kTaggedTrap);
}

TEST_F(FilterEval, FdChecksSpareTheChannel) {
  const uint64_t ch = abi::kChannelFd;
  // close: every number but the channel's (low 32 bits, as the kernel reads it).
  EXPECT_EQ(Call(3, {3}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(3, {ch - 1}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(3, {ch + 1}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(3, {0xffffffffffffffffull}), SECCOMP_RET_ALLOW);  // close(-1): EBADF
  EXPECT_EQ(Call(3, {ch}), kTaggedTrap);
  EXPECT_EQ(Call(3, {(1ull << 32) | ch}), kTaggedTrap);
  EXPECT_EQ(Call(3, {(1ull << 32) | 3}), SECCOMP_RET_ALLOW);  // the kernel closes 3
  // dup3: any target but the channel.
  EXPECT_EQ(Call(292, {1, 5, 0}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(292, {1, ch + 100, 0}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(292, {1, ch, 0}), kTaggedTrap);
  EXPECT_EQ(Call(292, {1, (7ull << 32) | ch, 0}), kTaggedTrap);
  EXPECT_EQ(Call(292, {ch, 5, 0}), SECCOMP_RET_ALLOW);  // a copy of it harms nobody
  // close_range: wholly below or wholly above the channel.
  EXPECT_EQ(Call(436, {3, ch - 1, 0}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(436, {ch + 1, 0xffffffff, 0}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(436, {3, 0xffffffff, 0}), kTaggedTrap);
  EXPECT_EQ(Call(436, {ch, ch, 0}), kTaggedTrap);
  EXPECT_EQ(Call(436, {(1ull << 32) | 3, ch + 5, 0}), kTaggedTrap);
  EXPECT_EQ(Call(436, {3, (1ull << 32) | 5, 0}), SECCOMP_RET_ALLOW);  // the kernel: 3..5
}

TEST_F(FilterEval, IoctlList) {
  EXPECT_EQ(Call(16, {0, 0x5401, 0}), SECCOMP_RET_ALLOW);                 // TCGETS
  EXPECT_EQ(Call(16, {0, 0xffffffff80045430ull, 0}), SECCOMP_RET_ALLOW);  // TIOCGPTN, sign-extended
  EXPECT_EQ(Call(16, {0, 0x5412, 0}), Errno(EPERM));                      // TIOCSTI
  EXPECT_EQ(Call(16, {0, 0x5412, 0}, kGateIp), Errno(EPERM));
  EXPECT_EQ(Call(16, {0, 0x5423, 0}), Errno(EPERM));       // TIOCSETD
  EXPECT_EQ(Call(16, {0, 0x540E, 0}), SECCOMP_RET_ALLOW);  // TIOCSCTTY, no steal
  EXPECT_EQ(Call(16, {0, 0x540E, 1}), kTaggedTrap);
  EXPECT_EQ(Call(16, {0, 0x540F, 0x1000}), kTaggedTrap);  // TIOCGPGRP
  EXPECT_EQ(Call(16, {0, 0x540F, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(16, {0, 0x5410, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);  // TIOCSPGRP
  EXPECT_EQ(Call(16, {0, 0x1234, 0}, kGateIp), kTaggedTrap);
  EXPECT_EQ(Call(16, {0, 0x5401, 0}, kGateIp), SECCOMP_RET_ALLOW);
  // Interface queries only with a network (else the host's would answer).
  EXPECT_EQ(Call(16, {3, 0x8912, 0}), kTaggedTrap);  // SIOCGIFCONF
  PolicyOptions net;
  net.network = true;
  auto prog = Build(net);
  EXPECT_EQ(EvalIn(prog, Data(16, {3, 0x8912, 0})), SECCOMP_RET_ALLOW);
  EXPECT_EQ(EvalIn(prog, Data(16, {3, 0x8927, 0})), SECCOMP_RET_ALLOW);  // SIOCGIFHWADDR
}

TEST_F(FilterEval, FcntlPrctlArchPrctl) {
  EXPECT_EQ(Call(72, {0, 1}), SECCOMP_RET_ALLOW);        // F_GETFD
  EXPECT_EQ(Call(72, {0, 1030, 3}), SECCOMP_RET_ALLOW);  // F_DUPFD_CLOEXEC
  EXPECT_EQ(Call(72, {0, 8, 1}), kTaggedTrap);           // F_SETOWN
  EXPECT_EQ(Call(72, {0, 8, 1}, kGateIp), kTaggedTrap);  // not gated: supervisor
  EXPECT_EQ(Call(72, {0, 5, 0x1000}), kTaggedTrap);      // F_GETLK
  EXPECT_EQ(Call(72, {0, 5, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(72, {0, 1024, 1}), kTaggedTrap);             // F_SETLEASE
  EXPECT_EQ(Call(157, {15, 0x1000}), SECCOMP_RET_ALLOW);      // PR_SET_NAME
  EXPECT_EQ(Call(157, {0x53564D41, 0}), SECCOMP_RET_ALLOW);   // PR_SET_VMA
  EXPECT_EQ(Call(157, {22, 2}), kTaggedTrap);                 // PR_SET_SECCOMP
  EXPECT_EQ(Call(157, {59, 1}), kTaggedTrap);                 // PR_SET_SYSCALL_USER_DISPATCH
  EXPECT_EQ(Call(158, {0x1002, 0x1000}), SECCOMP_RET_ALLOW);  // ARCH_SET_FS
  EXPECT_EQ(Call(158, {0x1001, 0x1000}), kTaggedTrap);        // ARCH_SET_GS
}

TEST_F(FilterEval, SocketWithoutNetwork) {
  EXPECT_EQ(Call(41, {2, 1, 0}), Errno(EACCES));
  EXPECT_EQ(Call(41, {10, 2, 0}), Errno(EACCES));
  EXPECT_EQ(Call(41, {1, 1, 0}), kTaggedTrap);  // AF_UNIX: brokered
  for (uint64_t fam : {0ull, 3ull, 9ull, 16ull /*NETLINK*/, 17ull /*PACKET*/, 38ull /*ALG*/,
                       40ull /*VSOCK*/, 0xffffffffffffffffull})
    EXPECT_EQ(Call(41, {fam, 3, 0}), Errno(EAFNOSUPPORT)) << fam;
}

TEST_F(FilterEval, SocketWithNetwork) {
  PolicyOptions net;
  net.network = true;
  auto prog = Build(net);
  auto call = [&](uint64_t f, uint64_t t, uint64_t p) { return EvalIn(prog, Data(41, {f, t, p})); };
  const uint64_t nonblock_cloexec = 04000 | 02000000;
  EXPECT_EQ(call(2, 1, 0), SECCOMP_RET_ALLOW);
  EXPECT_EQ(call(10, 1 | nonblock_cloexec, 6), SECCOMP_RET_ALLOW);
  EXPECT_EQ(call(2, 2, 17), SECCOMP_RET_ALLOW);
  EXPECT_EQ(call(10, 2, 58), SECCOMP_RET_ALLOW);  // ping socket
  EXPECT_EQ(call(2, 1, 262), kTaggedTrap);        // MPTCP: libOS says EPROTONOSUPPORT
  EXPECT_EQ(call(2, 1 | 0x100, 0), kTaggedTrap);  // stray type bit
  EXPECT_EQ(call(2, 3, 1), Errno(EPERM));         // SOCK_RAW
  EXPECT_EQ(call(10, 10, 0), Errno(EPERM));       // SOCK_PACKET
  EXPECT_EQ(call(16, 3, 0), Errno(EAFNOSUPPORT));
  EXPECT_EQ(call(1, 5, 0), kTaggedTrap);
}

TEST_F(FilterEval, SocketpairAndSockopts) {
  EXPECT_EQ(Call(53, {1, 1, 0, 0x1000}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(53, {1, 5 | 02000000, 0, 0x1000}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(53, {1, 2, 0, 0x1000}), kTaggedTrap);  // DGRAM: emulated as SEQPACKET
  EXPECT_EQ(Call(53, {2, 1, 0, 0x1000}), Errno(EAFNOSUPPORT));
  EXPECT_EQ(Call(54, {3, 6, 31, 0x1000, 4}), Errno(EPERM));  // TCP_ULP
  // Junk in the upper half: the kernel still sees (SOL_TCP, TCP_ULP).
  EXPECT_EQ(Call(54, {3, (1ull << 32) | 6, (7ull << 32) | 31, 0x1000, 4}), Errno(EPERM));
  EXPECT_EQ(Call(54, {3, 6, 1, 0x1000, 4}), SECCOMP_RET_ALLOW);       // TCP_NODELAY
  EXPECT_EQ(Call(54, {3, 1, 2, 0x1000, 4}), SECCOMP_RET_ALLOW);       // SO_REUSEADDR
  EXPECT_EQ(Call(55, {3, 1, 4, 0x1000, 0x2000}), SECCOMP_RET_ALLOW);  // SO_ERROR
  EXPECT_EQ(Call(55, {3, 1, 17, 0x1000, 0x2000}), kTaggedTrap);       // SO_PEERCRED
  EXPECT_EQ(Call(55, {3, (1ull << 32) | 1, 17, 0x1000, 0x2000}), kTaggedTrap);
  EXPECT_EQ(Call(55, {3, 1, 17, 0x1000, 0x2000}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(55, {3, 1, 77, 0x1000, 0x2000}, kGateIp), kTaggedTrap);  // PEERPIDFD: supervisor
  EXPECT_EQ(Call(55, {3, 6, 1, 0x1000, 0x2000}, kGateIp), SECCOMP_RET_ALLOW);
}

TEST_F(FilterEval, ClocksFutexAndSelfOnlyCalls) {
  for (int nr : {228, 230}) {
    EXPECT_EQ(Call(nr, {1, 0x1000}), SECCOMP_RET_ALLOW) << nr;
    EXPECT_EQ(Call(nr, {11, 0x1000}), SECCOMP_RET_ALLOW) << nr;  // TAI
    EXPECT_EQ(Call(nr, {10, 0x1000}), kTaggedTrap) << nr;
    EXPECT_EQ(Call(nr, {static_cast<uint64_t>(-6), 0x1000}), SECCOMP_RET_ALLOW) << nr;
    EXPECT_EQ(Call(nr, {0xfffffff8, 0x1000}), SECCOMP_RET_ALLOW) << nr;  // zero-extended -8
    const uint32_t own_thread = (~4321u << 3) | 4 | 2;
    const uint32_t other_process = (~4321u << 3) | 2;
    const uint32_t fd_clock = (~5u << 3) | 3;
    EXPECT_EQ(Call(nr, {own_thread, 0x1000}), SECCOMP_RET_ALLOW) << nr;
    EXPECT_EQ(Call(nr, {other_process, 0x1000}), kTaggedTrap) << nr;
    EXPECT_EQ(Call(nr, {fd_clock, 0x1000}), kTaggedTrap) << nr;
  }
  EXPECT_EQ(Call(202, {0x1000, 0 | 128, 1}), SECCOMP_RET_ALLOW);        // WAIT|PRIVATE
  EXPECT_EQ(Call(202, {0x1000, 9 | 128 | 256, 1}), SECCOMP_RET_ALLOW);  // WAIT_BITSET|CLOCK_RT
  EXPECT_EQ(Call(202, {0x1000, 6 | 128, 0}), Errno(ENOSYS));            // LOCK_PI
  EXPECT_EQ(Call(202, {0x1000, 11, 0}), Errno(ENOSYS));                 // WAIT_REQUEUE_PI
  EXPECT_EQ(Call(202, {0x1000, 14, 0}), kTaggedTrap);                   // unknown: libOS ENOSYS
  for (int nr : {203, 204}) {
    EXPECT_EQ(Call(nr, {0, 128, 0x1000}), SECCOMP_RET_ALLOW) << nr;
    EXPECT_EQ(Call(nr, {1234, 128, 0x1000}), kTaggedTrap) << nr;
  }
  // prlimit64 of oneself, any resource Linux has but RLIMIT_NOFILE (7),
  // judged on the resource's low 32 bits as the kernel reads it.
  EXPECT_EQ(Call(302, {0, 3, 0x1000}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(302, {0, (1ull << 32) | 3, 0x1000}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(302, {0, 7, 0x1000}), kTaggedTrap);
  EXPECT_EQ(Call(302, {0, (1ull << 32) | 7, 0x1000}), kTaggedTrap);
  EXPECT_EQ(Call(302, {0, 128, 0x1000}), kTaggedTrap);  // the libOS's EINVAL
  EXPECT_EQ(Call(302, {1234, 3, 0x1000}), kTaggedTrap);
}

TEST_F(FilterEval, SysvIpc) {
  const uint64_t create_0600 = 01000 | 0600, create_0666 = 01000 | 0666;
  EXPECT_EQ(Call(29, {0, 4096, create_0600}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(29, {0, 4096, create_0666}), kTaggedTrap);
  EXPECT_EQ(Call(29, {42, 4096, create_0600}), kTaggedTrap);  // keyed
  EXPECT_EQ(Call(29, {42, 4096, create_0600}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(29, {42, 4096, create_0666}, kGateIp), kTaggedTrap);
  EXPECT_EQ(Call(64, {0, 1, create_0600}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(68, {0, create_0600}), SECCOMP_RET_ALLOW);  // msgget: flags are arg1
  EXPECT_EQ(Call(68, {0, create_0666}), kTaggedTrap);
  EXPECT_EQ(Call(31, {7, 0, 0}), SECCOMP_RET_ALLOW);  // IPC_RMID
  EXPECT_EQ(Call(31, {7, 2, 0x1000}), kTaggedTrap);   // IPC_STAT
  EXPECT_EQ(Call(31, {7, 2, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(31, {7, 1, 0x1000}, kGateIp), kTaggedTrap);   // IPC_SET never gated
  EXPECT_EQ(Call(31, {7, 15, 0x1000}, kGateIp), kTaggedTrap);  // SHM_STAT_ANY
  EXPECT_EQ(Call(66, {7, 0, 12}), SECCOMP_RET_ALLOW);          // GETVAL (cmd is arg2)
  EXPECT_EQ(Call(66, {7, 0, 11}), kTaggedTrap);                // GETPID
  EXPECT_EQ(Call(66, {7, 0, 11}, kGateIp), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(71, {7, 0, 0}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(71, {7, 2, 0x1000}), kTaggedTrap);
  EXPECT_EQ(Call(71, {7, 2, 0x1000}, kGateIp), SECCOMP_RET_ALLOW);
}

TEST_F(FilterEval, Pipe2MembarrierIoSetup) {
  EXPECT_EQ(Call(293, {0x1000, 02000000 | 04000}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(293, {0x1000, 040000}), SECCOMP_RET_ALLOW);  // O_DIRECT
  EXPECT_EQ(Call(293, {0x1000, 0200}), kTaggedTrap);          // O_NOTIFICATION_PIPE
  EXPECT_EQ(Call(324, {2, 0, 0}), Errno(EINVAL));             // GLOBAL_EXPEDITED
  EXPECT_EQ(Call(324, {(1ull << 32) | 2, 0, 0}), Errno(EINVAL));
  EXPECT_EQ(Call(324, {8, 0, 0}), SECCOMP_RET_ALLOW);  // PRIVATE_EXPEDITED
  EXPECT_EQ(Call(324, {0, 0, 0}), SECCOMP_RET_ALLOW);  // QUERY
  EXPECT_EQ(Call(206, {128, 0x1000}), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Call(206, {129, 0x1000}), Errno(EAGAIN));
  PolicyOptions small;
  small.io_setup_cap = 4;
  auto prog = Build(small);
  EXPECT_EQ(EvalIn(prog, Data(206, {4, 0x1000})), SECCOMP_RET_ALLOW);
  EXPECT_EQ(EvalIn(prog, Data(206, {5, 0x1000})), Errno(EAGAIN));
}

}  // namespace
}  // namespace litebox::runtime
