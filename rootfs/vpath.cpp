#include "rootfs/vpath.hpp"

namespace litebox::rootfs {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (!part.empty() && part != ".") out.emplace_back(part);
    i = j + 1;
  }
  return out;
}

std::string JoinPath(const std::vector<std::string>& components) {
  if (components.empty()) return "/";
  std::string out;
  for (const auto& c : components) {
    out += '/';
    out += c;
  }
  return out;
}

std::string CleanAbsolute(std::string_view path) {
  std::vector<std::string> kept;
  for (auto& c : SplitPath(path)) {
    if (c == "..") {
      if (!kept.empty()) kept.pop_back();
    } else {
      kept.push_back(std::move(c));
    }
  }
  return JoinPath(kept);
}

bool PathIsUnder(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return !path.empty() && path[0] == '/';
  if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::string_view PathBelow(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return path.substr(1);
  if (path.size() == prefix.size()) return {};
  return path.substr(prefix.size() + 1);
}

}  // namespace litebox::rootfs
