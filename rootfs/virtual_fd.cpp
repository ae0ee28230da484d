#include "rootfs/virtual_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "rootfs/unique_fd.hpp"

namespace litebox::rootfs {

int MakeSealedMemfd(const std::string& vpath, std::string_view content) {
  std::string name = "lbx:" + vpath;
  if (name.size() > 240) name.resize(240);  // memfd names are limited to 249 bytes
  UniqueFd fd(memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return -errno;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    done += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0) return -errno;
  if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
    return -errno;
  return fd.release();
}

std::string DirentRecords(const std::vector<DirEntry>& entries) {
  std::string out;
  int64_t index = 0;
  auto add = [&](const std::string& name, unsigned char type) {
    size_t reclen = (19 + name.size() + 1 + 7) & ~size_t{7};
    size_t at = out.size();
    out.resize(at + reclen, '\0');
    uint64_t ino = std::hash<std::string>{}(name) | 1;
    int64_t off = ++index;
    uint16_t len = static_cast<uint16_t>(reclen);
    memcpy(&out[at], &ino, 8);
    memcpy(&out[at + 8], &off, 8);
    memcpy(&out[at + 16], &len, 2);
    out[at + 18] = static_cast<char>(type);
    memcpy(&out[at + 19], name.data(), name.size());
  };
  add(".", DT_DIR);
  add("..", DT_DIR);
  for (const auto& e : entries) add(e.name, e.type);
  return out;
}

struct stat VirtualStat(const std::string& vpath, const VNode& node) {
  struct stat st = {};
  if (node.kind == VNode::kDevice && !node.host_path.empty() &&
      stat(node.host_path.c_str(), &st) == 0) {
    return st;
  }
  st.st_dev = 0x16;  // a fixed, fake device number for the synthesized trees
  st.st_ino = std::hash<std::string>{}(vpath) | 1;
  st.st_uid = node.uid;
  st.st_gid = node.gid;
  st.st_blksize = 4096;
  switch (node.kind) {
    case VNode::kDir:
      st.st_mode = S_IFDIR | (node.mode ? node.mode : 0555);
      st.st_nlink = 2;
      break;
    case VNode::kLink:
      st.st_mode = S_IFLNK | 0777;
      st.st_nlink = 1;
      st.st_size = static_cast<off_t>(node.content.size());
      break;
    case VNode::kDevice:  // only /dev/tty has no host node
      st.st_mode = S_IFCHR | (node.mode ? node.mode : 0666);
      st.st_nlink = 1;
      st.st_rdev = makedev(5, 0);
      break;
    case VNode::kFile:
      st.st_mode = S_IFREG | (node.mode ? node.mode : 0444);
      st.st_nlink = 1;
      break;
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  st.st_atim = st.st_mtim = st.st_ctim = now;
  return st;
}

bool IsServedDevice(std::string_view host_path) {
  for (std::string_view d : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"})
    if (host_path == d) return true;
  return false;
}

bool HostFdTargetToVirtual(const RootFs& fs, const std::string& host_target, std::string* vpath) {
  std::string_view t = host_target;
  constexpr std::string_view kDeleted = " (deleted)";
  if (t.substr(0, kMemfdPrefix.size()) == kMemfdPrefix) {
    t.remove_prefix(kMemfdPrefix.size());
    if (t.size() >= kDeleted.size() && t.substr(t.size() - kDeleted.size()) == kDeleted)
      t.remove_suffix(kDeleted.size());
    if (t.empty() || t[0] != '/') return false;
    *vpath = std::string(t);
    return true;
  }
  if (t.empty()) return false;
  if (fs.VirtualDirOfHost(std::string(t), vpath)) return true;
  if (t[0] != '/') {  // pipe:[N], socket:[N], anon_inode:[eventfd], ...
    *vpath = std::string(t);
    return true;
  }
  if (t.substr(0, 7) == "/memfd:") {  // the guest's own memfd: shown as the kernel names it
    *vpath = std::string(t);
    return true;
  }
  if (IsServedDevice(t) || t.substr(0, 9) == "/dev/pts/") {  // the terminal keeps its name
    *vpath = std::string(t);
    return true;
  }
  std::string path(t);
  bool deleted = false;
  if (path.size() > kDeleted.size() && path.ends_with(kDeleted)) {
    path.resize(path.size() - kDeleted.size());
    deleted = true;
  }
  if (!fs.HostToVirtual(path, vpath)) return false;
  if (deleted) *vpath += kDeleted;
  return true;
}

}  // namespace litebox::rootfs
