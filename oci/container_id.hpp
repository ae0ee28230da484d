// Container ids: the same rule runc enforces, checked before an id becomes
// part of a path (state directories, sockets).
#pragma once

#include <string>

#include "oci/result.hpp"

namespace litebox::oci {

// 1-1024 characters of [A-Za-z0-9_+.-], not "." or "..". Returns the id, or
// an Error with path "id" and a reason naming the offending character.
Result<std::string> ValidateContainerId(const std::string& id);

}  // namespace litebox::oci
