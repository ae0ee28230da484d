// binary:///path/to/logger?key=value: a logging program containerd's users
// plug in (e.g. journald/file forwarders). It gets the container's stdout
// on fd 3 and stderr on fd 4, a readiness pipe on fd 5 (it closes it when
// ready), and an environment of only CONTAINER_ID and CONTAINER_NAMESPACE.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace litebox::shim::io {

struct LoggerUri {
  std::string path;
  std::vector<std::string> args;  // key, value, key, value ... in URI order
};
// Parses "binary:///abs/path?k=v&k2=v2" (percent-decoding). False + *err if malformed.
bool ParseBinaryUri(const std::string& uri, LoggerUri* out, std::string* err);

class BinaryLogger {
 public:
  // Starts the logger and waits (up to 10 s) until it closed fd 5. On
  // success *stdout_w / *stderr_w are the pipe ends the guest writes to.
  static std::unique_ptr<BinaryLogger> Start(const std::string& uri, const std::string& id,
                                             const std::string& ns, int* stdout_w, int* stderr_w,
                                             std::string* err);
  // SIGTERM, up to 12 s for it to exit, then SIGKILL.
  ~BinaryLogger();
  pid_t pid() const { return pid_; }

 private:
  BinaryLogger() = default;
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

}  // namespace litebox::shim::io
