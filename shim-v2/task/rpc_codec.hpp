// Request parsing and reply encoding shared by every Task RPC handler.
#pragma once

#include <string>

#include "shim-v2/ttrpc/status.hpp"

namespace litebox::shim::task {

// Parses a request message; on failure fills *reply with InvalidArgument
// naming the message type.
template <typename M>
bool Parse(const std::string& bytes, M* m, ttrpc::Reply* reply) {
  if (m->ParseFromString(bytes)) return true;
  *reply = ttrpc::Reply::Error(ttrpc::kInvalidArgument,
                               "request " + m->GetDescriptor()->full_name() + " does not parse");
  return false;
}

// A successful reply carrying `m`.
template <typename M>
ttrpc::Reply Ok(const M& m) {
  std::string out;
  m.SerializeToString(&out);
  return ttrpc::Reply::Ok(out);
}

}  // namespace litebox::shim::task
