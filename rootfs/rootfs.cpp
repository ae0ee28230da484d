#include "rootfs/rootfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <filesystem>
#include <optional>

#include "rootfs/host_fs.hpp"
#include "rootfs/search_as.hpp"
#include "rootfs/search_ring.hpp"
#include "rootfs/vpath.hpp"

namespace litebox::rootfs {
namespace {

constexpr int kMaxLinks = 40;  // MAXSYMLINKS

std::string Errno(int e) {
  return strerror(e);
}

std::string ParentOf(const std::string& clean) {
  size_t slash = clean.rfind('/');
  return slash == 0 ? "/" : clean.substr(0, slash);
}

// One step of the walk: a directory (or the object) reached so far.
struct Frame {
  UniqueFd fd;  // host O_PATH fd; empty for virtual nodes
  struct stat st {};
  int mount = 0;
  bool is_virtual = false;
  bool is_dir = false;
  bool mount_root = false;
  VNode node;
};

bool OnTmpfs(const std::string& path) {
  struct statfs st;
  return statfs(path.c_str(), &st) == 0 && st.f_type == TMPFS_MAGIC;
}

// The scratch dir (tmpfs mounts' contents, stand-ins of virtual dirs) is
// ephemeral and, like a tmpfs mount, belongs in memory. When the requested
// parent is on a disk file system (/run is ext4 on some hosts), every
// mkdir/rmdir there costs 30-90 us of inode work and a /proc/<pid>/fd
// stand-in per listing process far more, so it goes to a private mkdtemp
// dir on /dev/shm instead. Its name carries the owner's pid: a RootFs whose
// process was killed cannot remove it, so the next one removes those of
// dead owners (ours only: /dev/shm is shared).
constexpr char kScratchPrefix[] = "litebox-scratch-";

bool IsScratchOf(const std::filesystem::directory_entry& e, pid_t* owner) {
  std::string name = e.path().filename().string();
  if (name.rfind(kScratchPrefix, 0) != 0) return false;
  struct stat st;
  if (lstat(e.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
    return false;
  *owner = static_cast<pid_t>(strtol(name.c_str() + sizeof kScratchPrefix - 1, nullptr, 10));
  return *owner > 0;
}

void RemoveScratchOfDeadOwners() {
  std::error_code ec;
  pid_t owner;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm", ec))
    if (IsScratchOf(e, &owner) && kill(owner, 0) != 0 && errno == ESRCH)
      std::filesystem::remove_all(e.path(), ec);
}

std::string ScratchTemplate(const std::string& parent) {
  if (!OnTmpfs(parent) && OnTmpfs("/dev/shm") && access("/dev/shm", W_OK) == 0) {
    RemoveScratchOfDeadOwners();
    return std::string("/dev/shm/") + kScratchPrefix + std::to_string(getpid()) + "-XXXXXX";
  }
  return parent + "/litebox-rootfs-XXXXXX";
}

}  // namespace

std::unique_ptr<RootFs> RootFs::Open(const std::string& host_root, bool readonly_root,
                                     std::vector<Mount> mounts, std::string* err,
                                     const std::string& scratch_parent) {
  std::unique_ptr<RootFs> fs(new RootFs());
  char real[PATH_MAX];
  if (realpath(host_root.c_str(), real) == nullptr) {
    *err = "rootfs: root " + host_root + ": " + Errno(errno);
    return nullptr;
  }
  Entry root{"/",           Mount::kBind, real,
             readonly_root, true,         UniqueFd(open(real, O_PATH | O_DIRECTORY | O_CLOEXEC))};
  if (!root.fd) {
    *err = "rootfs: root " + host_root + ": " + Errno(errno);
    return nullptr;
  }
  {
    struct statfs sfs;
    fs->root_nodev_ = fstatfs(root.fd.get(), &sfs) == 0 && (sfs.f_flags & ST_NODEV) != 0;
  }
  fs->mounts_.push_back(std::move(root));

  // Private scratch dir: tmpfs mounts and the stand-in dirs of virtual
  // directories live here, removed with the RootFs.
  {
    std::string parent = scratch_parent;
    if (parent.empty()) parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    // Inside the root, the guest could reach the tmpfs dirs and stand-ins by
    // path: refused whether it names the parent asked for or the dir made
    // (which may be on /dev/shm instead). A root of "/" (debugging with the
    // host's own tree) exposes the whole host anyway and is let through.
    auto inside_root = [&](const std::string& p) {
      char r[PATH_MAX];
      return fs->mounts_[0].host_source != "/" && realpath(p.c_str(), r) != nullptr &&
             PathIsUnder(r, fs->mounts_[0].host_source);
    };
    if (inside_root(parent)) {
      *err = "rootfs: scratch dir under " + parent + " must not be inside the root " + real;
      return nullptr;
    }
    std::string tmpl = ScratchTemplate(parent);
    if (mkdtemp(tmpl.data()) == nullptr) {
      *err = "rootfs: scratch dir " + tmpl + ": " + Errno(errno);
      return nullptr;
    }
    fs->scratch_dir_ = tmpl;
    if (inside_root(tmpl)) {
      *err = "rootfs: scratch dir " + tmpl + " must not be inside the root " + real;
      return nullptr;
    }
    fs->vdir_root_ = tmpl + "/v";
    if (mkdir(fs->vdir_root_.c_str(), 0555) != 0) {
      *err = "rootfs: " + fs->vdir_root_ + ": " + Errno(errno);
      return nullptr;
    }
  }
  bool shm_covered = false;
  for (const auto& m : mounts) shm_covered |= CleanAbsolute(m.destination) == "/dev/shm";
  if (!shm_covered) mounts.push_back(Mount{"/dev/shm", Mount::kTmpfs, "", false});

  for (size_t i = 0; i < mounts.size(); ++i) {
    const Mount& m = mounts[i];
    std::string where =
        "rootfs: mounts[" + std::to_string(i) + "] (destination \"" + m.destination + "\")";
    if (m.destination.empty() || m.destination[0] != '/') {
      *err = where + ": destination must be an absolute path";
      return nullptr;
    }
    std::string dest = CleanAbsolute(m.destination);
    if (dest == "/" || dest == "/proc" || PathIsUnder(dest, "/proc")) {
      *err = where + ": cannot mount over the root or /proc";
      return nullptr;
    }
    // Like runc, resolve the destination through the image's symlinks (and
    // the mounts made so far), confined to the root: a mount on
    // /var/run/secrets lands on /run/secrets if /var/run -> /run. /dev is
    // virtual, so its mount points are taken as written.
    if (!PathIsUnder(dest, "/dev")) {
      Resolved r;
      if (fs->Resolve(dest, true, VirtualLookup(), &r) == 0) dest = r.vpath;
      if (dest == "/" || PathIsUnder(dest, "/proc")) {
        *err = where + ": resolves to " + dest + " through symlinks in the root";
        return nullptr;
      }
    }
    Entry e{dest, m.kind, "", m.readonly, true, UniqueFd()};
    if (m.kind == Mount::kBind) {
      if (realpath(m.host_source.c_str(), real) == nullptr) {
        *err = where + ": source " + m.host_source + ": " + Errno(errno);
        return nullptr;
      }
      e.host_source = real;
    } else {
      e.host_source = fs->scratch_dir_ + "/tmpfs-" + std::to_string(i);
      // Like a fresh tmpfs: world-writable and sticky.
      if (mkdir(e.host_source.c_str(), 0700) != 0 || chmod(e.host_source.c_str(), 01777) != 0) {
        *err = where + ": tmpfs dir " + e.host_source + ": " + Errno(errno);
        return nullptr;
      }
    }
    e.fd.reset(open(e.host_source.c_str(), O_PATH | O_CLOEXEC));
    struct stat st;
    if (!e.fd || fstat(e.fd.get(), &st) != 0) {
      *err = where + ": source " + e.host_source + ": " + Errno(errno);
      return nullptr;
    }
    e.is_dir = S_ISDIR(st.st_mode);
    // A later mount of the same destination shadows the earlier one.
    std::erase_if(fs->mounts_, [&](const Entry& old) { return old.destination == dest; });
    fs->mounts_.push_back(std::move(e));
  }
  if (!readonly_root) {
    for (const auto& m : fs->mounts_) {
      std::string ignored;
      if (m.destination != "/") fs->MakeMountPoint(m, &ignored);
    }
  }
  return fs;
}

void RemoveScratchOfProcess(pid_t pid) {
  std::error_code ec;
  pid_t owner;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm", ec))
    if (IsScratchOf(e, &owner) && owner == pid) std::filesystem::remove_all(e.path(), ec);
}

RootFs::~RootFs() {
  std::error_code ec;
  if (!scratch_dir_.empty()) std::filesystem::remove_all(scratch_dir_, ec);  // no symlinks followed
}

// Best effort, as runc does: create the mount point inside the root so that
// listings of its parent show it. Only for mount points directly in the
// root mount (not below /dev, which is virtual, or below another mount).
bool RootFs::MakeMountPoint(const Entry& m, std::string* err) {
  if (PathIsUnder(m.destination, "/dev")) return false;
  for (const auto& other : mounts_) {
    if (other.destination != "/" && other.destination != m.destination &&
        PathIsUnder(m.destination, other.destination))
      return false;
  }
  auto parts = SplitPath(m.destination);
  UniqueFd cur(dup(mounts_[0].fd.get()));
  for (size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    int fd = OpenPathBeneath(cur.get(), parts[i]);
    if (fd == -ENOENT) {
      int r;
      if (!last || m.is_dir) {
        r = mkdirat(cur.get(), parts[i].c_str(), 0755);
      } else {
        r = openat(cur.get(), parts[i].c_str(),
                   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (r >= 0) close(r);
      }
      if (r < 0) {
        *err = m.destination + ": " + Errno(errno);
        return false;
      }
      fd = OpenPathBeneath(cur.get(), parts[i]);
    }
    if (fd < 0) {
      *err = m.destination + ": " + Errno(-fd);
      return false;
    }
    cur.reset(fd);
  }
  return true;
}

int RootFs::MountAt(const std::string& vpath) const {
  for (size_t i = mounts_.size(); i-- > 1;) {
    if (mounts_[i].destination == vpath) return static_cast<int>(i);
  }
  return -1;
}

namespace {
constexpr int kNotApplicable = 1;  // ResolveFast: the walk must answer
constexpr int kFollow = 2;         // ResolveFastOnce: go on with *next

// The path a symlink leads to: `dir` (the link's directory, made of real
// directories only), the link's `target`, then `rest` (what followed the
// link in the path, "" or "/..."). The target's leading ".." step out of
// `dir` lexically, which is what the kernel does there; a ".." after a
// component of the target itself could cross another link: false, and the
// walk takes over.
bool SubstituteLink(std::string_view dir, const std::string& target, std::string_view rest,
                    std::string* next) {
  if (target.empty()) return false;
  std::vector<std::string> parts;
  if (target[0] != '/') parts = SplitPath(dir);
  bool leading = true;
  for (auto& c : SplitPath(target)) {
    if (c == "..") {
      if (!leading) return false;
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    leading = false;
    parts.push_back(std::move(c));
  }
  *next = parts.empty() ? std::string() : JoinPath(parts);
  *next += rest;
  if (next->empty()) *next = "/";
  return true;
}
}  // namespace

// Symlinks on the way are followed here too (each one restarts the fast
// resolution on the substituted path, which is checked again for mounts,
// virtual trees and "..") as long as the caller needs no parent dir.
int RootFs::ResolveFast(const std::string& abs_path, bool follow_last, Resolved* out,
                        const Creds* searcher, bool need_parent, int open_flags) const {
  std::string path = abs_path, next;
  for (int links = 0; links <= kMaxLinks; ++links) {
    int r = ResolveFastOnce(path, follow_last, out, searcher, need_parent, open_flags, &next);
    if (r != kFollow) {
      // Plain only if no symlink was followed before this pass.
      if (links != 0) out->plain_path.clear(), out->plain_up.clear();
      return r;
    }
    path = std::move(next);
  }
  return kNotApplicable;  // the walk counts the links and says ELOOP
}

int RootFs::ResolveFastOnce(const std::string& raw_path, bool follow_last, Resolved* out,
                            const Creds* searcher, bool need_parent, int open_flags,
                            std::string* next) const {
  std::string clean_path;
  // Directory search permission is then the kernel's business. The
  // supervisor's own checks are a root's, which every searcher with
  // CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH would pass anyway; any other
  // searcher's opens below are made with its file credentials (a refusal,
  // EACCES, then goes to the walk, which tells it): through the search
  // ring (rootfs/search_ring.hpp), or, where there is none, with this
  // thread's own switched for the lookup (SearchAs, ~4-9 us more).
  std::optional<SearchAs> as;
  SearchRing* ring = nullptr;
  int personality = -1;
  if (searcher != nullptr && !searcher->HasCap(kCapDacOverride) &&
      !searcher->HasCap(kCapDacReadSearch)) {
    ring = SearchRing::Get();
    if (ring) personality = ring->PersonalityFor(*searcher);
    if (personality < 0) {
      as.emplace(*searcher);
      if (!as->ok()) return kNotApplicable;
    }
  }
  // Every open below that walks a directory goes through this.
  auto open2 = [&](int dirfd, const char* path, uint64_t flags, uint64_t how_resolve) {
    return personality >= 0 ? ring->Openat2(personality, dirfd, path, flags, how_resolve)
                            : Openat2(dirfd, path, flags, how_resolve, 0);
  };
  if (raw_path.size() < 2 || raw_path[0] != '/') return kNotApplicable;
  // The path the kernel walks (`rel`, from the root) and the one it names
  // (`abs_path`, lexically clean: no "//", "." or ".."). They name the same
  // object only where no symlink lies on the way, which the lookups below
  // ensure (RESOLVE_NO_SYMLINKS) for any path that is not clean already;
  // every directory such a walk passes through must then be an ordinary
  // one of the root, as the clean path's own must (gcc's driver asks for
  // ".../12/../../../../x86_64-linux-gnu/bin/as" and ".../12/." hundreds
  // of times per compile: the walk took ~20 us each).
  const std::string& abs_path = clean_path;
  bool lexical = false;
  std::vector<std::string> stepped_out;  // directories a ".." left
  {
    std::vector<std::string_view> comps;
    std::string dir;  // "/" + comps joined, kept as the walk goes
    auto virtual_dir = [&] {
      for (const char* v : kVirtualRoots)
        if (comps[0] == v) return true;
      for (size_t i = 1; i < mounts_.size(); ++i)
        if (PathIsUnder(dir, mounts_[i].destination)) return true;
      return false;
    };
    // Not clean: a "//", or a "." or ".." component, anywhere.
    for (size_t k = 0; k < raw_path.size() && !lexical; ++k) {
      if (raw_path[k] != '/') continue;
      std::string_view rest(raw_path.data() + k + 1, raw_path.size() - k - 1);
      lexical = rest.empty() || rest[0] == '/' || rest == "." || rest.starts_with("./") ||
                rest == ".." || rest.starts_with("../");
    }
    size_t i = 1;
    while (i <= raw_path.size()) {
      size_t j = raw_path.find('/', i);
      if (j == std::string::npos) j = raw_path.size();
      std::string_view c(raw_path.data() + i, j - i);
      i = j + 1;
      if (c.empty() || c == ".") continue;
      if (c.size() > 255) return kNotApplicable;  // the walk says ENAMETOOLONG
      if (c == "..") {
        if (!comps.empty()) {
          stepped_out.push_back(dir);
          dir.resize(dir.size() - comps.back().size() - 1);
          comps.pop_back();
        }
        continue;
      }
      comps.push_back(c);
      dir.append("/").append(c);
      if (lexical && virtual_dir()) return kNotApplicable;
    }
    if (comps.empty()) return kNotApplicable;  // the root itself
    clean_path = std::move(dir);
  }
  // The walk of a path that is not clean cannot tell a missing leaf from a
  // missing directory nor find a parent: such lookups go to the full walk.
  if (lexical && need_parent) return kNotApplicable;
  const std::string rel = raw_path.substr(1);
  size_t last_slash = abs_path.rfind('/');
  std::string_view name(abs_path.data() + last_slash + 1, abs_path.size() - last_slash - 1);
  if (name.size() > 255) return kNotApplicable;
  const size_t second_slash = abs_path.find('/', 1);
  std::string_view first(abs_path.data() + 1, second_slash == std::string::npos
                                                  ? abs_path.size() - 1
                                                  : second_slash - 1);
  for (const char* v : kVirtualRoots)
    if (first == v) return kNotApplicable;
  for (size_t i = 1; i < mounts_.size(); ++i)
    if (PathIsUnder(abs_path, mounts_[i].destination)) return kNotApplicable;

  const uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  // The object is open (O_PATH) and out->st holds its fstat: it is the
  // answer unless it is a final symlink to follow, which the walk does.
  auto found = [&](int fd, std::string leaf) {
    out->fd.reset(fd);
    if (S_ISLNK(out->st.st_mode) && follow_last) return kNotApplicable;
    out->kind = Resolved::kHost;
    out->vpath = abs_path;
    out->name = std::move(leaf);
    out->plain_path = abs_path;
    out->plain_up = stepped_out;
    return 0;
  };
  // The root's own symlinks (Debian's /lib, /bin, /sbin, /lib64 -> usr/...,
  // on the way of every library a loader opens): a readlinkat of the first
  // component, which crosses no directory to get there, instead of an
  // open, fstat, readlink and close. kFollow with *next, or 0: not a link
  // (or no answer: the caller goes on as before).
  auto first_is_link = [&]() -> int {
    if (lexical || second_slash == std::string::npos) return 0;
    char target[4096];
    const std::string first_name(first);
    ssize_t n;
    if (personality >= 0) {
      // The searcher's lookup of the name in the root, then the link itself.
      int lfd =
          open2(mounts_[0].fd.get(), first_name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC, resolve);
      if (lfd < 0) return 0;
      n = readlinkat(lfd, "", target, sizeof target);
      close(lfd);
    } else {
      n = readlinkat(mounts_[0].fd.get(), first_name.c_str(), target, sizeof target);
    }
    if (n <= 0 || static_cast<size_t>(n) >= sizeof target) return 0;
    return SubstituteLink("", std::string(target, static_cast<size_t>(n)),
                          std::string_view(abs_path).substr(second_slash), next)
               ? kFollow
               : 0;
  };
  if (!need_parent && open_flags >= 0 && root_nodev_) {
    // Opened for real at once. Only what this branch can answer in full
    // is kept: a regular file or directory. Anything else (a symlink on
    // the way: ELOOP; another mount: EXDEV; a fifo or socket; ENOENT...)
    // is closed unread and resolved below as if this had not happened.
    int fd =
        open2(mounts_[0].fd.get(), rel.c_str(),
              static_cast<uint64_t>(open_flags) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
              resolve | RESOLVE_NO_XDEV);
    if (fd >= 0) {
      if (fstat(fd, &out->st) == 0 && (S_ISREG(out->st.st_mode) || S_ISDIR(out->st.st_mode))) {
        out->opened = true;
        return found(fd, std::string(name));
      }
      close(fd);
      out->st = {};
    }
    if (fd == -ELOOP) {
      if (int r = first_is_link(); r != 0) return r;
    }
  }
  if (!need_parent) {
    // The whole path in one call (a final symlink comes back as itself:
    // O_PATH|O_NOFOLLOW). Any other failure, ENOENT included, takes the
    // two-call route below, which tells a missing leaf from a missing dir.
    int fd = open2(mounts_[0].fd.get(), rel.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC, resolve);
    if (fd >= 0) {
      if (fstat(fd, &out->st) != 0) {
        close(fd);
        return kNotApplicable;
      }
      if (follow_last && S_ISLNK(out->st.st_mode) && lexical) {
        close(fd);
        return kNotApplicable;
      }
      if (follow_last && S_ISLNK(out->st.st_mode)) {
        std::string target = ReadLink(fd, "");
        close(fd);
        return SubstituteLink(std::string_view(abs_path).substr(0, last_slash), target, "", next)
                   ? kFollow
                   : kNotApplicable;
      }
      return found(fd, std::string(name));
    }
    // The kernel's own answer for a walk without symlinks (the walk below
    // would find the same missing or non-directory component).
    if (lexical) {
      if (fd != -ENOENT && fd != -ENOTDIR) return kNotApplicable;
      out->plain_path = abs_path;
      out->plain_up = stepped_out;
      return fd;
    }
    if (fd == -ELOOP) {
      // A directory on the way is a symlink: the first one, found by
      // opening the prefixes in turn (those before it are real dirs).
      if (int r = first_is_link(); r != 0) return r;
      for (size_t end = abs_path.find('/', 1); end != std::string::npos && end <= last_slash;
           end = abs_path.find('/', end + 1)) {
        std::string prefix = abs_path.substr(1, end - 1);
        int pfd =
            open2(mounts_[0].fd.get(), prefix.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC, resolve);
        if (pfd < 0) return kNotApplicable;
        struct stat st;
        bool link = fstat(pfd, &st) == 0 && S_ISLNK(st.st_mode);
        std::string target = link ? ReadLink(pfd, "") : std::string();
        close(pfd);
        if (!link) continue;
        size_t link_slash = abs_path.rfind('/', end - 1);
        return SubstituteLink(std::string_view(abs_path).substr(0, link_slash), target,
                              std::string_view(abs_path).substr(end), next)
                   ? kFollow
                   : kNotApplicable;
      }
      return kNotApplicable;
    }
  }
  int parent;
  if (last_slash == 0) {
    parent = dup(mounts_[0].fd.get());
    if (parent < 0) return kNotApplicable;
  } else {
    std::string dir = abs_path.substr(1, last_slash - 1);
    parent = open2(mounts_[0].fd.get(), dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, resolve);
    // A missing or non-directory middle component answers as the walk does;
    // a symlink on the way (ELOOP) or anything odd goes to the walk.
    if (parent == -ENOENT || parent == -ENOTDIR) {
      out->plain_path = abs_path;
      out->plain_up = stepped_out;
      return parent;
    }
    if (parent < 0) return kNotApplicable;
  }
  out->parent.reset(parent);
  std::string leaf(name);
  // OpenPathBeneath's open, as the searcher (leaf is one clean component).
  int fd = open2(parent, leaf.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC,
                 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd == -ENOENT) {
    out->kind = Resolved::kMissing;
    out->vpath = abs_path;
    out->name = std::move(leaf);
    out->plain_path = abs_path;
    out->plain_up = stepped_out;
    return 0;
  }
  if (fd < 0) return kNotApplicable;
  if (fstat(fd, &out->st) != 0) {
    close(fd);
    return kNotApplicable;
  }
  return found(fd, std::move(leaf));
}

int RootFs::Resolve(const std::string& abs_path, bool follow_last, const VirtualLookup& lookup,
                    Resolved* out, const Creds* searcher, bool need_parent, int open_flags) const {
  *out = Resolved{};
  if (int r = ResolveFast(abs_path, follow_last, out, searcher, need_parent, open_flags); r <= 0)
    return r;
  *out = Resolved{};
  // "x/", "x/." and "x/.." name directories: the last component must be
  // one, and a final symlink is followed.
  bool must_dir = false;
  // A missing last entry followed by "." is no directory to look in
  // (ENOENT, even for mkdir); followed by "/" only, one that only a
  // directory may become (Resolved::dir_only).
  bool dot_last = false;
  {
    std::string_view p = abs_path;
    while (p.size() > 1 && p.back() == '/') {
      must_dir = true;
      p.remove_suffix(1);
    }
    size_t slash = p.rfind('/');
    std::string_view last = slash == std::string_view::npos ? p : p.substr(slash + 1);
    if (last == "." || last == "..") must_dir = true;
    dot_last = last == ".";
  }
  if (must_dir) follow_last = true;

  auto root_frame = [&]() {
    Frame f;
    f.fd.reset(dup(mounts_[0].fd.get()));
    fstat(f.fd.get(), &f.st);
    f.is_dir = true;
    f.mount_root = true;
    return f;
  };
  std::vector<Frame> frames;
  frames.push_back(root_frame());
  if (!frames[0].fd) return -EMFILE;
  std::vector<std::string> comps;
  std::deque<std::string> pending;
  for (auto& c : SplitPath(abs_path)) pending.push_back(std::move(c));
  int links = 0;

  // Queues a symlink's target in front of what is left of the path.
  auto expand_link = [&](const std::string& target) -> int {
    if (++links > kMaxLinks) return -ELOOP;
    if (target.empty()) return -ENOENT;
    auto parts = SplitPath(target);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_front(*it);
    if (target[0] == '/') {
      frames.clear();
      frames.push_back(root_frame());
      comps.clear();
    }
    return 0;
  };

  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    bool last = pending.empty();
    Frame& cur = frames.back();
    if (!cur.is_dir) return -ENOTDIR;
    if (searcher != nullptr && !cur.is_virtual && !MayAccess(*searcher, cur.st, kMayExec))
      return -EACCES;
    if (name == "..") {
      if (frames.size() > 1) {
        frames.pop_back();
        comps.pop_back();
      }
      continue;
    }
    if (name.size() > 255) return -ENAMETOOLONG;
    comps.push_back(name);
    std::string child = JoinPath(comps);
    comps.pop_back();

    Frame next;
    if (int m = MountAt(child); m > 0) {
      next.fd.reset(dup(mounts_[m].fd.get()));
      if (!next.fd) return -EMFILE;
      fstat(next.fd.get(), &next.st);
      next.mount = m;
      next.is_dir = mounts_[m].is_dir;
      next.mount_root = true;
    } else if (int v = lookup ? lookup(child, &next.node) : 0; v != 0) {
      if (v < 0) {
        if (v == -ENOENT && last) {
          if (dot_last) return -ENOENT;
          out->kind = Resolved::kMissing;
          out->dir_only = must_dir;
          out->vpath = child;
          out->name = name;
          out->parent_virtual = cur.is_virtual;
          if (!cur.is_virtual) out->parent.reset(dup(cur.fd.get()));
          out->mount = cur.mount;
          return 0;
        }
        return v;
      }
      if (next.node.kind == VNode::kLink && (!last || follow_last)) {
        if (last && !next.node.reopen_host_path.empty()) {
          // A guest's own pipe/socket/terminal under /proc/<pid>/fd/.
          VNode dev;
          dev.kind = VNode::kDevice;
          dev.host_path = next.node.reopen_host_path;
          next.node = std::move(dev);
        } else {
          if (int r = expand_link(next.node.content); r < 0) return r;
          continue;
        }
      }
      next.is_virtual = true;
      next.is_dir = next.node.kind == VNode::kDir;
      next.mount = cur.mount;
    } else if (cur.is_virtual) {
      return -ENOENT;  // the lookup owns every child of a virtual dir
    } else {
      int fd = OpenPathBeneath(cur.fd.get(), name);
      if (fd == -ENOENT && last) {
        if (dot_last) return -ENOENT;
        out->kind = Resolved::kMissing;
        out->dir_only = must_dir;
        out->vpath = child;
        out->name = name;
        out->parent.reset(dup(cur.fd.get()));
        out->mount = cur.mount;
        return 0;
      }
      if (fd < 0) return fd;
      next.fd.reset(fd);
      if (fstat(fd, &next.st) != 0) return -errno;
      if (S_ISLNK(next.st.st_mode) && (!last || follow_last)) {
        std::string target = ReadLink(fd, "");
        if (target.empty()) return -ENOENT;
        if (int r = expand_link(target); r < 0) return r;
        continue;
      }
      next.mount = cur.mount;
      next.is_dir = S_ISDIR(next.st.st_mode);
    }
    comps.push_back(name);
    frames.push_back(std::move(next));
  }

  Frame& top = frames.back();
  if (must_dir && !top.is_dir) return -ENOTDIR;
  out->vpath = JoinPath(comps);
  out->name = comps.empty() ? "" : comps.back();
  out->mount = top.mount;
  out->mount_root = top.mount_root;
  if (frames.size() >= 2 && !top.mount_root) {
    Frame& below = frames[frames.size() - 2];
    out->parent_virtual = below.is_virtual;
    if (!below.is_virtual) out->parent.reset(dup(below.fd.get()));
  }
  if (top.is_virtual) {
    out->kind = Resolved::kVirtual;
    out->node = std::move(top.node);
  } else {
    out->kind = Resolved::kHost;
    out->st = top.st;
    out->fd = std::move(top.fd);
  }
  return 0;
}

bool RootFs::HostToVirtual(const std::string& host_path, std::string* vpath, int* mount) const {
  const Entry* best = nullptr;
  for (const auto& m : mounts_) {
    bool match = m.is_dir ? PathIsUnder(host_path, m.host_source) : host_path == m.host_source;
    if (match && (best == nullptr || m.host_source.size() > best->host_source.size())) best = &m;
  }
  if (best == nullptr) return false;
  if (mount != nullptr) *mount = static_cast<int>(best - mounts_.data());
  std::string_view below = PathBelow(host_path, best->host_source);
  if (below.empty()) {
    *vpath = best->destination;
  } else {
    *vpath = best->destination == "/" ? "/" + std::string(below)
                                      : best->destination + "/" + std::string(below);
  }
  return true;
}

int RootFs::VirtualDirFd(const std::string& vpath) const {
  // One empty, read-only directory per virtual directory path: the guest
  // gets a real directory fd (fstat, opendir's S_ISDIR check, fchdir work),
  // and its path names the virtual directory when it comes back.
  std::string host = vdir_root_;
  std::vector<std::string> parts = SplitPath(vpath);
  for (const auto& c : parts) {
    if (c == "..") return -EINVAL;  // canonical paths never hold ".."
    host += "/" + c;
  }
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = open(host.c_str(), kFlags);  // made already, the usual case
  if (fd >= 0 || errno != ENOENT) return fd < 0 ? -errno : fd;
  host = vdir_root_;
  for (const auto& c : parts) {
    host += "/" + c;
    if (mkdir(host.c_str(), 0555) != 0 && errno != EEXIST) return -errno;
  }
  fd = open(host.c_str(), kFlags);
  return fd < 0 ? -errno : fd;
}

bool RootFs::VirtualDirOfHost(const std::string& host_path, std::string* vpath) const {
  if (vdir_root_.empty() || !PathIsUnder(host_path, vdir_root_)) return false;
  *vpath = "/" + std::string(PathBelow(host_path, vdir_root_));
  return true;
}

std::vector<RootFs::MountInfo> RootFs::Mounts() const {
  std::vector<MountInfo> out;
  for (const auto& m : mounts_) out.push_back({m.destination, m.host_source, m.kind, m.readonly});
  return out;
}

std::vector<std::string> RootFs::MountNamesUnder(const std::string& vdir) const {
  std::vector<std::string> out;
  for (const auto& m : mounts_) {
    if (m.destination != "/" && ParentOf(m.destination) == vdir)
      out.push_back(m.destination.substr(m.destination.rfind('/') + 1));
  }
  return out;
}

}  // namespace litebox::rootfs

namespace litebox::rootfs {

bool RootFs::ReopenRoot(std::string* err) {
  UniqueFd fd(open(mounts_[0].host_source.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  struct statfs sfs;
  if (!fd || fstatfs(fd.get(), &sfs) != 0) {
    *err = "rootfs: reopen " + mounts_[0].host_source + ": " + Errno(errno);
    return false;
  }
  mounts_[0].fd = std::move(fd);
  root_nodev_ = (sfs.f_flags & ST_NODEV) != 0;
  return true;
}

}  // namespace litebox::rootfs
