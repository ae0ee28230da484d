// linux.seccomp as runc applies it: the container's profile binds its init
// and every exec'd process, on calls the library OS emulates (mkdir goes
// through the file proxy) and on calls it passes to the host (pipe2);
// a profile that cannot be compiled fails `create` naming the field, and
// leaves nothing behind.
#include <unistd.h>

#include "harness.hpp"

namespace litebox::test {
namespace {

// The bundle's root is read-only and shared: a private tmpfs at /scratch
// is where the tests write.
std::string WithScratch(const std::string& bundle) {
  auto cfg = nlohmann::json::parse(ReadFile(bundle + "/config.json"));
  cfg["mounts"].push_back({{"destination", "/scratch"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
  WriteFile(bundle + "/config.json", cfg.dump());
  return bundle;
}

std::string WithSeccomp(const std::string& bundle, const nlohmann::json& seccomp) {
  auto cfg = nlohmann::json::parse(ReadFile(WithScratch(bundle) + "/config.json"));
  cfg["linux"]["seccomp"] = seccomp;
  WriteFile(bundle + "/config.json", cfg.dump());
  return bundle;
}

nlohmann::json DenyMkdir() {
  return {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
          {"syscalls",
           {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}},
            {{"names", {"pipe", "pipe2"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 24}}}}};
}

TEST_F(CliTest, SeccompProfileBindsInitAndExec) {
  std::string script =
      "mkdir /scratch/denied 2>/dev/null && echo mkdir-ok || echo mkdir-denied; "
      "sh -c 'echo a | cat' >/dev/null 2>&1 && echo pipe-ok || echo pipe-denied; "
      "touch /scratch/file && echo touch-ok; echo ready; while :; do sleep 0.1; done";
  std::string b = WithSeccomp(Bundle("b", {"sh", "-c", script}), DenyMkdir());
  Create("s1", b);
  ASSERT_EQ(Litebox({"start", "s1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/s1.out", "ready")) << ReadFile(dir_ + "/s1.out");
  std::string out = ReadFile(dir_ + "/s1.out");
  EXPECT_NE(out.find("mkdir-denied"), std::string::npos) << out;
  EXPECT_NE(out.find("pipe-denied"), std::string::npos) << out;  // a passed call
  EXPECT_NE(out.find("touch-ok"), std::string::npos) << out;
  // An exec'd process gets the container's filter too.
  CmdResult x = Litebox({"exec", "s1", "sh", "-c", "mkdir /scratch/x; echo rc=$?"});
  EXPECT_NE(x.out.find("rc=1"), std::string::npos) << x.out << x.err;
  EXPECT_NE(x.err.find("Operation not permitted"), std::string::npos) << x.err;
  EXPECT_EQ(Litebox({"kill", "s1", "9"}).status, 0);
  Litebox({"delete", "--force", "s1"});
}

TEST_F(CliTest, WithoutAProfileTheSameCallsSucceed) {
  std::string b = WithScratch(Bundle(
      "b", {"sh", "-c",
            "mkdir /scratch/made && echo mkdir-ok; echo a | cat >/dev/null && echo pipe-ok"}));
  CmdResult r = Litebox({"run", "--bundle", b, "n1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("mkdir-ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pipe-ok"), std::string::npos) << r.out;
}

TEST_F(CliTest, DefaultErrnoProfileWithAnAllowList) {
  // The shape Docker's and containerd's default profiles have: ERRNO by
  // default, an allow list. Anything outside it fails with EPERM.
  nlohmann::json allow = nlohmann::json::array();
  for (const char* n : {"read",
                        "write",
                        "openat",
                        "open",
                        "close",
                        "fstat",
                        "newfstatat",
                        "stat",
                        "lstat",
                        "mmap",
                        "munmap",
                        "mprotect",
                        "brk",
                        "rt_sigaction",
                        "rt_sigprocmask",
                        "rt_sigreturn",
                        "ioctl",
                        "execve",
                        "exit",
                        "exit_group",
                        "getpid",
                        "getppid",
                        "getuid",
                        "geteuid",
                        "getgid",
                        "getegid",
                        "arch_prctl",
                        "set_tid_address",
                        "uname",
                        "fcntl",
                        "getcwd",
                        "wait4",
                        "clone",
                        "fork",
                        "vfork",
                        "dup2",
                        "dup3",
                        "access",
                        "faccessat",
                        "faccessat2",
                        "prlimit64",
                        "getdents64",
                        "lseek",
                        "pipe",
                        "pipe2",
                        "statx",
                        "readlink",
                        "sysinfo",
                        "getpgrp",
                        "setpgid",
                        "getpgid",
                        "gettid",
                        "futex",
                        "set_robust_list",
                        "rseq",
                        "sigaltstack",
                        "writev",
                        "readv",
                        "pread64",
                        "poll",
                        "ppoll",
                        "select",
                        "pselect6",
                        "madvise",
                        "getrandom",
                        "clock_gettime",
                        "clock_nanosleep",
                        "nanosleep",
                        "kill",
                        "tgkill"})
    allow.push_back(n);
  nlohmann::json profile = {{"defaultAction", "SCMP_ACT_ERRNO"},
                            {"syscalls", {{{"names", allow}, {"action", "SCMP_ACT_ALLOW"}}}}};
  std::string b = WithSeccomp(
      Bundle("b", {"sh", "-c", "echo hi; mkdir /scratch/d 2>&1; ls / >/dev/null && echo ls-ok"}),
      profile);
  CmdResult r = Litebox({"run", "--bundle", b, "d1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("hi\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Operation not permitted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ls-ok"), std::string::npos) << r.out;
}

TEST_F(CliTest, UncompilableProfileFailsCreateAndLeavesNothing) {
  nlohmann::json profile = {{"defaultAction", "SCMP_ACT_ALLOW"},
                            {"syscalls", {{{"names", {"read"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  std::string b = WithSeccomp(Bundle("b", {"true"}), profile);
  CmdResult r = Litebox({"create", "--bundle", b, "bad1"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("linux.seccomp.syscalls[0].action"), std::string::npos) << r.err;
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test
