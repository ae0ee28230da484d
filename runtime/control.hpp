// The caller <-> supervisor control protocol: one JSON object per
// SOCK_SEQPACKET datagram, optionally with fds (SCM_RIGHTS). Requests carry
// "op"; replies carry "ok" and either results or "error" (a sentence).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace litebox::runtime {

inline constexpr size_t kMaxControlMessage = 256 * 1024;

bool SendControl(int fd, const nlohmann::json& msg, const std::vector<int>& fds = {});
// Returns false on EOF/error (or a malformed datagram: *err says which).
bool RecvControl(int fd, nlohmann::json* msg, std::vector<int>* fds, std::string* err);
// Request + reply on a connected control socket. Returns false with *err
// (transport failure or the supervisor's "error").
// Fds that came with the reply go to *reply_fds (closed if it is null).
bool CallControl(int fd, const nlohmann::json& req, nlohmann::json* reply, std::string* err,
                 const std::vector<int>& fds = {}, std::vector<int>* reply_fds = nullptr);

}  // namespace litebox::runtime
