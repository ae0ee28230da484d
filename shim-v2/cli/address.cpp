#include "shim-v2/cli/address.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nlohmann/json.hpp"

namespace litebox::shim::cli {

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

bool GroupingKey(const std::string& config_json_path, const std::string& id, std::string* key,
                 std::string* err) {
  std::ifstream in(config_json_path);
  if (!in) {
    *err = config_json_path + ": cannot open: " + strerror(errno);
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *err = config_json_path + ": not a JSON object";
    return false;
  }
  *key = id;
  auto ann = j.find("annotations");
  if (ann == j.end() || !ann->is_object()) return true;
  for (const char* name : {"io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id"}) {
    auto it = ann->find(name);
    if (it == ann->end()) continue;
    if (!it->is_string()) {
      *err = config_json_path + ": annotations." + name + " is not a string";
      return false;
    }
    *key = it->get<std::string>();
    return true;
  }
  return true;
}

std::string SocketAddress(const std::string& containerd_address, const std::string& ns,
                          const std::string& group) {
  return "unix:///run/containerd/s/" + Sha256Hex(containerd_address + "/" + ns + "/" + group);
}

std::string SocketPath(const std::string& address) {
  if (address.rfind("unix://", 0) != 0) return "";
  return address.substr(7);
}

namespace {

bool FillAddr(const std::string& path, sockaddr_un* sa, std::string* err) {
  *sa = sockaddr_un{};
  sa->sun_family = AF_UNIX;
  if (path.size() >= sizeof sa->sun_path) {
    *err = "socket path " + path + " is longer than " + std::to_string(sizeof sa->sun_path - 1);
    return false;
  }
  memcpy(sa->sun_path, path.data(), path.size());
  return true;
}

bool Answers(const sockaddr_un& sa) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

}  // namespace

ListenResult Listen(const std::string& path, int* out, std::string* err) {
  sockaddr_un sa;
  if (!FillAddr(path, &sa, err)) return ListenResult::kError;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    *err = "mkdir " + std::filesystem::path(path).parent_path().string() + ": " + ec.message();
    return ListenResult::kError;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      *err = std::string("socket: ") + strerror(errno);
      return ListenResult::kError;
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      if (chmod(path.c_str(), 0600) != 0 || listen(fd, 64) != 0) {
        *err = "listen on " + path + ": " + strerror(errno);
        close(fd);
        unlink(path.c_str());
        return ListenResult::kError;
      }
      *out = fd;
      return ListenResult::kListening;
    }
    int e = errno;
    close(fd);
    if (e != EADDRINUSE) {
      *err = "bind " + path + ": " + strerror(e);
      return ListenResult::kError;
    }
    if (Answers(sa)) return ListenResult::kInUse;
    unlink(path.c_str());  // stale: its shim is gone
  }
  *err = "bind " + path + ": still in use after removing the stale socket";
  return ListenResult::kError;
}

bool WriteFileAtomic(const std::string& path, const std::string& content, std::string* err) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *err = "open " + tmp + ": " + strerror(errno);
    return false;
  }
  bool ok = write(fd, content.data(), content.size()) == ssize_t(content.size());
  int e = errno;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    *err = "write " + path + ": " + strerror(ok ? errno : e);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace litebox::shim::cli
