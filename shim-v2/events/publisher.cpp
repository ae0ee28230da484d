#include "shim-v2/events/publisher.hpp"

#include <time.h>

#include <cstdio>

#include "github.com/containerd/containerd/api/services/ttrpc/events/v1/events.pb.h"
#include "shim-v2/ttrpc/client.hpp"

namespace litebox::shim::events {

namespace {
constexpr char kService[] = "containerd.services.events.ttrpc.v1.Events";
constexpr int kMaxAttempts = 5;
}  // namespace

Publisher::Publisher(std::string ttrpc_address, std::string ns)
    : address_(std::move(ttrpc_address)), ns_(std::move(ns)) {
  thread_ = std::thread([this] { Run(); });
}

Publisher::~Publisher() {
  Close(std::chrono::seconds(2));
}

void Publisher::Publish(const std::string& topic, const google::protobuf::Message& event) {
  containerd::services::events::ttrpc::v1::ForwardRequest req;
  auto* env = req.mutable_envelope();
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  env->mutable_timestamp()->set_seconds(now.tv_sec);
  env->mutable_timestamp()->set_nanos(int32_t(now.tv_nsec));
  env->set_namespace_(ns_);
  env->set_topic(topic);
  // containerd 1.6 matches the bare full name; Any::PackFrom would add
  // "type.googleapis.com/".
  env->mutable_event()->set_type_url(event.GetDescriptor()->full_name());
  event.SerializeToString(env->mutable_event()->mutable_value());
  Item item;
  req.SerializeToString(&item.envelope);
  item.topic = topic;
  std::lock_guard<std::mutex> lock(mu_);
  if (closing_) {
    fprintf(stderr, "litebox-shim: event %s published after close: dropped\n", topic.c_str());
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(item));
  cv_.notify_all();
}

void Publisher::Run() {
  std::unique_ptr<ttrpc::Client> client;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closing and drained
    Item item = queue_.front();
    busy_ = true;
    lock.unlock();

    std::string err;
    bool sent = false;
    if (address_.empty()) {
      err = "TTRPC_ADDRESS is not set";
    } else {
      if (!client || client->broken()) client = ttrpc::Client::Dial(address_, &err);
      if (client) {
        ttrpc::Reply r =
            client->Call(kService, "Forward", item.envelope, {{"containerd-namespace-ttrpc", ns_}},
                         std::chrono::seconds(5));
        sent = r.ok();
        if (!sent) err = r.message;
      }
    }

    lock.lock();
    busy_ = false;
    if (queue_.empty()) {  // Close gave up on the queue while we were sending
      cv_.notify_all();
      continue;
    }
    if (sent) {
      queue_.pop_front();
    } else if (++queue_.front().attempts >= kMaxAttempts || address_.empty()) {
      fprintf(stderr, "litebox-shim: dropping event %s after %d attempts: %s\n", item.topic.c_str(),
              queue_.front().attempts, err.c_str());
      ++dropped_;
      queue_.pop_front();
    } else {
      // Later events wait behind this one: order matters more than latency.
      int delay = queue_.front().attempts;
      fprintf(stderr, "litebox-shim: event %s: %s (retry in %d s)\n", item.topic.c_str(),
              err.c_str(), delay);
      cv_.wait_for(lock, std::chrono::seconds(delay), [&] { return closing_; });
    }
    cv_.notify_all();
  }
}

void Publisher::Close(std::chrono::milliseconds timeout) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
    closing_ = true;
    if (!queue_.empty()) {
      fprintf(stderr, "litebox-shim: closing with %zu undelivered events\n", queue_.size());
      dropped_ += int(queue_.size());
      queue_.clear();
    }
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace litebox::shim::events
