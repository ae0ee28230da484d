// Builds the partition filter from libos/syscall_table.def. Layout and the
// reasons for it: runtime/seccomp_policy.hpp.
#include "runtime/seccomp_policy.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <map>
#include <mutex>

#include "libos/abi/constants.h"

namespace litebox::runtime {
namespace {

constexpr SyscallRow kTable[] = {
#define SYS(nr, name, cls, check, gate) {nr, #name, SysClass::cls, ArgCheck::check, GateForm::gate},
#include "libos/syscall_table.def"
#undef SYS
};

// ---------------------------------------------------------------------------
// Argument lists of the partition (syscall-partition.md, "Argument lists").
// Values are the kernel ABI numbers; several are newer than this host's
// headers, so they are spelled out.

// List I: ioctl requests that pass (TIOCSCTTY 0x540E separately: arg2 == 0).
constexpr uint32_t kIoctlPass[] = {
    0x541B,     0x5421,     0x5451, 0x5450, 0x5452,  // FIONREAD FIONBIO FIOCLEX FIONCLEX FIOASYNC
    0x5401,     0x5402,     0x5403, 0x5404,          // TCGETS TCSETS TCSETSW TCSETSF
    0x5409,     0x540A,     0x540B, 0x5411,          // TCSBRK TCXONC TCFLSH TIOCOUTQ
    0x5413,     0x5414,     0x5422,                  // TIOCGWINSZ TIOCSWINSZ TIOCNOTTY
    0x80045430, 0x40045431, 0x5441,                  // TIOCGPTN TIOCSPTLCK TIOCGPTPEER
    0x40049409, 0x4020940D,                          // FICLONE FICLONERANGE
};
// List I's interface queries pass only with a network. On any socket the
// kernel answers them for the socket's network namespace, and a sandbox
// without a network has none of its own: its guests' sockets (socketpair
// ends, the supervisor's brokered AF_UNIX ones) are the host's, so they
// would list the host's interfaces, addresses and MACs. Without a network
// they trap, and the libOS says ENOTTY.
constexpr uint32_t kIoctlPassNet[] = {
    0x8910, 0x8912, 0x8913, 0x8915,  // SIOCGIFNAME SIOCGIFCONF SIOCGIFFLAGS SIOCGIFADDR
    0x891B, 0x8921, 0x8927, 0x8933,  // SIOCGIFNETMASK SIOCGIFMTU SIOCGIFHWADDR SIOCGIFINDEX
};
constexpr uint32_t kTiocsctty = 0x540E;
// List I-deny: ERRNO(EPERM). TIOCSTI TIOCLINUX TIOCCONS TIOCSETD TIOCVHANGUP.
constexpr uint32_t kIoctlDeny[] = {0x5412, 0x541C, 0x541D, 0x5423, 0x5437};
// Gate form of ioctl: TIOCGPGRP TIOCSPGRP TIOCGSID (pid translation).
constexpr uint32_t kIoctlGate[] = {0x540F, 0x5410, 0x5429};

// List F: fcntl cmds that pass.
constexpr uint32_t kFcntlPass[] = {0,  1,  2,    3,    4,    6,    7,    10,   11,  36,
                                   37, 38, 1027, 1028, 1030, 1031, 1032, 1033, 1034};
// Gate form of fcntl: F_GETLK F_GETOWN F_GETOWN_EX (pid translation).
constexpr uint32_t kFcntlGate[] = {5, 9, 16};

// List P: prctl options that pass.
constexpr uint32_t kPrctlPass[] = {1,  2,  15, 16, 29, 30, 36, 37,        38,
                                   39, 41, 42, 52, 53, 65, 66, 0x53564D41};

// List A: arch_prctl codes that pass. SET_FS GET_FS GET_XCOMP_SUPP/PERM REQ_XCOMP_PERM.
constexpr uint32_t kArchPrctlPass[] = {0x1002, 0x1003, 0x1021, 0x1022, 0x1023};

// List C: static clock ids 0-9 and 11; own-process CPU clocks (pid field 0)
// -8 -7 -6; thread CPU clocks are negative with bit 2 set (the kernel admits
// only the caller's own threads).
constexpr uint32_t kClockStatic[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11};
constexpr uint32_t kClockOwnProcess[] = {static_cast<uint32_t>(-8), static_cast<uint32_t>(-7),
                                         static_cast<uint32_t>(-6)};
constexpr uint32_t kThreadClockBits = 0x80000004;

// Plain futex ops: WAIT WAKE REQUEUE CMP_REQUEUE WAKE_OP WAIT_BITSET WAKE_BITSET,
// and the ones refused with ENOSYS: FD, the PI family.
constexpr uint32_t kFutexOpMask = 0xffffffffu & ~(128u | 256u);  // PRIVATE_FLAG, CLOCK_REALTIME
constexpr uint32_t kFutexPass[] = {0, 1, 3, 4, 5, 9, 10};
constexpr uint32_t kFutexEnosys[] = {2, 6, 7, 8, 11, 12, 13};

// SysV: IPC_RMID 0, IPC_STAT 2, SHM_LOCK 11, SHM_UNLOCK 12; semctl GETPID 11,
// GETVAL 12, GETALL 13, GETNCNT 14, GETZCNT 15, SETVAL 16, SETALL 17.
constexpr uint32_t kShmctlPass[] = {0, 11, 12};
constexpr uint32_t kSemctlPass[] = {0, 12, 13, 14, 15, 16, 17};
constexpr uint32_t kMsgctlPass[] = {0};
constexpr uint32_t kIpcStat = 2;
constexpr uint32_t kSemGetpid = 11;
constexpr uint32_t kIpcOtherBits = 07;

// pipe2: O_CLOEXEC | O_NONBLOCK | O_DIRECT.
constexpr uint32_t kPipe2Flags = 02000000 | 04000 | 040000;

// Sockets.
constexpr uint32_t kAfUnix = 1, kAfInet = 2, kAfInet6 = 10;
constexpr uint32_t kSockStream = 1, kSockDgram = 2, kSockRaw = 3, kSockSeqpacket = 5,
                   kSockPacket = 10;
constexpr uint32_t kSockTypeMask = 0xffffffffu & ~(04000u | 02000000u);  // ~(NONBLOCK|CLOEXEC)
constexpr uint32_t kStreamProtocols[] = {0, 6};                          // default, IPPROTO_TCP
constexpr uint32_t kDgramProtocols[] = {0, 17, 1, 58};  // default, UDP, ICMP, ICMPV6
constexpr uint32_t kSolSocket = 1, kSoPeercred = 17, kSoPeergroups = 59, kSoPeerpidfd = 77;
constexpr uint32_t kSolTcp = 6, kTcpUlp = 31;

// clone flags refused at the gate: CLONE_NEWNS NEWCGROUP NEWUTS NEWIPC NEWUSER
// NEWPID NEWNET and CLONE_PTRACE. The kernel reads only the low 32 bits.
constexpr uint32_t kCloneRefused = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 |
                                   0x20000000 | 0x40000000 | 0x00002000;

constexpr uint32_t kMembarrierGlobalExpedited = 2;

// ---------------------------------------------------------------------------
// seccomp_data layout (x86-64 is little-endian: low word first).
constexpr uint32_t kOffNr = offsetof(seccomp_data, nr);
constexpr uint32_t kOffArch = offsetof(seccomp_data, arch);
constexpr uint32_t kOffIpLo = offsetof(seccomp_data, instruction_pointer);
constexpr uint32_t kOffIpHi = kOffIpLo + 4;
constexpr uint32_t ArgLo(int i) {
  return offsetof(seccomp_data, args) + 8 * i;
}

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kTrap = SECCOMP_RET_TRAP;  // tagged in the final pass
constexpr uint32_t kKill = SECCOMP_RET_KILL_PROCESS;
constexpr uint32_t Errno(int e) {
  return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(e) & 0xffff);
}

// A tiny classic-BPF assembler with labels for the hand-written prefix.
// Every branch to a label is a conditional skip over a `ja`, whose 32-bit
// offset cannot overflow, so code may be laid out freely.
class BpfAsm {
 public:
  using Label = size_t;

  Label NewLabel() {
    pos_.push_back(kUnbound);
    return pos_.size() - 1;
  }
  void Bind(Label l) { pos_[l] = code_.size(); }

  void Load(uint32_t offset) { Emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
  void And(uint32_t k) { Emit(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, k)); }
  void Ret(uint32_t action) { Emit(BPF_STMT(BPF_RET | BPF_K, action)); }
  void Goto(Label l) {
    fixups_.push_back({code_.size(), l});
    Emit(BPF_STMT(BPF_JMP | BPF_JA, 0));
  }
  // op: BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET, tested against the accumulator.
  void GotoIf(uint16_t op, uint32_t k, Label l) {
    Emit(BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 1));
    Goto(l);
  }
  void GotoIfNot(uint16_t op, uint32_t k, Label l) {
    Emit(BPF_JUMP(BPF_JMP | op | BPF_K, k, 1, 0));
    Goto(l);
  }
  void RetIf(uint16_t op, uint32_t k, uint32_t action) {
    Emit(BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 1));
    Ret(action);
  }
  void RetIfNot(uint16_t op, uint32_t k, uint32_t action) {
    Emit(BPF_JUMP(BPF_JMP | op | BPF_K, k, 1, 0));
    Ret(action);
  }

  // Resolves the labels; a label may be bound at the very end (= whatever
  // code gets appended after this program).
  bool Finish(std::vector<sock_filter>* out, std::string* err) {
    for (const Fixup& f : fixups_) {
      if (pos_[f.label] == kUnbound) {
        *err = "partition filter: internal error, BPF label " + std::to_string(f.label) +
               " never bound";
        return false;
      }
      code_[f.at].k = static_cast<uint32_t>(pos_[f.label] - (f.at + 1));
    }
    *out = code_;
    return true;
  }

 private:
  static constexpr size_t kUnbound = ~size_t{0};
  struct Fixup {
    size_t at;
    Label label;
  };
  void Emit(sock_filter insn) { code_.push_back(insn); }

  std::vector<sock_filter> code_;
  std::vector<size_t> pos_;
  std::vector<Fixup> fixups_;
};

// Rows whose whole argument check lives in the prefix: each is an
// "int != x" or "int < x" test on the kernel's 32-bit view of an argument,
// which libseccomp 2.5 can only compare over 64 bits; a value with junk in
// the upper half would pass as "!= x" while the kernel truncates it to x
// (e.g. setsockopt(SOL_TCP | 1<<32, TCP_ULP), close(1<<32 | channel)).
bool CheckedInPrefix(ArgCheck c) {
  return c == ArgCheck::SETSOCKOPT || c == ArgCheck::GETSOCKOPT || c == ArgCheck::MEMBARRIER ||
         c == ArgCheck::FD_NOT_CHANNEL || c == ArgCheck::NEWFD_NOT_CHANNEL ||
         c == ArgCheck::RANGE_SKIPS_CHANNEL;
}

void EmitPrefixCheck(BpfAsm& a, const SyscallRow& row) {
  switch (row.check) {
    case ArgCheck::SETSOCKOPT:
      a.Load(ArgLo(1));
      a.RetIfNot(BPF_JEQ, kSolTcp, kAllow);
      a.Load(ArgLo(2));
      a.RetIf(BPF_JEQ, kTcpUlp, Errno(EPERM));
      a.Ret(kAllow);
      return;
    case ArgCheck::GETSOCKOPT:
      a.Load(ArgLo(1));
      a.RetIfNot(BPF_JEQ, kSolSocket, kAllow);
      a.Load(ArgLo(2));
      for (uint32_t opt : {kSoPeercred, kSoPeergroups, kSoPeerpidfd}) a.RetIf(BPF_JEQ, opt, kTrap);
      a.Ret(kAllow);
      return;
    case ArgCheck::MEMBARRIER:
      a.Load(ArgLo(0));
      a.RetIf(BPF_JEQ, kMembarrierGlobalExpedited, Errno(EINVAL));
      a.Ret(kAllow);
      return;
    // The libOS's channel: the one fd no application call may close,
    // replace or name (abi::kChannelFd); the libOS answers those calls.
    case ArgCheck::FD_NOT_CHANNEL:  // close(fd)
      a.Load(ArgLo(0));
      a.RetIf(BPF_JEQ, abi::kChannelFd, kTrap);
      a.Ret(kAllow);
      return;
    case ArgCheck::NEWFD_NOT_CHANNEL:  // dup3(old, new, flags)
      a.Load(ArgLo(1));
      a.RetIf(BPF_JEQ, abi::kChannelFd, kTrap);
      a.Ret(kAllow);
      return;
    case ArgCheck::RANGE_SKIPS_CHANNEL:  // close_range(first, last, flags), unsigned
      a.Load(ArgLo(1));
      a.RetIfNot(BPF_JGE, abi::kChannelFd, kAllow);  // last below the channel
      a.Load(ArgLo(0));
      a.RetIf(BPF_JGT, abi::kChannelFd, kAllow);  // first above it
      a.Ret(kTrap);
      return;
    default:
      a.Ret(kTrap);  // unreachable: CheckedInPrefix() guards the callers
  }
}

// Clock id (accumulator = low word of the clockid argument) in list C ->
// `hit`; otherwise falls through. Clobbers the accumulator.
void EmitClockList(BpfAsm& a, uint32_t hit) {
  for (uint32_t id : kClockStatic) a.RetIf(BPF_JEQ, id, hit);
  for (uint32_t id : kClockOwnProcess) a.RetIf(BPF_JEQ, id, hit);
  a.And(kThreadClockBits);
  a.RetIf(BPF_JEQ, kThreadClockBits, hit);
}

// The test of the row's gate form, entered once the instruction pointer is
// the gate. `normal` is where the row's ordinary rules start.
void EmitGateCheck(BpfAsm& a, const SyscallRow& row, BpfAsm::Label normal) {
  auto allow_if_in = [&](int arg, std::initializer_list<uint32_t> values) {
    a.Load(ArgLo(arg));
    for (uint32_t v : values) a.RetIf(BPF_JEQ, v, kAllow);
    a.Goto(normal);
  };
  switch (row.gate) {
    case GateForm::NOGATE:
      a.Goto(normal);
      return;
    case GateForm::GATE_ANY:
      a.Ret(kAllow);
      return;
    case GateForm::GATE_CLONE:
      a.Load(ArgLo(0));
      a.RetIf(BPF_JSET, kCloneRefused, Errno(EPERM));
      a.Ret(kAllow);
      return;
    case GateForm::GATE_SECCOMP:
      a.Load(ArgLo(0));
      a.RetIf(BPF_JGT, SECCOMP_SET_MODE_FILTER, Errno(EINVAL));  // STRICT 0, FILTER 1
      a.Load(ArgLo(1));
      a.RetIf(BPF_JSET, SECCOMP_FILTER_FLAG_NEW_LISTENER, Errno(EINVAL));
      a.Ret(kAllow);
      return;
    case GateForm::GATE_CLOCK:
      a.Load(ArgLo(0));
      EmitClockList(a, kAllow);
      a.Ret(Errno(EINVAL));
      return;
    case GateForm::GATE_IPC:
      // shmget/semget(key, n, flags), msgget(key, flags)
      a.Load(ArgLo(row.nr == 68 ? 1 : 2));
      a.GotoIf(BPF_JSET, kIpcOtherBits, normal);
      a.Ret(kAllow);
      return;
    case GateForm::GATE_IOCTL_PGRP:
      allow_if_in(1, {kIoctlGate[0], kIoctlGate[1], kIoctlGate[2]});
      return;
    case GateForm::GATE_FCNTL_OWN:
      allow_if_in(1, {kFcntlGate[0], kFcntlGate[1], kFcntlGate[2]});
      return;
    case GateForm::GATE_PEERCRED:
      a.Load(ArgLo(1));
      a.GotoIfNot(BPF_JEQ, kSolSocket, normal);
      allow_if_in(2, {kSoPeercred, kSoPeergroups});
      return;
    case GateForm::GATE_SHMCTL:
    case GateForm::GATE_MSGCTL:
      allow_if_in(1, {kIpcStat});
      return;
    case GateForm::GATE_SEMCTL:
      allow_if_in(2, {kIpcStat, kSemGetpid});
      return;
    case GateForm::GATE_DUP_CHANNEL:
      a.Ret(kAllow);
      return;
  }
}

// The longest run of numbers no row names (x86-64 leaves 337-423 unused):
// answered ENOSYS by the prefix with two compares, where libseccomp spent
// ~3 instructions per number (the filter's size is what its installation
// costs: ~0.2 us per instruction here, once per sandbox).
struct NumberRun {
  int first = 0, last = -1;  // empty when last < first
};
NumberRun LongestUnassignedRun() {
  std::vector<bool> assigned(abi::kMaxSyscall + 1, false);
  for (const SyscallRow& row : kTable)
    if (row.nr >= 0 && row.nr <= abi::kMaxSyscall) assigned[row.nr] = true;
  NumberRun best, cur;
  for (int nr = 0; nr <= abi::kMaxSyscall; ++nr) {
    if (assigned[nr]) {
      cur = NumberRun{};
      continue;
    }
    if (cur.last < cur.first) cur.first = nr;
    cur.last = nr;
    if (cur.last - cur.first > best.last - best.first) best = cur;
  }
  return best;
}

bool BuildPrefix(uint64_t gate_ip, std::vector<sock_filter>* out, std::string* err) {
  BpfAsm a;
  const BpfAsm::Label rules = a.NewLabel();  // start of the libseccomp program
  a.Load(kOffArch);
  a.RetIfNot(BPF_JEQ, AUDIT_ARCH_X86_64, kKill);
  a.Load(kOffNr);
  a.RetIf(BPF_JSET, 0x40000000, kKill);  // x32 ABI
  a.RetIf(BPF_JGT, abi::kMaxSyscall, Errno(ENOSYS));
  if (const NumberRun gap = LongestUnassignedRun(); gap.last >= gap.first) {
    const BpfAsm::Label past = a.NewLabel();
    a.GotoIf(BPF_JGT, static_cast<uint32_t>(gap.last), past);
    a.RetIf(BPF_JGE, static_cast<uint32_t>(gap.first), Errno(ENOSYS));
    a.Bind(past);
  }

  // Dispatch only gate numbers and prefix-checked numbers away from the
  // rules; every other number reaches the rules having loaded nr and arch only.
  std::map<int, BpfAsm::Label> gate_at, checked_at;
  for (const SyscallRow& row : kTable) {
    if (row.gate != GateForm::NOGATE) gate_at[row.nr] = a.NewLabel();
    if (row.cls == SysClass::PASS && CheckedInPrefix(row.check)) checked_at[row.nr] = a.NewLabel();
  }
  for (const auto& [nr, label] : gate_at) a.GotoIf(BPF_JEQ, nr, label);
  for (const auto& [nr, label] : checked_at)
    if (!gate_at.count(nr)) a.GotoIf(BPF_JEQ, nr, label);
  a.Goto(rules);

  for (const SyscallRow& row : kTable) {
    if (row.gate == GateForm::NOGATE) continue;
    auto checked = checked_at.find(row.nr);
    const BpfAsm::Label normal = checked != checked_at.end() ? checked->second : rules;
    a.Bind(gate_at[row.nr]);
    a.Load(kOffIpLo);
    a.GotoIfNot(BPF_JEQ, static_cast<uint32_t>(gate_ip), normal);
    a.Load(kOffIpHi);
    a.GotoIfNot(BPF_JEQ, static_cast<uint32_t>(gate_ip >> 32), normal);
    EmitGateCheck(a, row, normal);
  }
  for (const SyscallRow& row : kTable) {
    auto checked = checked_at.find(row.nr);
    if (checked == checked_at.end()) continue;
    a.Bind(checked->second);
    EmitPrefixCheck(a, row);
  }
  a.Bind(rules);
  return a.Finish(out, err);
}

// ---------------------------------------------------------------------------
// Per-number rules through libseccomp.

scmp_arg_cmp Lo32(unsigned arg, uint32_t v) {  // the kernel's int view of the arg == v
  return {arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, v};
}
scmp_arg_cmp Masked(unsigned arg, uint32_t mask, uint32_t v) {
  return {arg, SCMP_CMP_MASKED_EQ, mask, v};
}
scmp_arg_cmp Cmp64(unsigned arg, scmp_compare op, uint64_t v) {
  return {arg, op, v, 0};
}

class RuleWriter {
 public:
  RuleWriter(scmp_filter_ctx ctx, std::string* err) : ctx_(ctx), err_(err) {}

  void Add(uint32_t action, const SyscallRow& row, std::initializer_list<scmp_arg_cmp> conds) {
    AddNr(action, row.nr, row.name, conds);
  }
  void AddNr(uint32_t action, int nr, const char* name, std::initializer_list<scmp_arg_cmp> conds) {
    if (!ok_) return;
    std::vector<scmp_arg_cmp> v(conds);
    int rc = seccomp_rule_add_exact_array(ctx_, action, nr, static_cast<unsigned>(v.size()),
                                          v.empty() ? nullptr : v.data());
    if (rc < 0) {
      ok_ = false;
      *err_ = std::string("seccomp_rule_add for syscall ") + name + " (" + std::to_string(nr) +
              ", " + std::to_string(v.size()) + " conditions): " + std::strerror(-rc);
    }
  }
  bool ok() const { return ok_; }

 private:
  scmp_filter_ctx ctx_;
  std::string* err_;
  bool ok_ = true;
};

void AddSocketRules(RuleWriter& w, const SyscallRow& row, const PolicyOptions& options) {
  for (uint32_t family : {kAfInet, kAfInet6}) {
    if (!options.network) {
      w.Add(SCMP_ACT_ERRNO(EACCES), row, {Cmp64(0, SCMP_CMP_EQ, family)});
      continue;
    }
    for (uint32_t proto : kStreamProtocols)
      w.Add(SCMP_ACT_ALLOW, row,
            {Cmp64(0, SCMP_CMP_EQ, family), Masked(1, kSockTypeMask, kSockStream), Lo32(2, proto)});
    for (uint32_t proto : kDgramProtocols)
      w.Add(SCMP_ACT_ALLOW, row,
            {Cmp64(0, SCMP_CMP_EQ, family), Masked(1, kSockTypeMask, kSockDgram), Lo32(2, proto)});
    for (uint32_t type : {kSockRaw, kSockPacket})
      w.Add(SCMP_ACT_ERRNO(EPERM), row,
            {Cmp64(0, SCMP_CMP_EQ, family), Masked(1, kSockTypeMask, type)});
  }
  // AF_UNIX (1) traps; every other family is refused. Over 64 bits so these
  // never overlap the exact-match rules above.
  w.Add(SCMP_ACT_ERRNO(EAFNOSUPPORT), row, {Cmp64(0, SCMP_CMP_EQ, 0)});
  for (uint32_t family = 3; family < kAfInet6; ++family)
    w.Add(SCMP_ACT_ERRNO(EAFNOSUPPORT), row, {Cmp64(0, SCMP_CMP_EQ, family)});
  w.Add(SCMP_ACT_ERRNO(EAFNOSUPPORT), row, {Cmp64(0, SCMP_CMP_GT, kAfInet6)});
}

void AddCheckedPassRules(RuleWriter& w, const SyscallRow& row, const PolicyOptions& options) {
  const uint32_t allow = SCMP_ACT_ALLOW;
  auto allow_lo32_in = [&](unsigned arg, std::span<const uint32_t> values) {
    for (uint32_t v : values) w.Add(allow, row, {Lo32(arg, v)});
  };
  switch (row.check) {
    case ArgCheck::NONE:
      w.Add(allow, row, {});
      return;
    case ArgCheck::IOCTL_LIST:
      allow_lo32_in(1, kIoctlPass);
      if (options.network) allow_lo32_in(1, kIoctlPassNet);
      w.Add(allow, row, {Lo32(1, kTiocsctty), Cmp64(2, SCMP_CMP_EQ, 0)});
      for (uint32_t req : kIoctlDeny) w.Add(SCMP_ACT_ERRNO(EPERM), row, {Lo32(1, req)});
      return;
    case ArgCheck::FCNTL_LIST:
      allow_lo32_in(1, kFcntlPass);
      return;
    case ArgCheck::PRCTL_LIST:
      allow_lo32_in(0, kPrctlPass);
      return;
    case ArgCheck::ARCH_PRCTL_LIST:
      allow_lo32_in(0, kArchPrctlPass);
      return;
    case ArgCheck::SOCKET_LIST:
      AddSocketRules(w, row, options);
      return;
    case ArgCheck::SOCKETPAIR_UNIX:
      for (uint32_t type : {kSockStream, kSockSeqpacket})
        w.Add(allow, row, {Cmp64(0, SCMP_CMP_EQ, kAfUnix), Masked(1, 0xf, type)});
      w.Add(SCMP_ACT_ERRNO(EAFNOSUPPORT), row, {Cmp64(0, SCMP_CMP_EQ, 0)});
      w.Add(SCMP_ACT_ERRNO(EAFNOSUPPORT), row, {Cmp64(0, SCMP_CMP_GT, kAfUnix)});
      return;
    case ArgCheck::CLOCK_LIST:
      allow_lo32_in(0, kClockStatic);
      allow_lo32_in(0, kClockOwnProcess);
      w.Add(allow, row, {Masked(0, kThreadClockBits, kThreadClockBits)});
      return;
    case ArgCheck::FUTEX_OPS:
      for (uint32_t op : kFutexPass) w.Add(allow, row, {Masked(1, kFutexOpMask, op)});
      for (uint32_t op : kFutexEnosys)
        w.Add(SCMP_ACT_ERRNO(ENOSYS), row, {Masked(1, kFutexOpMask, op)});
      return;
    case ArgCheck::PID_ZERO:
      w.Add(allow, row, {Cmp64(0, SCMP_CMP_EQ, 0)});
      return;
    case ArgCheck::PIDFD_SELF: {
      // PIDFD_SELF_THREAD (-10000) and PIDFD_SELF_THREAD_GROUP (-10001):
      // a process signalling itself, with any siginfo it likes.
      static constexpr uint32_t kSelf[] = {static_cast<uint32_t>(-10000),
                                           static_cast<uint32_t>(-10001)};
      allow_lo32_in(0, kSelf);
      return;
    }
    case ArgCheck::PRLIMIT_SELF:
      // RLIMIT_NOFILE (7) traps: the libOS keeps the soft limit below its
      // reserved fds while the host hard limit covers them.
      // The kernel reads the resource as unsigned int, so the test is on
      // the low 32 bits (7 with junk above must trap too): each resource
      // Linux has (RLIM_NLIMITS = 16) but RLIMIT_NOFILE.
      for (uint32_t res = 0; res < 16; ++res)
        if (res != 7) w.Add(allow, row, {Cmp64(0, SCMP_CMP_EQ, 0), Lo32(1, res)});
      return;
    case ArgCheck::IPC_PRIVATE:
      // key == IPC_PRIVATE (0); flags: shm/sem arg2, msg arg1.
      w.Add(allow, row, {Lo32(0, 0), Masked(row.nr == 68 ? 1 : 2, kIpcOtherBits, 0)});
      return;
    case ArgCheck::SHMCTL_CMDS:
      allow_lo32_in(1, kShmctlPass);
      return;
    case ArgCheck::SEMCTL_CMDS:
      allow_lo32_in(2, kSemctlPass);
      return;
    case ArgCheck::MSGCTL_CMDS:
      allow_lo32_in(1, kMsgctlPass);
      return;
    case ArgCheck::PIPE2_FLAGS:
      w.Add(allow, row, {Masked(1, 0xffffffffu & ~kPipe2Flags, 0)});
      return;
    case ArgCheck::IO_SETUP_CAP:
      w.Add(allow, row, {Cmp64(0, SCMP_CMP_LE, options.io_setup_cap)});
      w.Add(SCMP_ACT_ERRNO(EAGAIN), row, {Cmp64(0, SCMP_CMP_GT, options.io_setup_cap)});
      return;
    case ArgCheck::NULL_ARG3:
      w.Add(allow, row, {Cmp64(3, SCMP_CMP_EQ, 0)});
      return;
    case ArgCheck::NULL_ARG4:
      w.Add(allow, row, {Cmp64(4, SCMP_CMP_EQ, 0)});
      return;
    case ArgCheck::NULL_ARG5:
      w.Add(allow, row, {Cmp64(5, SCMP_CMP_EQ, 0)});
      return;
    case ArgCheck::SETSOCKOPT:
    case ArgCheck::GETSOCKOPT:
    case ArgCheck::MEMBARRIER:
    case ArgCheck::FD_NOT_CHANNEL:
    case ArgCheck::NEWFD_NOT_CHANNEL:
    case ArgCheck::RANGE_SKIPS_CHANNEL:
      return;  // decided in the prefix
  }
}

// Fills ctx with the per-number rules of every row and unassigned number.
bool AddTableRules(scmp_filter_ctx ctx, const PolicyOptions& options, std::string* err) {
  RuleWriter w(ctx, err);
  std::vector<bool> assigned(abi::kMaxSyscall + 1, false);
  for (const SyscallRow& row : kTable) {
    if (row.nr < 0 || row.nr > abi::kMaxSyscall || assigned[row.nr]) {
      *err = std::string("syscall_table.def: syscall ") + row.name + " has number " +
             std::to_string(row.nr) + ", out of range or already used";
      return false;
    }
    assigned[row.nr] = true;
    if (row.check != ArgCheck::NONE && row.cls != SysClass::PASS) {
      *err = std::string("syscall_table.def: syscall ") + row.name +
             " has an argument check but is not PASS";
      return false;
    }
    switch (row.cls) {
      case SysClass::PASS:
        AddCheckedPassRules(w, row, options);
        break;
      case SysClass::EMULATE:
        break;  // the default action, TRAP
      case SysClass::DENY_ENOSYS:
        w.Add(SCMP_ACT_ERRNO(ENOSYS), row, {});
        break;
      case SysClass::DENY_EPERM:
        w.Add(SCMP_ACT_ERRNO(EPERM), row, {});
        break;
      case SysClass::DENY_EACCES:
        w.Add(SCMP_ACT_ERRNO(EACCES), row, {});
        break;
    }
  }
  // The longest unassigned run never reaches these rules (BuildPrefix).
  const NumberRun gap = LongestUnassignedRun();
  for (int nr = 0; nr <= abi::kMaxSyscall; ++nr)
    if (!assigned[nr] && (nr < gap.first || nr > gap.last))
      w.AddNr(SCMP_ACT_ERRNO(ENOSYS), nr, "(unassigned)", {});
  return w.ok();
}

bool ExportRules(const PolicyOptions& options, std::vector<sock_filter>* out, std::string* err) {
  if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
    *err = "partition filter: libseccomp's native arch is not x86-64";
    return false;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
  if (!ctx) {
    *err = "seccomp_init(SCMP_ACT_TRAP) failed";
    return false;
  }
  struct CtxGuard {
    scmp_filter_ctx c;
    ~CtxGuard() { seccomp_release(c); }
  } guard{ctx};
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  // Binary-tree dispatch: syscalls that do reach the program (args checked)
  // cost O(log n) comparisons instead of a walk past every rule.
  if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0) {
    *err = std::string("seccomp_attr_set: ") + std::strerror(-rc);
    return false;
  }
  if (!AddTableRules(ctx, options, err)) return false;

  int fd = memfd_create("litebox-partition-bpf", MFD_CLOEXEC);
  if (fd < 0) {
    *err = std::string("memfd_create for the BPF export: ") + std::strerror(errno);
    return false;
  }
  rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) {
    close(fd);
    *err = std::string("seccomp_export_bpf: ") + std::strerror(-rc);
    return false;
  }
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) {
    close(fd);
    *err = "seccomp_export_bpf wrote " + std::to_string(size) +
           " bytes, not a whole number of BPF instructions";
    return false;
  }
  out->resize(size / sizeof(sock_filter));
  ssize_t got = pread(fd, out->data(), size, 0);
  int read_errno = errno;
  close(fd);
  if (got != size) {
    *err = std::string("reading back the exported BPF: ") +
           (got < 0 ? std::strerror(read_errno) : "short read");
    return false;
  }
  return true;
}

}  // namespace

std::span<const SyscallRow> SyscallTable() {
  return kTable;
}

namespace {
// The rules also persist across supervisors (each sandbox starts a fresh
// one), keyed by everything they are made from: the table, the options and
// the libseccomp version. Root-only directory; any doubt means regenerate.
std::string RulesCachePath(const PolicyOptions& options) {
  if (geteuid() != 0) return "";
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  for (const SyscallRow& row : kTable) {
    mix(static_cast<uint64_t>(row.nr));
    mix(static_cast<uint64_t>(row.cls));
    mix(static_cast<uint64_t>(row.check));
    mix(static_cast<uint64_t>(row.gate));
  }
  mix(options.network ? 1 : 0);
  mix(options.io_setup_cap);
  // The code that makes the rules lives in this file: its build time keys
  // the cache too, so a rebuilt generator never reads an older program.
  for (const char* c = __DATE__ " " __TIME__; *c; ++c) mix(static_cast<uint64_t>(*c));
  const scmp_version* v = seccomp_version();
  mix(v ? (v->major << 16 | v->minor << 8 | v->micro) : 0);
  char name[64];
  snprintf(name, sizeof name, "/run/litebox/policy-%016llx.bpf",
           static_cast<unsigned long long>(h));
  return name;
}

bool LoadCachedRules(const PolicyOptions& options, std::vector<sock_filter>* rules) {
  std::string path = RulesCachePath(options);
  if (path.empty()) return false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && st.st_uid == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            st.st_size % sizeof(sock_filter) == 0 &&
            st.st_size <= static_cast<off_t>(BPF_MAXINSNS * sizeof(sock_filter));
  if (ok) {
    rules->resize(static_cast<size_t>(st.st_size) / sizeof(sock_filter));
    ok = pread(fd, rules->data(), static_cast<size_t>(st.st_size), 0) == st.st_size;
  }
  close(fd);
  if (!ok) rules->clear();
  return ok;
}

void StoreCachedRules(const PolicyOptions& options, const std::vector<sock_filter>& rules) {
  std::string path = RulesCachePath(options);
  if (path.empty()) return;
  mkdir("/run/litebox", 0700);
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t n = rules.size() * sizeof(sock_filter);
  bool ok = write(fd, rules.data(), n) == static_cast<ssize_t>(n);
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) unlink(tmp.c_str());
}
}  // namespace

std::vector<sock_filter> BuildPartitionFilter(uint64_t gate_ip, const PolicyOptions& options,
                                              std::string* err) {
  std::string local_err;
  if (!err) err = &local_err;
  std::vector<sock_filter> prog;
  if (!BuildPrefix(gate_ip, &prog, err)) return {};
  // libseccomp's part does not depend on the gate address and costs
  // milliseconds to generate: a supervisor builds it once per options and
  // only re-assembles the (cheap) prefix for each new process image.
  static std::mutex cache_mu;
  static std::map<std::pair<bool, uint32_t>, std::vector<sock_filter>> cache;
  std::vector<sock_filter> rules;
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    auto key = std::make_pair(options.network, options.io_setup_cap);
    auto it = cache.find(key);
    if (it == cache.end()) {
      if (!LoadCachedRules(options, &rules)) {
        if (!ExportRules(options, &rules, err)) return {};
        StoreCachedRules(options, rules);
      }
      cache.emplace(key, rules);
    } else {
      rules = it->second;
    }
  }
  prog.insert(prog.end(), rules.begin(), rules.end());
  if (prog.size() > BPF_MAXINSNS) {
    *err = "partition filter has " + std::to_string(prog.size()) + " instructions, over the " +
           std::to_string(BPF_MAXINSNS) + " the kernel accepts";
    return {};
  }
  // libseccomp 2.5 has no TRAP-with-data action: tag every TRAP so the
  // SIGSYS handler can tell the partition's traps from an app filter's.
  for (sock_filter& insn : prog)
    if (insn.code == (BPF_RET | BPF_K) && insn.k == SECCOMP_RET_TRAP)
      insn.k = SECCOMP_RET_TRAP | abi::kTrapTag;
  return prog;
}

PolicyStats ComputePolicyStats() {
  PolicyStats s;
  for (const SyscallRow& row : kTable) {
    switch (row.cls) {
      case SysClass::PASS:
        ++s.pass;
        s.pass_names.emplace_back(row.name);
        break;
      case SysClass::EMULATE:
        ++s.emulate;
        if (row.gate != GateForm::NOGATE) {
          ++s.gate;
          s.gate_names.emplace_back(row.name);
        }
        break;
      case SysClass::DENY_ENOSYS:
        ++s.deny_enosys;
        break;
      case SysClass::DENY_EPERM:
        ++s.deny_eperm;
        break;
      case SysClass::DENY_EACCES:
        ++s.deny_eacces;
        break;
    }
  }
  s.host_reachable = s.pass + s.gate;
  return s;
}

namespace {
void AppendWrapped(std::string& out, const char* title, const std::vector<std::string>& names) {
  std::string line = std::string(title);
  for (size_t i = 0; i < names.size(); ++i) {
    std::string word = names[i] + (i + 1 < names.size() ? "," : "");
    if (line.size() + 1 + word.size() > 78) {
      out += line + "\n";
      line = "   ";
    }
    line += " " + word;
  }
  out += line + "\n";
}
}  // namespace

std::string FormatPolicyStats(const PolicyStats& s) {
  auto row = [](const char* label, int n) {
    std::string num = std::to_string(n);
    return "  " + std::string(label) + std::string(14 - std::strlen(label), ' ') +
           std::string(num.size() < 4 ? 4 - num.size() : 0, ' ') + num + "\n";
  };
  std::string out =
      "LiteBox syscall partition (x86-64, numbers 0-" + std::to_string(abi::kMaxSyscall) + ")\n";
  out += row("pass", s.pass);
  out += row("emulate", s.emulate);
  out += row("  via gate", s.gate);
  out += row("deny ENOSYS", s.deny_enosys);
  out += row("deny EPERM", s.deny_eperm);
  out += row("deny EACCES", s.deny_eacces);
  out += row("total", s.pass + s.emulate + s.deny_enosys + s.deny_eperm + s.deny_eacces);
  out += "host-reachable numbers (pass + gate set): " + std::to_string(s.host_reachable) + "\n";
  AppendWrapped(out, "pass:", s.pass_names);
  AppendWrapped(out, "gate:", s.gate_names);
  return out;
}

}  // namespace litebox::runtime
