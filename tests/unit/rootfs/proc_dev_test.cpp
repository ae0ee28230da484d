// Synthesized /proc and /dev.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "harness.hpp"
#include "libos/abi/constants.h"

namespace litebox::rootfs::test {
namespace {

// Process names are the host tasks' (the libOS names its task at every
// execve): vpid 1 is this test process, renamed "sh" for the case; vpid 7 a
// child that names itself with a name longer than the kernel keeps.
class ProcDevTest : public RootfsTest {
 protected:
  void SetUp() override {
    RootfsTest::SetUp();
    prctl(PR_GET_NAME, saved_name_);
    prctl(PR_SET_NAME, "sh");
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    named_child_ = fork();
    if (named_child_ == 0) {
      prctl(PR_SET_NAME, "a-very-long-program-name");
      if (write(ready[1], "r", 1) != 1) _exit(1);
      for (;;) pause();
    }
    ASSERT_GT(named_child_, 0);
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    close(ready[0]);
    close(ready[1]);
    procs_.procs[7] = {named_child_, 1, "/usr/bin/a-very-long-program-name", "/dir", ""};
  }
  void TearDown() override {
    if (named_child_ > 0) {
      kill(named_child_, SIGKILL);
      waitpid(named_child_, nullptr, 0);
    }
    prctl(PR_SET_NAME, saved_name_);
    RootfsTest::TearDown();
  }
  pid_t named_child_ = -1;
  char saved_name_[32] = {};

  std::string Content(const std::string& path) {
    Reply r = Open(path, O_RDONLY);
    EXPECT_EQ(r.result(), 0) << path;
    EXPECT_EQ(r.hdr.aux[0], proto::kFdVirtualFile) << path;
    return r.fd ? ReadFd(r.fd.get()) : "";
  }
  // Opens a virtual directory and lists it through kGetdents, as the libOS
  // does for getdents64.
  std::set<std::string> Listing(const std::string& path) {
    Reply r = Open(path, O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(r.result(), 0) << path;
    EXPECT_EQ(r.hdr.aux[0], proto::kFdVirtualDir) << path;
    std::set<std::string> names;
    if (!r.fd) return names;
    for (;;) {
      Reply d = Call(proto::kGetdents, {4096}, "", "", {r.fd.get()});
      EXPECT_GE(d.result(), 0) << path;
      if (d.result() <= 0) break;
      size_t at = 0;
      while (at + 19 < d.payload.size()) {
        uint16_t reclen;
        memcpy(&reclen, d.payload.data() + at + 16, 2);
        names.insert(std::string(d.payload.c_str() + at + 19));
        at += reclen;
      }
    }
    return names;
  }
  std::string StatusField(const std::string& status, const std::string& key) {
    size_t at = status.find("\n" + key + ":");
    if (at == std::string::npos) return "<none>";
    at += key.size() + 2;
    size_t end = status.find('\n', at);
    std::string v = status.substr(at, end - at);
    return v.substr(v.find_first_not_of(" \t"));
  }
};

TEST_F(ProcDevTest, ProcListsOnlyTheSandboxesPids) {
  auto names = Listing("/proc");
  EXPECT_TRUE(names.count("1"));
  EXPECT_TRUE(names.count("7"));
  EXPECT_TRUE(names.count("self"));
  EXPECT_TRUE(names.count("cpuinfo"));
  EXPECT_FALSE(names.count(std::to_string(getppid())));
  EXPECT_EQ(Open("/proc/2", O_RDONLY).result(), -ENOENT);
  EXPECT_EQ(Open("/proc/" + std::to_string(getpid()), O_RDONLY).result(), -ENOENT);
}

TEST_F(ProcDevTest, VirtualFilesAreSealedMemfds) {
  Reply r = Open("/proc/self/status", O_RDONLY);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/proc/1/status");
  EXPECT_LT(write(r.fd.get(), "x", 1), 0);
  EXPECT_LT(ftruncate(r.fd.get(), 0), 0);
  int seals = fcntl(r.fd.get(), F_GET_SEALS);
  EXPECT_EQ(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
            F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  EXPECT_EQ(Open("/proc/self/status", O_WRONLY).result(), -EACCES);
}

TEST_F(ProcDevTest, SelfIsALinkToTheCallersVpid) {
  Reply l = Call(proto::kReadlink, {}, "/proc/self");
  EXPECT_EQ(l.payload, "1");
  struct stat st = StatOf("/proc/self", true);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  st = StatOf("/proc/self");
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0555u);
}

TEST_F(ProcDevTest, StatusShowsVirtualIdsAndPids) {
  ctx_.creds.ruid = 1000;
  ctx_.creds.euid = 1001;
  ctx_.creds.suid = 1002;
  ctx_.creds.fsuid = 1003;
  ctx_.creds.rgid = 50;
  ctx_.creds.egid = ctx_.creds.sgid = ctx_.creds.fsgid = 51;
  std::string s = "\n" + Content("/proc/self/status");
  EXPECT_EQ(StatusField(s, "Name"), "sh");
  EXPECT_EQ(StatusField(s, "Pid"), "1");
  EXPECT_EQ(StatusField(s, "PPid"), "0");
  EXPECT_EQ(StatusField(s, "Tgid"), "1");
  EXPECT_EQ(StatusField(s, "Uid"), "1000\t1001\t1002\t1003");
  EXPECT_EQ(StatusField(s, "Gid"), "50\t51\t51\t51");
  EXPECT_NE(StatusField(s, "VmRSS"), "<none>");  // from the host process
  EXPECT_EQ(s.find("\nPid:\t" + std::to_string(getpid())), std::string::npos);
  std::string other = "\n" + Content("/proc/7/status");
  EXPECT_EQ(StatusField(other, "Name"), "a-very-long-pro");
  EXPECT_EQ(StatusField(other, "PPid"), "1");
}

TEST_F(ProcDevTest, NameOfAProcessWithoutHostTaskIsItsExecutable) {
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  ASSERT_GT(gone, 0);
  waitpid(gone, nullptr, 0);
  procs_.procs[9] = {gone, 1, "/usr/bin/gone-program", "/", ""};
  EXPECT_EQ(Content("/proc/9/comm"), "gone-program\n");
}

TEST_F(ProcDevTest, StatUsesVpids) {
  std::string s = Content("/proc/7/stat");
  EXPECT_EQ(s.rfind("7 (a-very-long-pro) ", 0), 0u) << s;
  std::string after = s.substr(s.find(") ") + 2);
  char state;
  int ppid;
  ASSERT_EQ(sscanf(after.c_str(), "%c %d", &state, &ppid), 2);
  EXPECT_EQ(ppid, 1);
}

TEST_F(ProcDevTest, CmdlineCommExeCwdRoot) {
  EXPECT_EQ(Content("/proc/1/cmdline"), std::string("sh\0-c\0true\0", 11));
  EXPECT_EQ(Content("/proc/1/comm"), "sh\n");
  EXPECT_EQ(Call(proto::kReadlink, {}, "/proc/1/exe").payload, "/bin/sh");
  EXPECT_EQ(Call(proto::kReadlink, {}, "/proc/7/cwd").payload, "/dir");
  EXPECT_EQ(Call(proto::kReadlink, {}, "/proc/self/root").payload, "/");
  // Following exe opens the real binary inside the root.
  Reply e = Call(proto::kOpen, {O_RDONLY, 0, proto::kOpenForExec}, "/proc/self/exe");
  ASSERT_EQ(e.result(), 0);
  EXPECT_EQ(e.payload, "/bin/sh");
  EXPECT_EQ(Call(proto::kChdir, {}, "/etc").result(), 0);
  EXPECT_EQ(Call(proto::kReadlink, {}, "/proc/self/cwd").payload, "/etc");
}

// The environment the supervisor was told of (kExecDone), readable by the
// process's own user only, as with Linux's mode 0400 and ptrace check.
TEST_F(ProcDevTest, EnvironIsTheProcessesOwnAndOnlyItsUsersToRead) {
  procs_.procs[7].environ = std::string("A=1\0PATH=/bin\0", 15);
  EXPECT_EQ(Content("/proc/7/environ"), std::string("A=1\0PATH=/bin\0", 15));
  BecomeUser(1000, 1000);  // process 7 runs as root (the fake's credentials)
  EXPECT_EQ(Open("/proc/7/environ", O_RDONLY).result(), -EACCES);
  ctx_.creds.cap_effective = 1ull << 19;  // CAP_SYS_PTRACE
  EXPECT_EQ(Open("/proc/7/environ", O_RDONLY).result(), 0);
}

TEST_F(ProcDevTest, CanonicalPathForExecDoneResolvesSelfExeAndRelativeNames) {
  // busybox re-execs itself through /proc/self/exe: the exe link must then
  // name the binary, not itself (which would loop).
  EXPECT_EQ(server_->CanonicalPath("/proc/self/exe", ctx_), "/bin/sh");
  ASSERT_EQ(symlink("sh", (root_ + "/bin/ash").c_str()), 0);
  EXPECT_EQ(server_->CanonicalPath("/bin/ash", ctx_), "/bin/sh");
  ctx_.cwd = "/bin";
  EXPECT_EQ(server_->CanonicalPath("./sh", ctx_), "/bin/sh");
  EXPECT_EQ(server_->CanonicalPath("/nope", ctx_), "/nope");
}

TEST_F(ProcDevTest, FdDirListsGuestFdsWithVirtualTargets) {
  Reply f = Open("/dir/file", O_RDONLY);  // the test process is the "guest"
  ASSERT_TRUE(f.fd);
  std::string n = std::to_string(f.fd.get());
  auto names = Listing("/proc/self/fd");
  EXPECT_TRUE(names.count(n));
  EXPECT_TRUE(names.count("0"));
  EXPECT_EQ(Call(proto::kReadlink, {}, "/proc/self/fd/" + n).payload, "/dir/file");
  Reply again = Open("/proc/self/fd/" + n, O_RDONLY);
  ASSERT_EQ(again.result(), 0);
  EXPECT_EQ(ReadFd(again.fd.get()), "hello");
  EXPECT_EQ(Open("/proc/self/fd/" + std::to_string(abi::kChannelFd), O_RDONLY).result(), -ENOENT);
  std::string info = Content("/proc/self/fdinfo/" + n);
  EXPECT_NE(info.find("flags:"), std::string::npos);
}

TEST_F(ProcDevTest, FdOfAPipeReopensThePipe) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  UniqueFd rd(p[0]), wr(p[1]);
  std::string link = Call(proto::kReadlink, {}, "/proc/self/fd/" + std::to_string(p[1])).payload;
  EXPECT_EQ(link.rfind("pipe:[", 0), 0u) << link;
  Reply w = Open("/dev/fd/" + std::to_string(p[1]), O_WRONLY);  // via /dev/fd -> /proc/self/fd
  ASSERT_EQ(w.result(), 0);
  ASSERT_EQ(write(w.fd.get(), "z", 1), 1);
  char c = 0;
  ASSERT_EQ(read(rd.get(), &c, 1), 1);
  EXPECT_EQ(c, 'z');
}

TEST_F(ProcDevTest, MapsShowVirtualPathsForSandboxFiles) {
  Reply f = Open("/dir/file", O_RDONLY);
  void* m = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, f.fd.get(), 0);
  ASSERT_NE(m, MAP_FAILED);
  std::string maps = Content("/proc/self/maps");
  munmap(m, 4096);
  EXPECT_NE(maps.find(" /dir/file\n"), std::string::npos);
  EXPECT_EQ(maps.find(root_), std::string::npos);
}

TEST_F(ProcDevTest, SystemFilesAndHostname) {
  EXPECT_NE(Content("/proc/cpuinfo").find("processor"), std::string::npos);
  EXPECT_NE(Content("/proc/meminfo").find("MemTotal:"), std::string::npos);
  EXPECT_NE(Content("/proc/uptime").find('.'), std::string::npos);
  EXPECT_NE(Content("/proc/loadavg").find('/'), std::string::npos);
  EXPECT_NE(Content("/proc/version").find("Linux"), std::string::npos);
  EXPECT_EQ(Content("/proc/sys/kernel/hostname"), "sandbox-host\n");
  EXPECT_FALSE(Content("/proc/sys/kernel/osrelease").empty());
  EXPECT_NE(Content("/proc/self/mountinfo").find(" / / "), std::string::npos);
  EXPECT_NE(Content("/proc/mounts").find(" /proc proc "), std::string::npos);
}

TEST_F(ProcDevTest, VirtualStatModes) {
  struct stat st = StatOf("/proc/cpuinfo");
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  st = StatOf("/proc/1/exe", true);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0777u);
  st = StatOf("/proc/sys/kernel");
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(Call(proto::kAccess, {R_OK, 0}, "/proc/cpuinfo").result(), 0);
  EXPECT_EQ(Call(proto::kStat, {0}, "/proc/nope").result(), -ENOENT);
  EXPECT_EQ(Call(proto::kStat, {0}, "/proc/cpuinfo/x").result(), -ENOTDIR);
}

TEST_F(ProcDevTest, DevNodesAreRealDevices) {
  Reply z = Open("/dev/zero", O_RDONLY);
  ASSERT_EQ(z.result(), 0);
  EXPECT_EQ(z.hdr.aux[0], proto::kFdHost);
  char buf[4] = {1, 1, 1, 1};
  ASSERT_EQ(read(z.fd.get(), buf, 4), 4);
  EXPECT_EQ(std::string(buf, 4), std::string(4, '\0'));
  Reply n = Open("/dev/null", O_WRONLY);
  ASSERT_EQ(n.result(), 0);
  EXPECT_EQ(write(n.fd.get(), "abc", 3), 3);
  Reply f = Open("/dev/full", O_WRONLY);
  ASSERT_EQ(f.result(), 0);
  EXPECT_LT(write(f.fd.get(), "a", 1), 0);
  EXPECT_EQ(errno, ENOSPC);
  Reply u = Open("/dev/urandom", O_RDONLY);
  ASSERT_EQ(u.result(), 0);
  EXPECT_EQ(read(u.fd.get(), buf, 4), 4);
  struct stat st = StatOf("/dev/null");
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  // /dev/tty is the caller's controlling pty; under CTest there is none.
  std::string self_stat = ReadHost("/proc/self/stat");
  unsigned long tty_nr = 0;
  sscanf(self_stat.c_str() + self_stat.rfind(')') + 1, " %*c %*d %*d %*d %lu", &tty_nr);
  bool pty_ctty = major(tty_nr) >= 136 && major(tty_nr) <= 143;
  EXPECT_EQ(Open("/dev/tty", O_RDWR | O_NOCTTY).result(), pty_ctty ? 0 : -ENXIO);
  // The shell's "> /dev/null": O_CREAT|O_TRUNC on an existing device.
  Reply sh = Open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0666);
  ASSERT_EQ(sh.result(), 0);
  EXPECT_EQ(write(sh.fd.get(), "x", 1), 1);
  EXPECT_EQ(Open("/dev/sda", O_RDONLY).result(), -ENOENT);
}

TEST_F(ProcDevTest, DevLinksAndListing) {
  EXPECT_EQ(Call(proto::kReadlink, {}, "/dev/fd").payload, "/proc/self/fd");
  EXPECT_EQ(Call(proto::kReadlink, {}, "/dev/stdin").payload, "/proc/self/fd/0");
  EXPECT_EQ(Call(proto::kReadlink, {}, "/dev/stderr").payload, "/proc/self/fd/2");
  auto names = Listing("/dev");
  for (const char* n : {"null", "zero", "full", "random", "urandom", "tty", "fd", "stdin", "stdout",
                        "stderr", "shm"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST_F(ProcDevTest, DevShmIsAPrivateWritableDir) {
  struct stat st = StatOf("/dev/shm");
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 01777, 01777u);
  Reply r = Open("/dev/shm/seg", O_RDWR | O_CREAT, 0600);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(r.payload, "/dev/shm/seg");
  Reply d = Open("/dev/shm", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  EXPECT_EQ(d.hdr.aux[0], proto::kFdHost);
  EXPECT_NE(stat((root_ + "/dev/shm/seg").c_str(), &st), 0);  // not inside the image
  EXPECT_EQ(Call(proto::kUnlink, {0}, "/dev/shm/seg").result(), 0);
}

TEST_F(ProcDevTest, VirtualDirFdWorksAsDirFd) {
  Reply d = Open("/proc/self", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  Reply r = Call(proto::kOpen, {O_RDONLY, 0, 0}, "comm", "", {d.fd.get()}, 0);
  ASSERT_EQ(r.result(), 0);
  EXPECT_EQ(ReadFd(r.fd.get()), "sh\n");
  Reply fdpath = Call(proto::kFdPath, {}, "", "", {d.fd.get()});
  EXPECT_EQ(fdpath.payload, "/proc/1");
}

}  // namespace
}  // namespace litebox::rootfs::test

namespace litebox::rootfs::test {
namespace {

using VirtualGetdentsTest = RootfsTest;

std::vector<std::string> Names(const std::string& recs) {
  std::vector<std::string> names;
  size_t at = 0;
  while (at + 19 < recs.size()) {
    uint16_t reclen;
    memcpy(&reclen, recs.data() + at + 16, 2);
    names.push_back(std::string(recs.c_str() + at + 19));
    at += reclen;
  }
  return names;
}

TEST_F(VirtualGetdentsTest, VirtualDirIsARealDirectoryFdListedInPieces) {
  Reply d = Open("/dev", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(d.result(), 0);
  ASSERT_EQ(d.hdr.aux[0], proto::kFdVirtualDir);
  struct stat st;
  ASSERT_EQ(fstat(d.fd.get(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));  // glibc's opendir checks this
  Reply whole = Call(proto::kGetdents, {65536}, "", "", {d.fd.get()});
  ASSERT_GT(whole.result(), 0);
  std::vector<std::string> all = Names(whole.payload);
  EXPECT_GE(all.size(), 12u);
  EXPECT_EQ(Call(proto::kGetdents, {65536}, "", "", {d.fd.get()}).result(), 0);  // at the end
  // Rewound, small buffers: whole records only, adding up to the listing.
  ASSERT_EQ(lseek(d.fd.get(), 0, SEEK_SET), 0);
  std::vector<std::string> got;
  for (int i = 0; i < 100; ++i) {
    Reply r = Call(proto::kGetdents, {64}, "", "", {d.fd.get()});
    ASSERT_GE(r.result(), 0);
    if (r.result() == 0) break;
    ASSERT_LE(r.result(), 64);
    for (auto& n : Names(r.payload)) got.push_back(n);
  }
  EXPECT_EQ(got, all);
  ASSERT_EQ(lseek(d.fd.get(), 0, SEEK_SET), 0);
  EXPECT_EQ(Call(proto::kGetdents, {8}, "", "", {d.fd.get()}).result(), -EINVAL);
}

TEST_F(VirtualGetdentsTest, SeekingToADoffResumesAfterThatRecord) {
  Reply d = Open("/dev", O_RDONLY | O_DIRECTORY);
  Reply whole = Call(proto::kGetdents, {65536}, "", "", {d.fd.get()});
  std::vector<std::string> all = Names(whole.payload);
  int64_t third_off;
  size_t at = 0;
  for (int i = 0; i < 2; ++i) {
    uint16_t reclen;
    memcpy(&reclen, whole.payload.data() + at + 16, 2);
    at += reclen;
  }
  memcpy(&third_off, whole.payload.data() + at + 8, 8);  // d_off of the 3rd record
  ASSERT_EQ(lseek(d.fd.get(), third_off, SEEK_SET), third_off);
  Reply rest = Call(proto::kGetdents, {65536}, "", "", {d.fd.get()});
  std::vector<std::string> tail = Names(rest.payload);
  ASSERT_EQ(tail.size(), all.size() - 3);
  EXPECT_EQ(tail.front(), all[3]);
}

TEST_F(VirtualGetdentsTest, MemfdIsNotADirectory) {
  int fd = memfd_create("lbx:/proc", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  UniqueFd owned(fd);
  EXPECT_EQ(Call(proto::kGetdents, {4096}, "", "", {fd}).result(), -ENOTDIR);
  EXPECT_EQ(Call(proto::kOpen, {O_RDONLY, 0, 0}, "self", "", {fd}, 0).result(), -EBADF);
}

}  // namespace
}  // namespace litebox::rootfs::test

namespace litebox::rootfs::test {
namespace {

using PtyTest = RootfsTest;

TEST_F(PtyTest, DevPtsShowsOnlyTheGuestsOwnPtys) {
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(master);
  ASSERT_EQ(grantpt(master.get()), 0);
  ASSERT_EQ(unlockpt(master.get()), 0);
  std::string slave_path = ptsname(master.get());
  std::string n = slave_path.substr(slave_path.rfind('/') + 1);
  // A second pty the guest does not hold: it must stay invisible.
  UniqueFd other(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_EQ(unlockpt(other.get()), 0);
  std::string other_n = ptsname(other.get());
  other_n = other_n.substr(other_n.rfind('/') + 1);

  EXPECT_EQ(Open("/dev/pts/" + n, O_RDWR).result(), -ENOENT);  // not held yet
  UniqueFd slave(open(slave_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(slave);
  // ttyname(): readlink of the fd, then stat of that name.
  std::string link =
      Call(proto::kReadlink, {}, "/proc/self/fd/" + std::to_string(slave.get())).payload;
  EXPECT_EQ(link, "/dev/pts/" + n);
  struct stat st = StatOf(link);
  struct stat host;
  ASSERT_EQ(fstat(slave.get(), &host), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, host.st_rdev);
  Reply r = Open(link, O_RDWR | O_NOCTTY);
  ASSERT_EQ(r.result(), 0);
  ASSERT_EQ(write(r.fd.get(), "hi\n", 3), 3);  // reaches the master side
  char buf[16];
  EXPECT_GT(read(master.get(), buf, sizeof buf), 0);
  EXPECT_EQ(Open("/dev/pts/" + other_n, O_RDWR).result(), -ENOENT);
  EXPECT_EQ(Open("/dev/pts/../pts/" + other_n, O_RDWR).result(), -ENOENT);
}

}  // namespace
}  // namespace litebox::rootfs::test
