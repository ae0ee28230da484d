// The event publisher against a real ttrpc server on a unix socket playing
// containerd's Events service: order, bare type URLs, namespace, retry.
#include "shim-v2/events/publisher.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "github.com/containerd/containerd/api/events/task.pb.h"
#include "github.com/containerd/containerd/api/services/ttrpc/events/v1/events.pb.h"
#include "shim-v2/cli/address.hpp"
#include "shim-v2/ttrpc/server.hpp"

namespace litebox::shim::events {
namespace {

using namespace std::chrono_literals;

struct Received {
  std::string ns_meta, ns, topic, type_url;
  uint32_t pid = 0;
};

class EventSink {
 public:
  explicit EventSink(std::string path) : path_(std::move(path)) {
    server_.Register("containerd.services.events.ttrpc.v1.Events", "Forward",
                     [this](const ttrpc::Call& call) {
                       containerd::services::events::ttrpc::v1::ForwardRequest req;
                       if (!req.ParseFromString(call.payload))
                         return ttrpc::Reply::Error(ttrpc::kInvalidArgument, "bad");
                       Received r;
                       r.ns_meta = call.Meta("containerd-namespace-ttrpc");
                       r.ns = req.envelope().namespace_();
                       r.topic = req.envelope().topic();
                       r.type_url = req.envelope().event().type_url();
                       containerd::events::TaskStart start;
                       if (start.ParseFromString(req.envelope().event().value()))
                         r.pid = start.pid();
                       std::lock_guard<std::mutex> lock(mu_);
                       got_.push_back(r);
                       return ttrpc::Reply::Ok("");
                     });
  }
  void Listen() {
    int fd;
    std::string err;
    ASSERT_EQ(cli::Listen(path_, &fd, &err), cli::ListenResult::kListening) << err;
    thread_ = std::thread([this, fd] {
      std::string e;
      server_.Serve(fd, &e);
      close(fd);
    });
  }
  ~EventSink() {
    server_.Stop();
    if (thread_.joinable()) thread_.join();
    unlink(path_.c_str());
  }
  std::vector<Received> WaitFor(size_t n, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (got_.size() >= n || std::chrono::steady_clock::now() > until) return got_;
      }
      std::this_thread::sleep_for(10ms);
    }
  }

 private:
  std::string path_;
  ttrpc::Server server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Received> got_;
};

std::string TempSocket() {
  return "/tmp/shim-pub-test-" + std::to_string(getpid()) + ".sock";
}

TEST(Publisher, DeliversInOrderWithBareTypeUrlAndNamespace) {
  std::string path = TempSocket();
  EventSink sink(path);
  sink.Listen();
  {
    Publisher pub(path, "testns");
    for (uint32_t i = 1; i <= 20; ++i) {
      containerd::events::TaskStart ev;
      ev.set_container_id("c");
      ev.set_pid(i);
      pub.Publish("/tasks/start", ev);
    }
    pub.Close(5s);
    EXPECT_EQ(pub.dropped(), 0);
  }
  auto got = sink.WaitFor(20, 5s);
  ASSERT_EQ(got.size(), 20u);
  for (uint32_t i = 0; i < 20; ++i) {
    EXPECT_EQ(got[i].pid, i + 1);
    EXPECT_EQ(got[i].type_url, "containerd.events.TaskStart");
    EXPECT_EQ(got[i].topic, "/tasks/start");
    EXPECT_EQ(got[i].ns, "testns");
    EXPECT_EQ(got[i].ns_meta, "testns");
  }
}

TEST(Publisher, RetriesUntilContainerdListens) {
  std::string path = TempSocket();
  unlink(path.c_str());
  EventSink sink(path);
  Publisher pub(path, "default");
  containerd::events::TaskStart a, b;
  a.set_pid(1);
  b.set_pid(2);
  pub.Publish("/tasks/start", a);
  pub.Publish("/tasks/start", b);
  std::this_thread::sleep_for(1500ms);  // first attempt fails: nobody listens
  EXPECT_TRUE(sink.WaitFor(1, 0ms).empty());
  sink.Listen();
  auto got = sink.WaitFor(2, 8s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].pid, 1u);
  EXPECT_EQ(got[1].pid, 2u);
  pub.Close(1s);
  EXPECT_EQ(pub.dropped(), 0);
}

TEST(Publisher, DropsAfterFiveAttemptsAndSaysSo) {
  Publisher pub("/nonexistent/litebox/events.sock", "default");
  containerd::events::TaskStart a;
  pub.Publish("/tasks/start", a);
  // 5 attempts, 1+2+3+4 s apart, would take 10 s: Close gives up earlier
  // and counts the event as dropped instead of losing it silently.
  pub.Close(500ms);
  EXPECT_EQ(pub.dropped(), 1);
}

}  // namespace
}  // namespace litebox::shim::events
