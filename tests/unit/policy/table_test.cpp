// The syscall table (libos/syscall_table.def) against the kernel's numbering
// and against the partition document's counts and lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "runtime/seccomp_policy.hpp"
#include "tests/unit/policy/kernel_syscalls.hpp"

namespace litebox::runtime {
namespace {

std::map<int, std::string> ReferenceNames() {
  std::string err;
  auto names = policy_test::ReadUnistdNames(policy_test::kUnistdHeader, &err);
  EXPECT_FALSE(names.empty()) << err;
  for (const auto& [nr, name] : policy_test::NewerSyscalls()) {
    EXPECT_FALSE(names.count(nr)) << "header already defines " << nr << "; drop it from the extras";
    names[nr] = name;
  }
  return names;
}

TEST(SyscallTable, EveryNumberAtMostOnceAndEveryAssignedNumberExactlyOnce) {
  const auto reference = ReferenceNames();
  ASSERT_EQ(reference.size(), 384u) << "x86-64 assigns 384 numbers in 0-470";
  std::map<int, int> seen;
  for (const SyscallRow& row : SyscallTable()) {
    EXPECT_GE(row.nr, 0) << row.name;
    EXPECT_LE(row.nr, 470) << row.name;
    ++seen[row.nr];
  }
  for (const auto& [nr, count] : seen) {
    EXPECT_EQ(count, 1) << "number " << nr << " appears " << count << " times";
    EXPECT_TRUE(reference.count(nr)) << "number " << nr << " is not an assigned syscall";
  }
  for (const auto& [nr, name] : reference)
    EXPECT_TRUE(seen.count(nr)) << "assigned syscall " << name << " (" << nr << ") has no row";
}

TEST(SyscallTable, NamesAreTheKernelNamesAndValidIdentifiers) {
  const auto reference = ReferenceNames();
  for (const SyscallRow& row : SyscallTable()) {
    auto it = reference.find(row.nr);
    ASSERT_NE(it, reference.end()) << row.name;
    EXPECT_EQ(row.name, it->second) << "number " << row.nr;
    const std::string name = row.name;
    ASSERT_FALSE(name.empty());
    EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') << name;
    EXPECT_TRUE(std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    })) << name;
  }
}

TEST(SyscallTable, ClassCountsMatchThePartition) {
  const PolicyStats s = ComputePolicyStats();
  // The draft's 115 pass rows plus pidfd_send_signal on PIDFD_SELF (a
  // process signalling itself; see the .def header).
  EXPECT_EQ(s.pass, 116);
  EXPECT_EQ(s.emulate, 163);
  EXPECT_EQ(s.deny_enosys, 68);
  EXPECT_EQ(s.deny_eperm, 36);
  EXPECT_EQ(s.deny_eacces, 1);
  EXPECT_EQ(s.pass + s.emulate + s.deny_enosys + s.deny_eperm + s.deny_eacces, 384);
  EXPECT_EQ(s.gate, 13) << "the draft's 12 gate numbers plus rt_sigprocmask";
  EXPECT_EQ(s.host_reachable, 129);
  EXPECT_EQ(s.pass_names.size(), 116u);
}

// The partition's list "Pass-class names (115), the host attack surface".
TEST(SyscallTable, PassRowsAreThePartitionsPassList) {
  const std::set<std::string> doc = {
      "read", "write", "close", "fstat", "poll", "lseek", "mmap", "mprotect", "munmap",
      "rt_sigreturn", "ioctl", "pread64", "pwrite64", "readv", "writev", "sched_yield", "mremap",
      "msync", "madvise", "shmget", "shmat", "shmctl", "nanosleep", "sendfile", "socket", "accept",
      "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "listen", "socketpair", "setsockopt",
      "getsockopt", "exit", "semget", "semop", "semctl", "shmdt", "msgget", "msgsnd", "msgrcv",
      "msgctl", "fcntl", "flock", "fsync", "fdatasync", "ftruncate", "getrusage", "rt_sigpending",
      "munlock", "mlockall", "munlockall", "prctl", "arch_prctl", "gettid", "futex",
      "sched_setaffinity", "sched_getaffinity", "io_setup", "io_destroy", "io_getevents",
      "io_submit", "io_cancel", "set_tid_address", "restart_syscall", "semtimedop", "fadvise64",
      "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_gettime",
      "clock_nanosleep", "exit_group", "epoll_wait", "epoll_ctl", "mq_timedsend", "mq_timedreceive",
      "mq_notify", "mq_getsetattr", "inotify_rm_watch", "pselect6", "ppoll", "set_robust_list",
      "splice", "tee", "sync_file_range", "epoll_pwait", "timerfd_create", "fallocate",
      "timerfd_settime", "timerfd_gettime", "accept4", "signalfd4", "eventfd2", "epoll_create1",
      "dup3", "pipe2", "inotify_init1", "preadv", "pwritev", "recvmmsg", "prlimit64", "syncfs",
      "sendmmsg", "getrandom", "memfd_create", "membarrier", "mlock2", "copy_file_range",
      "uretprobe", "uprobe", "close_range",
      // LiteBox change: signals to oneself (PIDFD_SELF only).
      "pidfd_send_signal"};
  ASSERT_EQ(doc.size(), 116u);
  const PolicyStats s = ComputePolicyStats();
  const std::set<std::string> table(s.pass_names.begin(), s.pass_names.end());
  for (const auto& n : doc) EXPECT_TRUE(table.count(n)) << n << " should be PASS";
  for (const auto& n : table) EXPECT_TRUE(doc.count(n)) << n << " is PASS but not in the partition";
}

TEST(SyscallTable, GateSetIsTheDraftsPlusRtSigprocmask) {
  const std::set<std::string> expected = {
      "rt_sigaction", "rt_sigprocmask",  "getsockname", "getpeername",  "clone",  "setpgid",
      "setsid",       "rt_sigtimedwait", "sigaltstack", "timer_create", "waitid", "seccomp",
      "rseq"};
  const PolicyStats s = ComputePolicyStats();
  EXPECT_EQ(std::set<std::string>(s.gate_names.begin(), s.gate_names.end()), expected);
}

TEST(SyscallTable, ChecksAndGatesSitOnlyWhereTheVocabularyAllows) {
  for (const SyscallRow& row : SyscallTable()) {
    if (row.cls != SysClass::PASS) {
      EXPECT_EQ(row.check, ArgCheck::NONE) << row.name;
    }
    if (row.cls != SysClass::PASS && row.cls != SysClass::EMULATE) {
      EXPECT_EQ(row.gate, GateForm::NOGATE) << row.name << ": a denied number is never gated";
    }
    // A gate test reads instruction_pointer: on an unchecked pass row it
    // would cost the row the kernel's action cache.
    if (row.cls == SysClass::PASS && row.check == ArgCheck::NONE) {
      EXPECT_EQ(row.gate, GateForm::NOGATE) << row.name;
    }
    if (row.cls == SysClass::EMULATE) {
      EXPECT_TRUE(row.gate == GateForm::NOGATE || row.gate == GateForm::GATE_ANY ||
                  row.gate == GateForm::GATE_CLONE || row.gate == GateForm::GATE_SECCOMP ||
                  row.gate == GateForm::GATE_CLOCK)
          << row.name << " uses a pass-row gate form";
    }
  }
}

TEST(SyscallTable, StatsReportNamesEveryCount) {
  const PolicyStats s = ComputePolicyStats();
  const std::string text = FormatPolicyStats(s);
  for (const char* line :
       {R"(\n\s*pass\s+116\n)", R"(\n\s*emulate\s+163\n)", R"(\n\s*via gate\s+13\n)",
        R"(\n\s*deny ENOSYS\s+68\n)", R"(\n\s*deny EPERM\s+36\n)", R"(\n\s*deny EACCES\s+1\n)",
        R"(\n\s*total\s+384\n)"})
    EXPECT_TRUE(std::regex_search(text, std::regex(line))) << line << " missing in\n" << text;
  EXPECT_NE(text.find("host-reachable numbers (pass + gate set): 129"), std::string::npos) << text;
  EXPECT_NE(text.find("close_range"), std::string::npos) << text;
  EXPECT_NE(text.find("rt_sigprocmask"), std::string::npos) << text;
}

}  // namespace
}  // namespace litebox::runtime
