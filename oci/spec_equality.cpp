// Equality helpers for the typed config: JSON compared as JSON (key order
// ignored), and Resources compared by what serialization would write.
#include "oci/spec.hpp"

namespace litebox::oci {

bool JsonEquivalent(const Json& a, const Json& b) {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !JsonEquivalent(v, *it)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!JsonEquivalent(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;  // scalars: nlohmann compares 5 == 5u == 5.0 numerically
}

bool Resources::operator==(const Resources& o) const {
  if (memory != o.memory || cpu != o.cpu || pids != o.pids) return false;
  // raw's memory/cpu/pids are what the typed fields were parsed from; the
  // typed fields decide what is written, so only the rest of raw counts.
  auto rest = [](const Json& raw) {
    Json r = raw.is_object() ? raw : Json::object();
    for (const char* typed : {"memory", "cpu", "pids"}) r.erase(typed);
    return r;
  };
  return JsonEquivalent(rest(raw), rest(o.raw));
}

}  // namespace litebox::oci
