// Helpers for the oci tests: temp dirs, running real programs (runc, crun,
// date, prlimit) and reading what they wrote.
#pragma once

#include <string>
#include <vector>

namespace litebox::oci::testing {

// A fresh directory under $TMPDIR, removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // -1: did not exit normally / could not start
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv (argv[0] looked up in PATH) in `cwd` with stdin from /dev/null.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd = "");

// Absolute path of a program in PATH (plus /usr/sbin, /sbin), or "".
std::string FindProgram(const std::string& name);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

// Why a runc-backed test cannot run here ("" if it can): not root, no
// runc, or no static busybox (Debian package busybox-static).
std::string RuncUnavailableReason();

// <dir>/rootfs with a static busybox and sh, echo, sleep symlinks.
void MakeBusyboxRootfs(const std::string& bundle_dir);

// A unique container id for this process; `runc delete -f` on destruction.
class RuncContainer {
 public:
  explicit RuncContainer(const std::string& tag);
  ~RuncContainer();
  const std::string& id() const { return id_; }

 private:
  std::string id_;
};

}  // namespace litebox::oci::testing
