#include "libos/path.hpp"

#include "libos/abi/proto.h"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/state.hpp"

namespace lb {

void put_thread_self(Buf& b) {
  b.dec(static_cast<long>(g_proc.vpid)).put("/task/").dec(sys(__NR_gettid));
}

long set_path(Rpc& r, int slot, long dirfd_arg, const char* path, char* scratch,
              unsigned long cap) {
  // int-typed syscall argument: the kernel ignores the register's upper half.
  const long dirfd = static_cast<int>(dirfd_arg);
  if (!path) return -k::EFAULT;
  size_t n = strlen(path);
  if (n >= proto::kMaxPath) return -k::ENAMETOOLONG;
  if (n == 0) return -k::ENOENT;
  // /proc/thread-self names the calling thread, which only we know.
  static constexpr char kThreadSelf[] = "/proc/thread-self";
  constexpr size_t kThreadSelfLen = sizeof kThreadSelf - 1;
  if (starts_with(path, kThreadSelf) &&
      (path[kThreadSelfLen] == 0 || path[kThreadSelfLen] == '/')) {
    Buf b(scratch, cap);
    b.put("/proc/");
    put_thread_self(b);
    b.put(path + kThreadSelfLen);
    if (b.overflow()) return -k::ENAMETOOLONG;
    r.str[slot] = scratch;
    r.str_len[slot] = static_cast<uint32_t>(b.size());
    return 0;
  }
  if (path[0] == '/') {
    r.str[slot] = path;
    r.str_len[slot] = static_cast<uint32_t>(n);
    return 0;
  }
  if (dirfd == k::AT_FDCWD) {
    Buf b(scratch, cap);
    const char* cwd = g_proc.cwd ? g_proc.cwd : "/";
    b.put(cwd);
    if (b.size() == 0 || b.c_str()[b.size() - 1] != '/') b.putc('/');
    b.put(path, n);
    if (b.overflow()) return -k::ENAMETOOLONG;
    r.str[slot] = scratch;
    r.str_len[slot] = static_cast<uint32_t>(b.size());
    return 0;
  }
  if (dirfd < 0) return -k::EBADF;
  r.fds[r.nfds] = static_cast<int>(dirfd);
  r.dirfd_slot[slot] = r.nfds;
  r.nfds++;
  r.str[slot] = path;
  r.str_len[slot] = static_cast<uint32_t>(n);
  return 0;
}

long proxy_open(long dirfd, const char* path, long flags, long mode, long exec_check,
                int64_t* kind) {
  char scratch[proto::kMaxPath + 512];
  Rpc r;
  r.op = proto::kOpen;
  long e = set_path(r, 0, dirfd, path, scratch, sizeof scratch);
  if (e < 0) return e;
  r.arg[0] = flags;
  r.arg[1] = mode & ~static_cast<long>(g_proc.umask) & 07777;
  r.arg[2] = exec_check;
  r.cloexec = (flags & k::O_CLOEXEC) != 0;
  if (flags & k::O_PATH) g_proc.opath_seen = true;
  long res = rpc(r);
  if (kind) *kind = r.aux[0];
  if (res < 0) return res;
  if (r.fd_out < 0) return -k::EPROTO;
  return r.fd_out;
}

long proxy_open_exec(const char* path, int64_t how, char* out, size_t cap, size_t* out_len) {
  char scratch[proto::kMaxPath + 512];
  Rpc r;
  r.op = proto::kOpen;
  long e = set_path(r, 0, k::AT_FDCWD, path, scratch, sizeof scratch);
  if (e < 0) return e;
  r.arg[0] = k::O_RDONLY | k::O_CLOEXEC;
  r.arg[2] = how;
  r.cloexec = true;
  r.payload = out;
  r.payload_cap = cap;
  long res = rpc(r);
  *out_len = res < 0 ? 0 : r.payload_len;
  if (res < 0) return res;
  if (r.fd_out < 0) return -k::EPROTO;
  return r.fd_out;
}

}  // namespace lb
