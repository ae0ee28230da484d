#include "shim-v2/io/process_io.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "shim-v2/io/logger.hpp"

namespace litebox::shim::io {

namespace {

// How long opening an output FIFO waits for the client's reader.
constexpr int kClientReaderWaitMs = 3000;
// How long the end of the guest's output waits for the client to have read
// what is still in the FIFO (below the shim's exit drain, kExitDrainMs).
constexpr int kClientDrainMs = 1000;

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

bool HasScheme(const std::string& s, const char* scheme) {
  return s.rfind(scheme, 0) == 0;
}

// "fifo:///path" and plain "/path" both name a FIFO the client created.
std::string FifoPath(const std::string& s) {
  return HasScheme(s, "fifo://") ? s.substr(7) : s;
}

// The guest's output has ended and all of it is in the FIFO: wait until the
// client has read it (FIONREAD on our own reader counts what is buffered),
// bounded. The exit goes out only after this: containerd 1.6's task.Delete
// closes its readers as soon as the task's Wait returns, and whatever its
// copy had not read by then was lost with the FIFO (a concurrent `ctr run`
// under load exited 0 with empty output). Only for a client that was there
// when the FIFO opened: nobody else would drain it.
// `closing`: the ProcessIo is being destroyed (Delete): no more waiting.
void WaitClientDrained(int fifo_r, bool client, const std::atomic<bool>& closing) {
  if (!client || fifo_r < 0) return;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kClientDrainMs);
  for (;;) {
    int queued = 0;
    if (ioctl(fifo_r, FIONREAD, &queued) != 0 || queued == 0) return;
    if (closing || std::chrono::steady_clock::now() >= until) return;
    usleep(200);
  }
}

bool OpenOutputFifo(const std::string& path, int* w, int* r, bool* client, std::string* err) {
  // The writer first, and only once the client's reader is there (a reader
  // blocked in open(2) counts): when the guest's output ends, the shim
  // closes both its ends, and a FIFO that nobody has open drops what is
  // buffered in it. containerd opens its readers from a goroutine, so one
  // may not be there yet: wait for it, bounded (ENXIO means no reader).
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kClientReaderWaitMs);
  for (;;) {
    *w = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (*w >= 0 || errno != ENXIO || std::chrono::steady_clock::now() >= until) break;
    usleep(500);
  }
  if (*w < 0 && errno != ENXIO) {
    *err = "open output FIFO " + path + " for writing: " + strerror(errno);
    return false;
  }
  *client = *w >= 0;
  // Our own reader: writes never hit EPIPE while the client is detached.
  *r = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (*r < 0) {
    *err = "open output FIFO " + path + " for reading: " + strerror(errno);
    CloseFd(w);
    return false;
  }
  // No client reader came: the output is buffered in the FIFO, as for a
  // client that detached.
  if (*w < 0) *w = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (*w < 0) {
    *err = "open output FIFO " + path + " for writing: " + strerror(errno);
    CloseFd(r);
    return false;
  }
  return true;
}

bool OpenStdinFifo(const std::string& path, int* r, int* w, std::string* err) {
  *r = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (*r < 0) {
    *err = "open stdin FIFO " + path + ": " + strerror(errno);
    return false;
  }
  // Held until CloseIO, so the reader sees no EOF before the client writes.
  *w = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (*w < 0) {
    *err = "open stdin FIFO " + path + " for writing: " + strerror(errno);
    CloseFd(r);
    return false;
  }
  return true;
}

bool OpenLogFile(const std::string& uri, int* fd, std::string* err) {
  std::string path = uri.substr(strlen("file://"));
  if (path.empty() || path[0] != '/') {
    *err = "log URI '" + uri + "': path must be absolute";
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    *err = "log URI '" + uri + "': mkdir: " + ec.message();
    return false;
  }
  *fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (*fd < 0) {
    *err = "open log file " + path + ": " + strerror(errno);
    return false;
  }
  return true;
}

bool Pipe(int fds[2], std::string* err) {
  if (pipe2(fds, O_CLOEXEC) == 0) return true;
  *err = std::string("pipe: ") + strerror(errno);
  return false;
}

}  // namespace

std::unique_ptr<ProcessIo> ProcessIo::Open(const IoConfig& cfg, std::string* err) {
  auto io = std::unique_ptr<ProcessIo>(new ProcessIo());
  io->cfg_ = cfg;
  auto guest_fd = [&](int fd) {
    io->guest_fds_.push_back(fd);
    return fd;
  };
  const std::string& out = cfg.stdout_path;
  bool file_log = HasScheme(out, "file://");
  bool binary_log = HasScheme(out, "binary://");

  if (!cfg.stdin_path.empty() &&
      !OpenStdinFifo(FifoPath(cfg.stdin_path), &io->stdin_fifo_r_, &io->stdin_fifo_w_, err))
    return nullptr;

  if (cfg.terminal) {
    io->pty_master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    char name[128];
    if (io->pty_master_ < 0 || grantpt(io->pty_master_) != 0 || unlockpt(io->pty_master_) != 0 ||
        ptsname_r(io->pty_master_, name, sizeof name) != 0) {
      *err = std::string("create pty: ") + strerror(errno);
      return nullptr;
    }
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
      *err = std::string("open pty slave ") + name + ": " + strerror(errno);
      return nullptr;
    }
    io->guest_ = {guest_fd(slave), slave, slave};
  } else if (!cfg.stdin_path.empty()) {
    int p[2];
    if (!Pipe(p, err)) return nullptr;
    io->guest_.in = guest_fd(p[0]);
    io->stdin_pipe_w_ = p[1];
  }

  // Where the output goes: for a terminal only the master's copy to stdout.
  if (file_log) {
    int fd;
    if (!OpenLogFile(out, &fd, err)) return nullptr;
    if (cfg.terminal) {
      io->out_fifo_w_ = fd;  // the master's output is copied into the file
    } else {
      io->guest_.out = io->guest_.err = guest_fd(fd);
    }
  } else if (binary_log) {
    int ow = -1, ew = -1;
    io->logger_ = BinaryLogger::Start(out, cfg.container_id, cfg.ns, &ow, &ew, err);
    if (!io->logger_) return nullptr;
    if (cfg.terminal) {
      io->out_fifo_w_ = ow;
      close(ew);
    } else {
      io->guest_.out = guest_fd(ow);
      io->guest_.err = guest_fd(ew);
    }
  } else {
    if (!out.empty() &&
        !OpenOutputFifo(FifoPath(out), &io->out_fifo_w_, &io->out_fifo_r_, &io->out_client_, err))
      return nullptr;
    if (!cfg.terminal && !cfg.stderr_path.empty() &&
        !OpenOutputFifo(FifoPath(cfg.stderr_path), &io->err_fifo_w_, &io->err_fifo_r_,
                        &io->err_client_, err))
      return nullptr;
    if (!cfg.terminal) {
      int p[2];
      if (io->out_fifo_w_ >= 0) {
        if (!Pipe(p, err)) return nullptr;
        io->out_pipe_r_ = p[0];
        io->guest_.out = guest_fd(p[1]);
      }
      if (io->err_fifo_w_ >= 0) {
        if (!Pipe(p, err)) return nullptr;
        io->err_pipe_r_ = p[0];
        io->guest_.err = guest_fd(p[1]);
      }
    }
  }
  return io;
}

void ProcessIo::CloseGuestEnds() {
  std::sort(guest_fds_.begin(), guest_fds_.end());
  guest_fds_.erase(std::unique(guest_fds_.begin(), guest_fds_.end()), guest_fds_.end());
  for (int fd : guest_fds_) close(fd);
  guest_fds_.clear();
  guest_ = {};
}

void ProcessIo::StartCopying() {
  if (stdin_fifo_r_ >= 0) {
    int dst = pty_master_ >= 0 ? pty_master_ : stdin_pipe_w_;
    // The client closed stdin: pass EOF on by closing the guest's pipe.
    in_copy_ = std::make_unique<Copier>(stdin_fifo_r_, dst, [this] {
      if (pty_master_ < 0) {
        int fd = stdin_pipe_w_;
        stdin_pipe_w_ = -1;
        if (fd >= 0) close(fd);
      }
    });
  }
  // Once the guest's side ends, the FIFO's writer (and the shim's own
  // reader) close, as the runc shim does: the client's copy then reads what
  // is left and sees EOF. containerd >= 1.7 waits for that EOF in
  // task.Delete before it calls Delete.
  // First the client reads what is left (WaitClientDrained).
  auto close_out = [this] {
    WaitClientDrained(out_fifo_r_, out_client_, closing_);
    CloseFd(&out_fifo_w_);
    CloseFd(&out_fifo_r_);
  };
  auto close_err = [this] {
    WaitClientDrained(err_fifo_r_, err_client_, closing_);
    CloseFd(&err_fifo_w_);
    CloseFd(&err_fifo_r_);
  };
  if (pty_master_ >= 0) {
    // Always drain the master, even unattached, so the guest never blocks on a full tty.
    out_copy_ = std::make_unique<Copier>(pty_master_, out_fifo_w_, close_out);
    return;
  }
  if (out_pipe_r_ >= 0) out_copy_ = std::make_unique<Copier>(out_pipe_r_, out_fifo_w_, close_out);
  if (err_pipe_r_ >= 0) err_copy_ = std::make_unique<Copier>(err_pipe_r_, err_fifo_w_, close_err);
}

bool ProcessIo::ResizePty(uint32_t width, uint32_t height, std::string* err) {
  if (pty_master_ < 0) {
    *err = "process has no terminal";
    return false;
  }
  winsize ws{};
  ws.ws_col = static_cast<unsigned short>(width);
  ws.ws_row = static_cast<unsigned short>(height);
  if (ioctl(pty_master_, TIOCSWINSZ, &ws) != 0) {
    *err = std::string("TIOCSWINSZ: ") + strerror(errno);
    return false;
  }
  return true;
}

void ProcessIo::CloseStdin() {
  CloseFd(&stdin_fifo_w_);
}

bool ProcessIo::WaitOutput(int ms) {
  auto start = std::chrono::steady_clock::now();
  auto left = [&] {
    auto used = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    return int(std::max<long>(0, ms - used));
  };
  bool ok = true;
  if (out_copy_) ok = out_copy_->WaitEof(left()) && ok;
  if (err_copy_) ok = err_copy_->WaitEof(left()) && ok;
  return ok;
}

ProcessIo::~ProcessIo() {
  closing_ = true;  // a copy waiting for the client to read gives up
  in_copy_.reset();
  out_copy_.reset();
  err_copy_.reset();
  CloseGuestEnds();
  for (int* fd : {&pty_master_, &stdin_fifo_r_, &stdin_fifo_w_, &stdin_pipe_w_, &out_fifo_w_,
                  &out_fifo_r_, &err_fifo_w_, &err_fifo_r_, &out_pipe_r_, &err_pipe_r_})
    CloseFd(fd);
  logger_.reset();
}

}  // namespace litebox::shim::io
