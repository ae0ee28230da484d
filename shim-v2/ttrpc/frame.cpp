#include "shim-v2/ttrpc/frame.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace litebox::shim::ttrpc {

namespace {

void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

uint32_t GetBe32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// Reads exactly n bytes. Returns n, 0 at EOF before any byte, -1 on error or
// EOF in the middle (errno = EPIPE then).
ssize_t ReadFull(int fd, void* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, static_cast<char*>(buf) + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) {
      if (got == 0) return 0;
      errno = EPIPE;
      return -1;
    }
    got += size_t(r);
  }
  return ssize_t(got);
}

}  // namespace

void EncodeHeader(const FrameHeader& h, uint8_t out[kHeaderSize]) {
  PutBe32(out, h.length);
  PutBe32(out + 4, h.stream_id);
  out[8] = h.type;
  out[9] = h.flags;
}

FrameHeader DecodeHeader(const uint8_t in[kHeaderSize]) {
  return FrameHeader{GetBe32(in), GetBe32(in + 4), in[8], in[9]};
}

ReadStatus ReadFrame(int fd, FrameHeader* header, std::string* payload, std::string* err) {
  uint8_t hb[kHeaderSize];
  ssize_t r = ReadFull(fd, hb, sizeof hb);
  if (r == 0) return ReadStatus::kEof;
  if (r < 0) {
    *err = std::string("ttrpc: reading frame header: ") + strerror(errno);
    return ReadStatus::kError;
  }
  *header = DecodeHeader(hb);
  if (header->length > kMaxMessageSize) {
    // Discard the oversized payload so the stream stays in sync.
    char sink[65536];
    uint64_t left = header->length;
    while (left > 0) {
      size_t chunk = left < sizeof sink ? size_t(left) : sizeof sink;
      if (ReadFull(fd, sink, chunk) <= 0) {
        *err = "ttrpc: stream ended inside an oversized frame";
        return ReadStatus::kError;
      }
      left -= chunk;
    }
    payload->clear();
    return ReadStatus::kTooLarge;
  }
  payload->resize(header->length);
  if (header->length > 0 && ReadFull(fd, payload->data(), header->length) <= 0) {
    *err = std::string("ttrpc: reading ") + std::to_string(header->length) +
           "-byte frame payload: " + strerror(errno);
    return ReadStatus::kError;
  }
  return ReadStatus::kOk;
}

bool WriteFrame(int fd, uint32_t stream_id, uint8_t type, uint8_t flags, std::string_view payload,
                std::string* err) {
  if (payload.size() > kMaxMessageSize) {
    *err = "ttrpc: refusing to send a " + std::to_string(payload.size()) +
           "-byte message (limit 4 MiB)";
    return false;
  }
  uint8_t hb[kHeaderSize];
  EncodeHeader(FrameHeader{uint32_t(payload.size()), stream_id, type, flags}, hb);
  iovec iov[2] = {{hb, sizeof hb}, {const_cast<char*>(payload.data()), payload.size()}};
  size_t total = sizeof hb + payload.size();
  size_t done = 0;
  int idx = 0;
  while (done < total) {
    msghdr msg{};
    msg.msg_iov = iov + idx;
    msg.msg_iovlen = 2 - idx;
    // sendmsg instead of writev: MSG_NOSIGNAL, so a vanished peer is an error, not SIGPIPE.
    ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOTSOCK) w = writev(fd, iov + idx, 2 - idx);
      if (w < 0) {
        *err = std::string("ttrpc: writing frame: ") + strerror(errno);
        return false;
      }
    }
    done += size_t(w);
    size_t adv = size_t(w);
    while (idx < 2 && adv >= iov[idx].iov_len) {
      adv -= iov[idx].iov_len;
      iov[idx].iov_len = 0;
      ++idx;
    }
    if (idx < 2) {
      iov[idx].iov_base = static_cast<char*>(iov[idx].iov_base) + adv;
      iov[idx].iov_len -= adv;
    }
  }
  return true;
}

}  // namespace litebox::shim::ttrpc
