// The supervisor's side of the libOS <-> supervisor wire format
// (libos/abi/proto.h). Every received byte is hostile: ReceiveRequest checks
// the whole datagram before anyone looks at it, and closes every fd that
// came with a request it rejects.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libos/abi/proto.h"
#include "rootfs/unique_fd.hpp"

namespace litebox::rootfs {

struct ReceivedRequest {
  proto::Request hdr{};  // on kMalformed: whatever header bytes arrived, zero-padded
  std::string str[2];
  std::vector<UniqueFd> fds;
  // Sender credentials if the datagram carried SCM_CREDENTIALS (kChildHello;
  // the receiving socket needs SO_PASSCRED).
  bool has_cred = false;
  struct ucred cred {};
};

// kWouldBlock: nothing is queued and the channel is non-blocking or
// `recv_flags` held MSG_DONTWAIT.
enum class RecvStatus { kOk, kClosed, kMalformed, kWouldBlock };

// Reads exactly one datagram from a SOCK_SEQPACKET channel. kClosed: the
// peer hung up (or the socket failed). kMalformed: *errno_out is EMSGSIZE
// (datagram larger than proto::kMaxMessage), EPROTO (unknown op) or EINVAL
// (anything else); out->hdr.op holds the op if it arrived, for the reply.
// `recv_flags` go to recvmsg as well (MSG_DONTWAIT).
RecvStatus ReceiveRequest(int channel, ReceivedRequest* out, int* errno_out, int recv_flags = 0);

// The checks of ReceiveRequest on a request already in memory (the shared
// page's copy): `out->fds` holds the fds that came with it (none there).
RecvStatus ParseRequest(const char* buf, size_t n, ReceivedRequest* out, int* errno_out);

// True if `op` is one proto::Op names.
bool IsKnownOp(uint32_t op);
// True for ops 10..33 whose strings are paths (length and NUL checks apply).
bool IsPathOp(uint32_t op);

// Largest payload a response can carry.
inline constexpr size_t kMaxPayload = proto::kMaxMessage - sizeof(proto::Response);

// Sends one response datagram (with `fd` attached if >= 0; the caller keeps
// its copy). False if the payload is too large or the send failed.
// `dont_wait`: fail rather than block on a full socket (a datagram the
// guest did not ask for; it may have filled the buffer on purpose).
// `fd2`: a second fd after `fd` (kHello).
bool SendResponse(int channel, uint32_t op, int64_t result, int64_t aux0, std::string_view payload,
                  int fd = -1, bool dont_wait = false, int fd2 = -1);
// The same with a header the caller filled in (op, result, aux; magic,
// size and nfds are set here): for a reply that needs aux[1] (kSetIds).
bool SendResponse(int channel, proto::Response header, std::string_view payload, int fd = -1,
                  bool dont_wait = false, int fd2 = -1);

// Writes the same response (no fd) into `out`: its length, or 0 if it does
// not fit in `cap` bytes.
size_t EncodeResponse(char* out, size_t cap, uint32_t op, int64_t result, int64_t aux0,
                      std::string_view payload);

}  // namespace litebox::rootfs
