// Per-test scratch directories for the conformance suite.
//
// Every case must behave the same natively and inside a LiteBox sandbox whose
// root is a fresh rootfs, so no case may assume a host layout. All files a
// case touches live under one directory taken from $CONFORMANCE_TMP (created
// if missing), or a fresh mkdtemp under /tmp when the variable is unset.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace conformance {

// Absolute, symlink-free path of the directory all cases of this process use.
const std::string& ScratchRoot();

// Writes `data` to `path` (created 0644, truncated); fails the test on error.
void WriteFile(const std::string& path, const std::string& data);
// Reads the whole file at `path`; fails the test on error.
std::string ReadFile(const std::string& path);
// The value of "Key:" in a /proc/<pid>/status text, or "" when missing.
std::string StatusValue(const std::string& status_text, const std::string& key);
// Reads everything from `fd` until EOF.
std::string ReadAll(int fd);

// True when the suite was told the process runs as (virtual) root.
bool ExpectRoot();

// Closes an fd when it goes out of scope, so failing assertions do not leak.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  operator int() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Fixture giving each case its own empty directory (removed afterwards) and
// restoring the working directory and umask the case may have changed.
class ScratchTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Absolute path of `name` inside this case's directory.
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  Fd dir_fd_;

 private:
  std::string saved_cwd_;  // a path, not an fd: keeps the harness to absolute lookups
  mode_t saved_umask_ = 022;
};

}  // namespace conformance
