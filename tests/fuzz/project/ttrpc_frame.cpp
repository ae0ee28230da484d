// The shim's ttrpc frame reader on an arbitrary byte stream (what a peer on
// the shim's socket can send): frames are read until the stream ends or an
// error; no crash, no over-read, no allocation beyond the 4 MiB limit.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

#include "shim-v2/ttrpc/frame.hpp"

using namespace litebox::shim::ttrpc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) abort();
  // A writer thread: the input may exceed the socket buffer.
  std::thread writer([&] {
    size_t off = 0;
    while (off < size) {
      ssize_t n = send(sv[1], data + off, size - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(sv[1]);
  });
  for (int frames = 0; frames < 1000; ++frames) {
    FrameHeader h;
    std::string payload, err;
    ReadStatus st = ReadFrame(sv[0], &h, &payload, &err);
    if (st == ReadStatus::kOk && payload.size() != h.length) abort();
    if (st == ReadStatus::kOk && h.length > kMaxMessageSize) abort();
    if (st == ReadStatus::kEof || st == ReadStatus::kError) break;
  }
  close(sv[0]);
  writer.join();
  // Header coding round trip on the first bytes.
  if (size >= kHeaderSize) {
    FrameHeader h = DecodeHeader(data);
    uint8_t out[kHeaderSize];
    EncodeHeader(h, out);
    FrameHeader back = DecodeHeader(out);
    if (back.length != h.length || back.stream_id != h.stream_id || back.type != h.type ||
        back.flags != h.flags)
      abort();
  }
  return 0;
}
