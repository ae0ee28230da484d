// The ttrpc server and client over real socketpairs: routing errors,
// metadata, out-of-order concurrent requests, ResourceExhausted.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "litebox/ttrpc.pb.h"
#include "shim-v2/ttrpc/client.hpp"
#include "shim-v2/ttrpc/frame.hpp"
#include "shim-v2/ttrpc/server.hpp"

namespace litebox::shim::ttrpc {
namespace {

using namespace std::chrono_literals;

struct Fixture : ::testing::Test {
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    server.Register("test.Svc", "Echo", [](const Call& c) {
      return Reply::Ok(c.payload + "|" + c.Meta("containerd-namespace-ttrpc"));
    });
    server.Register("test.Svc", "Fail",
                    [](const Call&) { return Reply::Error(kNotFound, "thing: not found"); });
    server.Register("test.Svc", "Block", [this](const Call&) {
      release.get_future().wait();
      return Reply::Ok("unblocked");
    });
  }
  void TearDown() override {
    server.Stop();
    if (serving.joinable()) serving.join();
  }
  void Serve() {
    serving = std::thread([this] { server.ServeConnection(sv[1]); });
  }
  int sv[2];
  Server server;
  std::promise<void> release;
  std::thread serving;
};

TEST_F(Fixture, UnaryCallCarriesPayloadAndMetadata) {
  Serve();
  Client client(sv[0]);
  Reply r = client.Call("test.Svc", "Echo", "ping", {{"containerd-namespace-ttrpc", "k8s.io"}}, 2s);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.payload, "ping|k8s.io");
}

TEST_F(Fixture, ErrorsKeepCodeAndMessage) {
  Serve();
  Client client(sv[0]);
  Reply r = client.Call("test.Svc", "Fail", "", {}, 2s);
  EXPECT_EQ(r.code, kNotFound);
  EXPECT_EQ(r.message, "thing: not found");
}

TEST_F(Fixture, UnknownServiceAndMethodAreUnimplemented) {
  Serve();
  Client client(sv[0]);
  Reply r = client.Call("no.Such", "Echo", "", {}, 2s);
  EXPECT_EQ(r.code, kUnimplemented);
  EXPECT_EQ(r.message, "service no.Such");
  r = client.Call("test.Svc", "Nope", "", {}, 2s);
  EXPECT_EQ(r.code, kUnimplemented);
  EXPECT_EQ(r.message, "method Nope");
}

TEST_F(Fixture, BlockedRequestDoesNotHoldUpLaterOnes) {
  Serve();
  int fd = sv[0];
  auto send = [&](uint32_t id, const std::string& method) {
    litebox::ttrpc::Request req;
    req.set_service("test.Svc");
    req.set_method(method);
    req.set_payload("x");
    std::string data, err;
    req.SerializeToString(&data);
    ASSERT_TRUE(WriteFrame(fd, id, kTypeRequest, 0, data, &err)) << err;
  };
  send(1, "Block");
  send(3, "Echo");
  FrameHeader h;
  std::string data, err;
  // The Echo on stream 3 is answered while stream 1 is still blocked.
  ASSERT_EQ(ReadFrame(fd, &h, &data, &err), ReadStatus::kOk);
  EXPECT_EQ(h.stream_id, 3u);
  EXPECT_EQ(h.type, kTypeResponse);
  // The Echo thread decrements after sending: give it a moment.
  for (int i = 0; i < 100 && server.InFlight() != 1; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(server.InFlight(), 1);  // only the Block is still being handled
  release.set_value();
  ASSERT_EQ(ReadFrame(fd, &h, &data, &err), ReadStatus::kOk);
  EXPECT_EQ(h.stream_id, 1u);
  litebox::ttrpc::Response resp;
  ASSERT_TRUE(resp.ParseFromString(data));
  EXPECT_EQ(resp.status().code(), 0);
  EXPECT_EQ(resp.payload(), "unblocked");
  close(fd);
}

TEST_F(Fixture, OversizedRequestGetsResourceExhaustedAndConnectionLives) {
  Serve();
  int fd = sv[0];
  std::thread writer([&] {
    uint8_t h[kHeaderSize];
    std::string big(kMaxMessageSize + 10, 'z');
    EncodeHeader({uint32_t(big.size()), 7, kTypeRequest, 0}, h);
    ASSERT_EQ(write(fd, h, sizeof h), ssize_t(sizeof h));
    size_t off = 0;
    while (off < big.size()) {
      ssize_t w = write(fd, big.data() + off, big.size() - off);
      ASSERT_GT(w, 0);
      off += size_t(w);
    }
  });
  FrameHeader h;
  std::string data, err;
  ASSERT_EQ(ReadFrame(fd, &h, &data, &err), ReadStatus::kOk);
  writer.join();
  EXPECT_EQ(h.stream_id, 7u);
  litebox::ttrpc::Response resp;
  ASSERT_TRUE(resp.ParseFromString(data));
  EXPECT_EQ(resp.status().code(), kResourceExhausted);
  Client client(fd);
  Reply r = client.Call("test.Svc", "Echo", "still", {}, 2s);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.payload, "still|");
}

TEST_F(Fixture, ClientTimesOutOnSlowServer) {
  Serve();
  Client client(sv[0]);
  auto t0 = std::chrono::steady_clock::now();
  Reply r = client.Call("test.Svc", "Block", "", {}, 200ms);
  EXPECT_EQ(r.code, kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  // The connection stays usable; the late answer is dropped.
  Reply e = client.Call("test.Svc", "Echo", "after", {}, 2s);
  EXPECT_TRUE(e.ok()) << e.message;
  release.set_value();
  e = client.Call("test.Svc", "Echo", "again", {}, 2s);
  EXPECT_EQ(e.payload, "again|");
}

TEST_F(Fixture, ConcurrentCallsShareOneClient) {
  Serve();
  Client client(sv[0]);
  auto blocked =
      std::async(std::launch::async, [&] { return client.Call("test.Svc", "Block", "", {}, 5s); });
  std::this_thread::sleep_for(50ms);
  Reply e = client.Call("test.Svc", "Echo", "meanwhile", {}, 2s);
  EXPECT_EQ(e.payload, "meanwhile|");
  EXPECT_EQ(blocked.wait_for(0ms), std::future_status::timeout);
  release.set_value();
  Reply b = blocked.get();
  EXPECT_EQ(b.payload, "unblocked");
}

TEST_F(Fixture, ClientReportsClosedConnectionAsUnavailable) {
  close(sv[1]);
  Client client(sv[0]);
  Reply r = client.Call("test.Svc", "Echo", "", {}, 1s);
  EXPECT_EQ(r.code, kUnavailable);
  EXPECT_TRUE(client.broken());
}

}  // namespace
}  // namespace litebox::shim::ttrpc
