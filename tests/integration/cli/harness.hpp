// Drives <build>/bin/litebox like containerd-shim-runc-v2 and conmon do:
// one process per command, stdio to files, global flags first, and this
// test process as the child subreaper that reaps the containers' processes.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace litebox::test {

struct CmdResult {
  int status = -1;  // exit status (128+N if killed by N)
  std::string out, err;
};

// Shell-style exit status of a wait status.
int ExitCode(int wait_status);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
// True while pid runs (a zombie is not running).
bool Alive(pid_t pid);
// Waits for a child of this process (the subreaper) to exit; returns its
// exit status or -1 after timeout_ms.
int WaitChild(pid_t pid, int timeout_ms = 10000);
// Polls until file contains text; false after timeout_ms.
bool WaitForText(const std::string& path, const std::string& text, int timeout_ms = 10000);

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A bundle over the busybox rootfs running args; extra JSON merged into
  // config.json's "process" (e.g. {"terminal": true}).
  std::string Bundle(const std::string& name, const std::vector<std::string>& args,
                     const nlohmann::json& process_patch = nlohmann::json::object());
  // `litebox --root R --log L --log-format json ARGS...`, stdio to files
  // (stdout/stderr of a `create` are also the container's).
  CmdResult Litebox(const std::vector<std::string>& args, const std::string& stdin_text = "",
                    const std::string& out_file = "", const std::string& err_file = "");
  // The same without any global flag (for flag-spelling tests).
  CmdResult Raw(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                const std::string& out_file = "", const std::string& err_file = "");
  nlohmann::json State(const std::string& id);
  // create --bundle B --pid-file P ID, with the container's output in
  // dir_/<id>.out; returns the pid from the pid file.
  pid_t Create(const std::string& id, const std::string& bundle);
  // Entries left under --root.
  std::vector<std::string> RootEntries();
  // No child (hence no orphaned container process) is left, after reaping
  // zombies; fails the test with the pids otherwise.
  void ExpectNoChildren();
  // Kills and reaps everything that is left (used on failure paths).
  void ReapAll();

  std::string dir_, root_, log_;
  static std::string rootfs_;
};

}  // namespace litebox::test
