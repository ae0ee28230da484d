// /dev: the host's harmless character devices, links into /proc/self/fd,
// and whatever is mounted below /dev (the private /dev/shm at least).
#include <dirent.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>

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

}  // namespace

int VirtualTree::LookupDev(const std::vector<std::string>& parts, VNode* node) {
  if (parts.size() > 2) return 0;  // reached only through a mount below /dev
  if (parts.size() == 1) {
    node->kind = VNode::kDir;
    node->mode = 0755;
    for (const char* d : kHostDevices) node->entries.push_back({d, DT_CHR});
    node->entries.push_back({"tty", DT_CHR});
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
    // The guest's controlling terminal is not known to the proxy.
    node->kind = VNode::kDevice;
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
