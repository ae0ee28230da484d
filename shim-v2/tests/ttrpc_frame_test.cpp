// ttrpc framing and the envelope messages, checked against the byte-level
// example in docs/shim-v2-protocol.md (written from ttrpc's Go source, not
// from this code).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "github.com/containerd/containerd/runtime/v2/task/shim.pb.h"
#include "litebox/ttrpc.pb.h"
#include "shim-v2/ttrpc/frame.hpp"

namespace litebox::shim::ttrpc {
namespace {

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

TEST(TtrpcFrame, ConnectRequestMatchesDocumentedBytes) {
  containerd::task::v2::ConnectRequest connect;
  connect.set_id("abc");
  std::string payload;
  connect.SerializeToString(&payload);
  EXPECT_EQ(Hex(payload), "0a03616263");

  litebox::ttrpc::Request req;
  req.set_service("containerd.task.v2.Task");
  req.set_method("Connect");
  req.set_payload(payload);
  auto* kv = req.add_metadata();
  kv->set_key("containerd-namespace-ttrpc");
  kv->set_value("default");
  std::string data;
  req.SerializeToString(&data);
  EXPECT_EQ(data.size(), 80u);
  EXPECT_EQ(Hex(data.substr(0, 2)), "0a17");
  EXPECT_EQ(Hex(data.substr(25, 2)), "1207");
  EXPECT_EQ(Hex(data.substr(34, 2)), "1a05");
  EXPECT_EQ(Hex(data.substr(41, 2)), "2a25");

  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  std::string err;
  ASSERT_TRUE(WriteFrame(sv[0], 1, kTypeRequest, 0, data, &err)) << err;
  char raw[10];
  ASSERT_EQ(read(sv[1], raw, 10), 10);
  EXPECT_EQ(Hex(std::string(raw, 10)), "00000050000000010100");
  close(sv[0]);
  close(sv[1]);
}

TEST(TtrpcFrame, HeaderRoundTripIsBigEndian) {
  uint8_t b[kHeaderSize];
  EncodeHeader({0x01020304, 0xa0b0c0d0, kTypeData, 0x05}, b);
  EXPECT_EQ(Hex(std::string(reinterpret_cast<char*>(b), kHeaderSize)), "01020304a0b0c0d00305");
  FrameHeader h = DecodeHeader(b);
  EXPECT_EQ(h.length, 0x01020304u);
  EXPECT_EQ(h.stream_id, 0xa0b0c0d0u);
  EXPECT_EQ(h.type, kTypeData);
  EXPECT_EQ(h.flags, 5);
}

TEST(TtrpcFrame, OversizedFrameIsDiscardedAndStreamStaysInSync) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  std::string big(kMaxMessageSize + 1, 'x');
  // Written from a thread: the payload is larger than the socket buffer.
  std::thread writer([&] {
    uint8_t h[kHeaderSize];
    EncodeHeader({uint32_t(big.size()), 3, kTypeRequest, 0}, h);
    ASSERT_EQ(write(sv[0], h, sizeof h), ssize_t(sizeof h));
    size_t off = 0;
    while (off < big.size()) {
      ssize_t w = write(sv[0], big.data() + off, big.size() - off);
      ASSERT_GT(w, 0);
      off += size_t(w);
    }
    std::string e;
    ASSERT_TRUE(WriteFrame(sv[0], 5, kTypeRequest, 0, "after", &e));
  });
  FrameHeader h;
  std::string payload, err;
  EXPECT_EQ(ReadFrame(sv[1], &h, &payload, &err), ReadStatus::kTooLarge);
  EXPECT_EQ(h.stream_id, 3u);
  EXPECT_EQ(ReadFrame(sv[1], &h, &payload, &err), ReadStatus::kOk);
  EXPECT_EQ(h.stream_id, 5u);
  EXPECT_EQ(payload, "after");
  writer.join();
  close(sv[0]);
  EXPECT_EQ(ReadFrame(sv[1], &h, &payload, &err), ReadStatus::kEof);
  close(sv[1]);
}

TEST(TtrpcFrame, TruncatedFrameIsAnError) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  uint8_t h[kHeaderSize];
  EncodeHeader({100, 1, kTypeRequest, 0}, h);
  ASSERT_EQ(write(sv[0], h, sizeof h), ssize_t(sizeof h));
  ASSERT_EQ(write(sv[0], "short", 5), 5);
  close(sv[0]);
  FrameHeader hdr;
  std::string payload, err;
  EXPECT_EQ(ReadFrame(sv[1], &hdr, &payload, &err), ReadStatus::kError);
  EXPECT_NE(err.find("100-byte"), std::string::npos) << err;
  close(sv[1]);
}

TEST(TtrpcFrame, RefusesToSendOversizedMessage) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  std::string err;
  EXPECT_FALSE(WriteFrame(sv[0], 1, kTypeResponse, 0, std::string(kMaxMessageSize + 1, 'y'), &err));
  EXPECT_NE(err.find("4 MiB"), std::string::npos);
  close(sv[0]);
  close(sv[1]);
}

}  // namespace
}  // namespace litebox::shim::ttrpc
