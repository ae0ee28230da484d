// Internal: typed reading of one JSON object with errors that name the JSON
// path. Every key read is marked known; Finish() keeps the others verbatim
// in JsonExtras::unknown. The first failure is stored and every later call
// returns false at once, so parse code reads as a flat list of fields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "oci/result.hpp"
#include "oci/spec.hpp"

namespace litebox::oci::detail {

using ErrorSlot = std::optional<Error>;

// "process" + "args" -> "process.args"; "" + "ociVersion" -> "ociVersion".
std::string JoinPath(const std::string& base, std::string_view key);
std::string IndexPath(const std::string& base, size_t i);               // base[i]
std::string MapKeyPath(const std::string& base, std::string_view key);  // base["key"]

bool Fail(ErrorSlot* err, std::string path, std::string reason);

// Scalar readers for a value already found at `path`.
bool ReadString(const Json& v, const std::string& path, std::string* out, ErrorSlot* err);
bool ReadBool(const Json& v, const std::string& path, bool* out, ErrorSlot* err);
bool ReadU32(const Json& v, const std::string& path, uint32_t* out, ErrorSlot* err);
bool ReadI32(const Json& v, const std::string& path, int32_t* out, ErrorSlot* err);
bool ReadU64(const Json& v, const std::string& path, uint64_t* out, ErrorSlot* err);
bool ReadI64(const Json& v, const std::string& path, int64_t* out, ErrorSlot* err);
bool ReadStringList(const Json& v, const std::string& path, std::vector<std::string>* out,
                    ErrorSlot* err);

enum class Need { kOptional, kRequired };

class ObjectReader {
 public:
  // Fails at once with "<path>: must be an object" if v is not an object.
  ObjectReader(const Json& v, std::string path, JsonExtras* extras, ErrorSlot* err);

  bool ok() const { return !err_->has_value(); }
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return JoinPath(path_, key); }

  // The value of `key`, or nullptr if absent or null (null means absent, as
  // in Go). Marks the key known, and present if not null.
  const Json* Get(std::string_view key);
  // Like Get but fails with "<path>.<key>: missing" when absent.
  const Json* Require(std::string_view key);

  bool String(std::string_view key, std::string* out, Need need = Need::kOptional);
  bool Bool(std::string_view key, bool* out);
  bool U32(std::string_view key, uint32_t* out, Need need = Need::kOptional);
  bool U32(std::string_view key, std::optional<uint32_t>* out);
  bool I32(std::string_view key, std::optional<int32_t>* out);
  bool U64(std::string_view key, uint64_t* out, Need need = Need::kOptional);
  bool U64(std::string_view key, std::optional<uint64_t>* out);
  bool I64(std::string_view key, int64_t* out, Need need = Need::kOptional);
  bool I64(std::string_view key, std::optional<int64_t>* out);
  bool StringList(std::string_view key, std::vector<std::string>* out);
  bool U32List(std::string_view key, std::vector<uint32_t>* out);
  bool StringMap(std::string_view key, std::map<std::string, std::string>* out);

  // parse(const Json&, const std::string& path, T*) -> bool
  template <typename T, typename F>
  bool ObjectList(std::string_view key, std::vector<T>* out, F parse) {
    const Json* v = Get(key);
    if (!ok() || !v) return ok();
    const std::string p = PathOf(key);
    if (!v->is_array()) return Fail(err_, p, "must be an array");
    for (size_t i = 0; i < v->size(); ++i) {
      T item;
      if (!parse((*v)[i], IndexPath(p, i), &item)) return false;
      out->push_back(std::move(item));
    }
    return true;
  }

  template <typename T, typename F>
  bool Object(std::string_view key, std::optional<T>* out, F parse, Need need = Need::kOptional) {
    const Json* v = need == Need::kRequired ? Require(key) : Get(key);
    if (!ok() || !v) return ok();
    T item;
    if (!parse(*v, PathOf(key), &item)) return false;
    *out = std::move(item);
    return true;
  }

  template <typename T, typename F>
  bool Object(std::string_view key, T* out, F parse, Need need) {
    const Json* v = need == Need::kRequired ? Require(key) : Get(key);
    if (!ok() || !v) return ok();
    return parse(*v, PathOf(key), out);
  }

  // Copies every key that was never read into extras->unknown.
  bool Finish();

 private:
  const Json& v_;
  std::string path_;
  JsonExtras* extras_;
  ErrorSlot* err_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace litebox::oci::detail
