// The shim's ttrpc socket address and how `start` claims it.
#pragma once

#include <string>

namespace litebox::shim::cli {

// Lower-case hex sha256 of `data`.
std::string Sha256Hex(const std::string& data);

// The grouping key: the first of the annotations io.containerd.runc.v2.group,
// io.kubernetes.cri.sandbox-id in <bundle>/config.json, else `id`. A missing
// or unreadable config.json is an error (containerd always writes one).
bool GroupingKey(const std::string& config_json_path, const std::string& id, std::string* key,
                 std::string* err);

// "unix:///run/containerd/s/<sha256(containerd_address/ns/group)>"
std::string SocketAddress(const std::string& containerd_address, const std::string& ns,
                          const std::string& group);

// Strips "unix://"; returns "" for anything else (abstract sockets: unsupported).
std::string SocketPath(const std::string& address);

enum class ListenResult { kListening, kInUse, kError };
// Creates, binds (mode 0600) and listens on path. kInUse: a live server is
// already answering there (the socket is left alone). A stale socket file
// (nobody answering) is removed and replaced.
ListenResult Listen(const std::string& path, int* fd, std::string* err);

// Writes `content` to `path` atomically (temp file + rename), no newline.
bool WriteFileAtomic(const std::string& path, const std::string& content, std::string* err);

}  // namespace litebox::shim::cli
