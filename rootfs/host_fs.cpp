#include "rootfs/host_fs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace litebox::rootfs {

int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve, uint64_t mode) {
  struct open_how how = {};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  long r;
  do {
    r = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : static_cast<int>(r);
}

int OpenPathBeneath(int dirfd, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    return -EINVAL;
  return Openat2(dirfd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC,
                 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

std::string SelfFdPath(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

namespace {
// This process's /proc/self/fd, opened once: a reopen then looks up one
// name in it instead of walking "/proc/self/fd/N" (a third of a file
// open's cost in the supervisor). Per process: "self" was resolved when it
// was opened, so a forked child forgets it and opens its own (the parent's
// copy stays open, CLOEXEC: its number may be reused by the time the child
// closes anything). -1 if /proc is not there.
int g_self_fd_dir = -2;  // -2: not opened in this process yet
int SelfFdDir() {
  if (g_self_fd_dir == -2) {
    static bool registered = [] {
      return pthread_atfork(nullptr, nullptr, [] { g_self_fd_dir = -2; }) == 0;
    }();
    (void)registered;
    g_self_fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  return g_self_fd_dir;
}
}  // namespace

int Reopen(int path_fd, int flags) {
  // O_TMPFILE contains O_DIRECTORY: strip only its own bit.
  flags &= ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_PATH | (O_TMPFILE & ~O_DIRECTORY));
  int dir = SelfFdDir();
  char name[16];
  snprintf(name, sizeof name, "%d", path_fd);
  int fd;
  do {
    fd = dir >= 0 ? openat(dir, name, flags | O_CLOEXEC | O_NOCTTY)
                  : open(SelfFdPath(path_fd).c_str(), flags | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  return fd < 0 ? -errno : fd;
}

std::string ReadLink(int dirfd, const std::string& path) {
  char buf[4097];
  ssize_t n = readlinkat(dirfd, path.c_str(), buf, sizeof(buf) - 1);
  if (n < 0) return {};
  return std::string(buf, static_cast<size_t>(n));
}

bool ReadHostFile(const std::string& path, std::string* out) {
  out->clear();
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return false;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > (1u << 20)) return true;  // enough for any /proc file we copy
  }
}

}  // namespace litebox::rootfs
