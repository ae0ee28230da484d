// The stdio of one container process (init or exec) as containerd hands it
// over: FIFO paths, file:// or binary:// URIs, or a terminal.
//
// FIFOs (the runc shim's rules): the guest gets OS pipes; the shim copies
// between them and the FIFOs. The shim keeps an extra read fd on each output
// FIFO (writes never fail with EPIPE when the client detaches) and an extra
// write fd on the stdin FIFO (the guest sees no EOF before the client is
// ready; CloseIO drops it).
// Terminal: a pty from posix_openpt; its slave is the guest's fds 0-2, the
// master is copied to/from the FIFOs; stderr is unused.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "runtime/sandbox.hpp"
#include "shim-v2/io/copy.hpp"

namespace litebox::shim::io {

struct IoConfig {
  std::string stdin_path, stdout_path, stderr_path;  // "" = not attached
  bool terminal = false;
  std::string container_id, ns;  // for binary:// loggers' environment
};

class BinaryLogger;

class ProcessIo {
 public:
  static std::unique_ptr<ProcessIo> Open(const IoConfig& cfg, std::string* err);
  ~ProcessIo();  // stops copies, closes every fd, stops a logger
  ProcessIo(const ProcessIo&) = delete;
  ProcessIo& operator=(const ProcessIo&) = delete;

  // The fds for the guest's 0, 1, 2 (-1: /dev/null). Valid until CloseGuestEnds.
  runtime::Stdio guest_stdio() const { return guest_; }
  // After Create/Exec forked the guest: drop the shim's copies of the guest
  // ends so the output copies see EOF when the guest's side closes.
  void CloseGuestEnds();
  // Starts copying (after CloseGuestEnds).
  void StartCopying();

  bool ResizePty(uint32_t width, uint32_t height, std::string* err);
  // CloseIO: drop the shim's own writer on the stdin FIFO (EOF reaches the
  // guest once the client's writer closes too). For a terminal, the stdin
  // copy's end sends nothing; the guest sees EOF via the tty (^D) only.
  void CloseStdin();
  // Waits up to ms for all output to be copied (the guest side closed) and,
  // bounded, read by the client that was attached.
  bool WaitOutput(int ms);

 private:
  ProcessIo() = default;
  IoConfig cfg_;
  runtime::Stdio guest_;
  std::vector<int> guest_fds_;  // distinct fds behind guest_
  int pty_master_ = -1;
  int stdin_fifo_r_ = -1, stdin_fifo_w_ = -1;  // shim's reader + held writer
  int stdin_pipe_w_ = -1;                      // our end of the guest's stdin pipe
  int out_fifo_w_ = -1, out_fifo_r_ = -1, err_fifo_w_ = -1, err_fifo_r_ = -1;
  int out_pipe_r_ = -1, err_pipe_r_ = -1;         // our ends of the guest's output pipes
  bool out_client_ = false, err_client_ = false;  // a client reader was there at open
  std::atomic<bool> closing_{false};
  std::unique_ptr<Copier> in_copy_, out_copy_, err_copy_;
  std::unique_ptr<BinaryLogger> logger_;
};

}  // namespace litebox::shim::io
