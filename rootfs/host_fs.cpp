#include "rootfs/host_fs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

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

int Reopen(int path_fd, int flags) {
  // O_TMPFILE contains O_DIRECTORY: strip only its own bit.
  flags &= ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_PATH | (O_TMPFILE & ~O_DIRECTORY));
  int fd;
  do {
    fd = open(SelfFdPath(path_fd).c_str(), flags | O_CLOEXEC | O_NOCTTY);
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
