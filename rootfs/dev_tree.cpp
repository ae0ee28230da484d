// /dev: the host's harmless character devices, links into /proc/self/fd,
// the process's own ptys under /dev/pts (and /dev/tty for its controlling
// one), and whatever is mounted below /dev (the private /dev/shm at least).
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "libos/abi/constants.h"
#include "rootfs/host_fs.hpp"
#include "rootfs/virtual_tree.hpp"

namespace litebox::rootfs {
namespace {

constexpr const char* kHostDevices[] = {"null", "zero", "full", "random", "urandom"};
struct DevLink {
  const char* name;
  const char* target;
};
constexpr DevLink kDevLinks[] = {{"fd", "/proc/self/fd"},
                                 {"stdin", "/proc/self/fd/0"},
                                 {"stdout", "/proc/self/fd/1"},
                                 {"stderr", "/proc/self/fd/2"}};

// Host pty slaves the process may name: the ones its fds refer to and its
// controlling terminal. Never any other host terminal.
std::set<std::string> OwnPtys(pid_t host_pid, std::string* controlling) {
  std::set<std::string> out;
  std::string dir = "/proc/" + std::to_string(host_pid);
  if (DIR* d = opendir((dir + "/fd").c_str())) {
    while (struct dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      if (!abi::IsAppFd(atoi(e->d_name))) continue;
      std::string t = ReadLink(AT_FDCWD, dir + "/fd/" + e->d_name);
      if (t.rfind("/dev/pts/", 0) == 0) out.insert(t.substr(9));
    }
    closedir(d);
  }
  // Field 7 of stat is tty_nr; Unix98 ptys have majors 136..143.
  std::string stat;
  controlling->clear();
  if (ReadHostFile(dir + "/stat", &stat)) {
    size_t close = stat.rfind(')');
    unsigned long tty = 0;
    if (close != std::string::npos &&
        sscanf(stat.c_str() + close + 1, " %*c %*d %*d %*d %lu", &tty) == 1 && tty != 0) {
      unsigned maj = major(tty), min = minor(tty);
      if (maj >= 136 && maj <= 143) {
        *controlling = std::to_string((maj - 136) * 256 + min);
        out.insert(*controlling);
      }
    }
  }
  return out;
}

}  // namespace

int VirtualTree::LookupDev(const std::vector<std::string>& parts, const ProcessContext& ctx,
                           VNode* node) {
  std::string controlling;
  if (parts.size() >= 2 && parts[1] == "pts") {
    if (parts.size() > 3) return -ENOTDIR;
    auto ptys = OwnPtys(ctx.host_pid, &controlling);
    if (parts.size() == 2) {
      node->kind = VNode::kDir;
      node->mode = 0755;
      for (const auto& n : ptys) node->entries.push_back({n, DT_CHR});
      return 1;
    }
    if (!ptys.count(parts[2])) return -ENOENT;
    node->kind = VNode::kDevice;
    node->host_path = "/dev/pts/" + parts[2];
    return 1;
  }
  if (parts.size() > 2) return 0;  // reached only through a mount below /dev
  if (parts.size() == 1) {
    node->kind = VNode::kDir;
    node->mode = 0755;
    for (const char* d : kHostDevices) node->entries.push_back({d, DT_CHR});
    node->entries.push_back({"tty", DT_CHR});
    node->entries.push_back({"pts", DT_DIR});
    for (const auto& l : kDevLinks) node->entries.push_back({l.name, DT_LNK});
    for (auto& m : fs_.MountNamesUnder("/dev")) {
      bool dup = std::any_of(node->entries.begin(), node->entries.end(),
                             [&](const DirEntry& e) { return e.name == m; });
      if (!dup) node->entries.push_back({m, DT_DIR});
    }
    return 1;
  }
  const std::string& name = parts[1];
  for (const char* d : kHostDevices) {
    if (name == d) {
      node->kind = VNode::kDevice;
      node->host_path = std::string("/dev/") + d;
      return 1;
    }
  }
  if (name == "tty") {
    // The process's controlling terminal if it is a pty; else -ENXIO on open.
    node->kind = VNode::kDevice;
    OwnPtys(ctx.host_pid, &controlling);
    if (!controlling.empty()) node->host_path = "/dev/pts/" + controlling;
    return 1;
  }
  for (const auto& l : kDevLinks) {
    if (name == l.name) {
      node->kind = VNode::kLink;
      node->content = l.target;
      return 1;
    }
  }
  return -ENOENT;
}

}  // namespace litebox::rootfs
