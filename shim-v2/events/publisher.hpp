// Publishes task events to containerd over ttrpc
// (containerd.services.events.ttrpc.v1.Events/Forward on TTRPC_ADDRESS).
// One FIFO queue and one sender thread keep events in the order they were
// published; a failed send is retried (up to 5 times, 1 s, 2 s, ... apart)
// on a fresh connection, as containerd's own runc shim does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "google/protobuf/message.h"

namespace litebox::shim::events {

class Publisher {
 public:
  // ttrpc_address: containerd's ttrpc socket path; ns: the namespace sent in
  // metadata and envelopes. Empty address: events are logged as dropped.
  Publisher(std::string ttrpc_address, std::string ns);
  ~Publisher();  // Close(2 s)

  // topic e.g. "/tasks/exit"; event: a containerd.events.* message, sent as
  // Any{type_url = its bare full name}.
  void Publish(const std::string& topic, const google::protobuf::Message& event);
  // Waits until the queue is empty (or the timeout), then stops the sender.
  void Close(std::chrono::milliseconds timeout);

  // Topics that could not be delivered after all retries (for the log).
  int dropped() const { return dropped_; }

 private:
  struct Item {
    std::string envelope;  // serialized ForwardRequest
    std::string topic;
    int attempts = 0;
  };
  void Run();

  std::string address_, ns_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  bool busy_ = false;
  int dropped_ = 0;
  std::thread thread_;
};

}  // namespace litebox::shim::events
