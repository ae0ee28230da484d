// Requests to the supervisor over the process's SOCK_SEQPACKET channel
// (protocol: libos/abi/proto.h). One request at a time per process.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "libos/abi/proto.h"

namespace lb {

struct Rpc {
  // request
  uint32_t op = 0;
  int64_t arg[6] = {0, 0, 0, 0, 0, 0};
  const char* str[2] = {nullptr, nullptr};
  uint32_t str_len[2] = {0, 0};
  int fds[2] = {-1, -1};  // attached fds (slot 0, 1)
  int nfds = 0;
  int32_t dirfd_slot[2] = {-1, -1};
  bool cloexec = false;  // receive an fd with MSG_CMSG_CLOEXEC
  // reply
  void* payload = nullptr;
  size_t payload_cap = 0;
  size_t payload_len = 0;
  int64_t aux[2] = {0, 0};
  int fd_out = -1;
  int fd_out2 = -1;  // a second fd (kHello: proto::kHelloLookupFd)

  void set_str(int i, const char* s) {
    str[i] = s;
    str_len[i] = s ? static_cast<uint32_t>(__builtin_strlen(s)) : 0;
  }
};

// Sends the request and waits for the reply. Returns the reply's result
// (>= 0, or -errno). A broken channel means the supervisor is gone: the
// process exits (there is nobody left to serve it).
long rpc(Rpc& r);
// The same, for a caller that already holds the channel lock.
long rpc_locked(Rpc& r);
// Only the reply, to a request the supervisor answers unasked (r.op names
// it; proto::kHelloLaunchFollows).
long receive_unasked(Rpc& r);
// Sends a request the supervisor does not answer (proto.h says which).
void notify(Rpc& r);
// The same, for a caller that already holds the channel lock.
void notify_locked(Rpc& r);
// A notice (op with arg0 only) that goes out ahead of this process's next
// request or notification, not now: only for what the supervisor can also
// learn on its own meanwhile (kReaped).
void notify_later(uint32_t op, int64_t arg0);
// A request about one of the application's fds (attached as fd slot 0)
// with up to three integer arguments: -EBADF for an fd number the
// application cannot hold (negative, or in the libOS's reserved range).
long rpc_on_fd(uint32_t op, long fd_arg, long a0 = 0, long a1 = 0, long a2 = 0);

// Sends a debug line (best effort).
void log_line(const char* s);

// The channel's lock, for fork: held across the fork so the child does not
// inherit a request half-sent.
void channel_lock();
void channel_unlock();
void channel_reset_in_child();

}  // namespace lb
