// Command line of the shim, as containerd passes it (Go `flag` syntax):
//   <shim> -namespace NS -address ADDR -publish-binary P -id ID [-debug] [-bundle B] start|delete
// Also accepted: --flag value, -flag=value, --flag=value. The daemon is the
// same program with no action word.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace litebox::shim::cli {

struct Flags {
  std::string ns;
  std::string address;  // containerd's grpc socket path
  std::string publish_binary;
  std::string id;
  std::string bundle;
  std::string socket;  // daemon only: the ttrpc address it serves (fd 3)
  bool debug = false;
  bool version = false;
  std::string action;  // "start", "delete" or "" (daemon)
};

// Returns nullopt with *err naming the bad argument.
std::optional<Flags> ParseFlags(const std::vector<std::string>& args, std::string* err);

}  // namespace litebox::shim::cli
