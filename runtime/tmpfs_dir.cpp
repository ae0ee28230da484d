#include "runtime/tmpfs_dir.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace litebox::runtime {

bool OnTmpfs(const std::string& path) {
  struct statfs fs {};
  return statfs(path.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

std::string PrivateShmDir(const std::string& name) {
  if (!OnTmpfs("/dev/shm")) return "";
  const std::string dir = "/dev/shm/" + name;
  mkdir(dir.c_str(), 0700);
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 077) != 0)
    return "";
  return dir;
}

}  // namespace litebox::runtime
