// The OCI state document (`runc state` output and what `litebox state`
// prints): runc's shape, field for field.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "oci/result.hpp"
#include "oci/spec.hpp"

namespace litebox::oci {

enum class Status { kCreating, kCreated, kRunning, kStopped, kPaused };

// "creating", "created", "running", "stopped", "paused".
const char* StatusName(Status s);
std::optional<Status> StatusFromName(std::string_view name);

using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;

// Go's time.RFC3339Nano in UTC, as runc writes it: trailing zeros of the
// fraction dropped, e.g. "2026-11-27T22:29:42.123456789Z",
// "2026-11-27T22:29:42.1Z", "2026-11-27T22:29:42Z".
std::string FormatRfc3339Nano(Timestamp t);
// Accepts any RFC 3339 date-time: fraction of 0-9 digits, "Z" or +hh:mm.
// Error path is `path`.
Result<Timestamp> ParseRfc3339(const std::string& text, const std::string& path = "created");

struct State {
  std::string oci_version = kOciVersion;  // "ociVersion"
  std::string id;
  int pid = 0;  // 0 when stopped
  Status status = Status::kCreating;
  std::string bundle;  // absolute path
  std::string rootfs;  // absolute path
  Timestamp created{};
  std::map<std::string, std::string> annotations;
  std::string owner;  // runc writes "" unless rootless with a user
  JsonExtras extras;
  bool operator==(const State&) const = default;
};

Result<State> ParseState(const std::string& json_text);
// Pretty JSON, 2-space indent, runc's field order, trailing newline.
std::string SerializeState(const State& state);

}  // namespace litebox::oci
