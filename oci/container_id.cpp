#include "oci/container_id.hpp"

#include <cstdio>

namespace litebox::oci {

Result<std::string> ValidateContainerId(const std::string& id) {
  if (id.empty()) return Error{"id", "must not be empty"};
  if (id.size() > 1024) return Error{"id", "must be at most 1024 characters"};
  if (id == "." || id == "..") return Error{"id", "must not be \"" + id + "\""};
  for (unsigned char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '+' || c == '.' || c == '-';
    if (!allowed) {
      char shown[16];
      if (c >= 0x20 && c < 0x7f) {
        std::snprintf(shown, sizeof shown, "'%c'", c);
      } else {
        std::snprintf(shown, sizeof shown, "byte 0x%02x", c);
      }
      return Error{
          "id", std::string("invalid character ") + shown + " (allowed: letters, digits, _ + . -)"};
    }
  }
  return id;
}

}  // namespace litebox::oci
