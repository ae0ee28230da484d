#include "shim-v2/rootfs/mounts.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace litebox::shim::rootfs {

namespace {

struct FlagWord {
  bool clear;
  unsigned long flag;
};

const std::map<std::string, FlagWord>& FlagWords() {
  static const std::map<std::string, FlagWord> words = {
      {"async", {true, MS_SYNCHRONOUS}},
      {"atime", {true, MS_NOATIME}},
      {"bind", {false, MS_BIND}},
      {"defaults", {false, 0}},
      {"dev", {true, MS_NODEV}},
      {"diratime", {true, MS_NODIRATIME}},
      {"dirsync", {false, MS_DIRSYNC}},
      {"exec", {true, MS_NOEXEC}},
      {"mand", {false, MS_MANDLOCK}},
      {"noatime", {false, MS_NOATIME}},
      {"nodev", {false, MS_NODEV}},
      {"nodiratime", {false, MS_NODIRATIME}},
      {"noexec", {false, MS_NOEXEC}},
      {"nomand", {true, MS_MANDLOCK}},
      {"norelatime", {true, MS_RELATIME}},
      {"nostrictatime", {true, MS_STRICTATIME}},
      {"nosuid", {false, MS_NOSUID}},
      {"rbind", {false, MS_BIND | MS_REC}},
      {"relatime", {false, MS_RELATIME}},
      {"remount", {false, MS_REMOUNT}},
      {"ro", {false, MS_RDONLY}},
      {"rw", {true, MS_RDONLY}},
      {"strictatime", {false, MS_STRICTATIME}},
      {"suid", {true, MS_NOSUID}},
      {"sync", {false, MS_SYNCHRONOUS}},
  };
  return words;
}

}  // namespace

MountArgs ParseOptions(const std::vector<std::string>& options) {
  MountArgs a;
  for (const auto& o : options) {
    if (o == "loop") {
      a.loop = true;
      continue;
    }
    auto it = FlagWords().find(o);
    if (it == FlagWords().end()) {
      if (!a.data.empty()) a.data += ',';
      a.data += o;
    } else if (it->second.clear) {
      a.flags &= ~it->second.flag;
    } else {
      a.flags |= it->second.flag;
    }
  }
  return a;
}

bool MountAll(const std::vector<Mount>& mounts, const std::string& target, std::string* err) {
  if (mkdir(target.c_str(), 0711) != 0 && errno != EEXIST) {
    *err = "mkdir " + target + ": " + strerror(errno);
    return false;
  }
  for (size_t i = 0; i < mounts.size(); ++i) {
    const Mount& m = mounts[i];
    MountArgs a = ParseOptions(m.options);
    std::string what = "rootfs mount " + std::to_string(i) + " (type " + m.type + ", source " +
                       m.source + ") on " + target;
    auto fail = [&](const std::string& why) {
      *err = what + ": " + why;
      std::string ignored;
      UnmountAll(target, &ignored);
      return false;
    };
    if (a.loop) return fail("loop mounts are not supported by the litebox shim");
    if (a.data.size() > size_t(getpagesize()) - 512)
      return fail("mount options longer than " + std::to_string(getpagesize() - 512) +
                  " bytes are not supported (" + std::to_string(a.data.size()) + ")");
    std::string type = m.type == "bind" ? "" : m.type;
    unsigned long base = a.flags & ~(MS_RDONLY);
    bool bind_ro = (a.flags & MS_BIND) && (a.flags & MS_RDONLY);
    unsigned long flags = bind_ro ? base : a.flags;
    if (mount(m.source.c_str(), target.c_str(), type.c_str(), flags,
              a.data.empty() ? nullptr : a.data.c_str()) != 0)
      return fail(strerror(errno));
    // A read-only bind takes a second call: MS_BIND ignores MS_RDONLY.
    if (bind_ro && mount("", target.c_str(), "", flags | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      return fail(std::string("remount read-only: ") + strerror(errno));
  }
  return true;
}

bool UnmountAll(const std::string& target, std::string* err) {
  for (int i = 0; i < 64; ++i) {
    if (umount2(target.c_str(), 0) == 0) continue;
    if (errno == EINVAL || errno == ENOENT) return true;  // nothing (more) mounted
    if (errno == EBUSY && umount2(target.c_str(), MNT_DETACH) == 0) continue;
    *err = "unmount " + target + ": " + strerror(errno);
    return false;
  }
  *err = "unmount " + target + ": still mounted after 64 unmounts";
  return false;
}

}  // namespace litebox::shim::rootfs
