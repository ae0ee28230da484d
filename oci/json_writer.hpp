// Internal: builds one JSON object in a fixed field order. A field is
// written when it holds a non-default value or when the parsed source had
// it (JsonExtras::present), and the unknown fields the source had come last
// — together that makes parse -> serialize give back the source document.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace litebox::oci::detail {

class ObjectWriter {
 public:
  explicit ObjectWriter(const JsonExtras& extras) : extras_(extras) {}

  // Written whether or not it has a value (fields the reference Go types
  // declare without omitempty).
  void Always(const char* key, Json value) { out_[key] = std::move(value); }

  void Put(const char* key, Json value, bool is_default) {
    if (!is_default || extras_.present.count(key)) out_[key] = std::move(value);
  }
  void String(const char* key, const std::string& v) { Put(key, v, v.empty()); }
  void Bool(const char* key, bool v) { Put(key, v, !v); }

  template <typename T>
  void Optional(const char* key, const std::optional<T>& v) {
    if (v) out_[key] = *v;
  }
  template <typename T, typename F>
  void Optional(const char* key, const std::optional<T>& v, F to_json) {
    if (v) out_[key] = to_json(*v);
  }

  template <typename T>
  void List(const char* key, const std::vector<T>& v) {
    Put(key, Json(v), v.empty());
  }
  template <typename T, typename F>
  void List(const char* key, const std::vector<T>& v, F to_json) {
    Json arr = Json::array();
    for (const auto& item : v) arr.push_back(to_json(item));
    Put(key, std::move(arr), v.empty());
  }

  template <typename M>
  void Map(const char* key, const M& m) {
    Json obj = Json::object();
    for (const auto& [k, val] : m) obj[k] = val;
    Put(key, std::move(obj), m.empty());
  }

  Json Done() {
    for (const auto& [k, v] : extras_.unknown.items()) out_[k] = v;
    return std::move(out_);
  }

 private:
  const JsonExtras& extras_;
  Json out_ = Json::object();
};

// Pretty, 2-space indent, trailing newline; invalid UTF-8 in strings a
// caller put into a struct is replaced instead of throwing.
std::string DumpPretty(const Json& v);

}  // namespace litebox::oci::detail
