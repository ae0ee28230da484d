#include "oci/json_reader.hpp"

#include <limits>

namespace litebox::oci::detail {

std::string JoinPath(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return base + "." + std::string(key);
}

std::string IndexPath(const std::string& base, size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

std::string MapKeyPath(const std::string& base, std::string_view key) {
  return base + "[\"" + std::string(key) + "\"]";
}

bool Fail(ErrorSlot* err, std::string path, std::string reason) {
  if (!err->has_value()) *err = Error{std::move(path), std::move(reason)};
  return false;
}

bool ReadString(const Json& v, const std::string& path, std::string* out, ErrorSlot* err) {
  if (!v.is_string()) return Fail(err, path, "must be a string");
  *out = v.get<std::string>();
  return true;
}

bool ReadBool(const Json& v, const std::string& path, bool* out, ErrorSlot* err) {
  if (!v.is_boolean()) return Fail(err, path, "must be a boolean");
  *out = v.get<bool>();
  return true;
}

// JSON numbers arrive as unsigned, signed (negative only) or float; like
// Go's decoder we accept only integers that fit the target type.
bool ReadU32(const Json& v, const std::string& path, uint32_t* out, ErrorSlot* err) {
  if (!v.is_number_unsigned() || v.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
    return Fail(err, path, "must be an unsigned 32-bit integer");
  }
  *out = static_cast<uint32_t>(v.get<uint64_t>());
  return true;
}

bool ReadI32(const Json& v, const std::string& path, int32_t* out, ErrorSlot* err) {
  bool fits = false;
  if (v.is_number_unsigned()) {
    fits = v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max());
  } else if (v.is_number_integer()) {
    fits = v.get<int64_t>() >= std::numeric_limits<int32_t>::min();
  }
  if (!fits) return Fail(err, path, "must be a 32-bit integer");
  *out = static_cast<int32_t>(v.get<int64_t>());
  return true;
}

bool ReadU64(const Json& v, const std::string& path, uint64_t* out, ErrorSlot* err) {
  if (!v.is_number_unsigned()) return Fail(err, path, "must be an unsigned 64-bit integer");
  *out = v.get<uint64_t>();
  return true;
}

bool ReadI64(const Json& v, const std::string& path, int64_t* out, ErrorSlot* err) {
  bool fits = v.is_number_integer() &&
              (!v.is_number_unsigned() ||
               v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  if (!fits) return Fail(err, path, "must be a 64-bit integer");
  *out = v.get<int64_t>();
  return true;
}

bool ReadStringList(const Json& v, const std::string& path, std::vector<std::string>* out,
                    ErrorSlot* err) {
  if (!v.is_array()) return Fail(err, path, "must be an array of strings");
  out->clear();
  for (size_t i = 0; i < v.size(); ++i) {
    std::string s;
    if (!ReadString(v[i], IndexPath(path, i), &s, err)) return false;
    out->push_back(std::move(s));
  }
  return true;
}

ObjectReader::ObjectReader(const Json& v, std::string path, JsonExtras* extras, ErrorSlot* err)
    : v_(v), path_(std::move(path)), extras_(extras), err_(err) {
  if (!v_.is_object()) Fail(err_, path_, "must be an object");
}

const Json* ObjectReader::Get(std::string_view key) {
  if (!ok()) return nullptr;
  known_.emplace(key);
  auto it = v_.find(std::string(key));
  if (it == v_.end() || it->is_null()) return nullptr;
  extras_->present.emplace(key);
  return &*it;
}

const Json* ObjectReader::Require(std::string_view key) {
  const Json* v = Get(key);
  if (ok() && !v) Fail(err_, PathOf(key), "missing");
  return v;
}

bool ObjectReader::String(std::string_view key, std::string* out, Need need) {
  const Json* v = need == Need::kRequired ? Require(key) : Get(key);
  if (!ok() || !v) return ok();
  return ReadString(*v, PathOf(key), out, err_);
}

bool ObjectReader::Bool(std::string_view key, bool* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  return ReadBool(*v, PathOf(key), out, err_);
}

bool ObjectReader::U32(std::string_view key, uint32_t* out, Need need) {
  const Json* v = need == Need::kRequired ? Require(key) : Get(key);
  if (!ok() || !v) return ok();
  return ReadU32(*v, PathOf(key), out, err_);
}

bool ObjectReader::U32(std::string_view key, std::optional<uint32_t>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  uint32_t x = 0;
  if (!ReadU32(*v, PathOf(key), &x, err_)) return false;
  *out = x;
  return true;
}

bool ObjectReader::I32(std::string_view key, std::optional<int32_t>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  int32_t x = 0;
  if (!ReadI32(*v, PathOf(key), &x, err_)) return false;
  *out = x;
  return true;
}

bool ObjectReader::U64(std::string_view key, uint64_t* out, Need need) {
  const Json* v = need == Need::kRequired ? Require(key) : Get(key);
  if (!ok() || !v) return ok();
  return ReadU64(*v, PathOf(key), out, err_);
}

bool ObjectReader::U64(std::string_view key, std::optional<uint64_t>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  uint64_t x = 0;
  if (!ReadU64(*v, PathOf(key), &x, err_)) return false;
  *out = x;
  return true;
}

bool ObjectReader::I64(std::string_view key, int64_t* out, Need need) {
  const Json* v = need == Need::kRequired ? Require(key) : Get(key);
  if (!ok() || !v) return ok();
  return ReadI64(*v, PathOf(key), out, err_);
}

bool ObjectReader::I64(std::string_view key, std::optional<int64_t>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  int64_t x = 0;
  if (!ReadI64(*v, PathOf(key), &x, err_)) return false;
  *out = x;
  return true;
}

bool ObjectReader::StringList(std::string_view key, std::vector<std::string>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  return ReadStringList(*v, PathOf(key), out, err_);
}

bool ObjectReader::U32List(std::string_view key, std::vector<uint32_t>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  const std::string p = PathOf(key);
  if (!v->is_array()) return Fail(err_, p, "must be an array of unsigned 32-bit integers");
  for (size_t i = 0; i < v->size(); ++i) {
    uint32_t x = 0;
    if (!ReadU32((*v)[i], IndexPath(p, i), &x, err_)) return false;
    out->push_back(x);
  }
  return true;
}

bool ObjectReader::StringMap(std::string_view key, std::map<std::string, std::string>* out) {
  const Json* v = Get(key);
  if (!ok() || !v) return ok();
  const std::string p = PathOf(key);
  if (!v->is_object()) return Fail(err_, p, "must be an object of strings");
  for (const auto& [k, val] : v->items()) {
    if (k.empty()) return Fail(err_, p, "keys must not be empty");
    std::string s;
    if (!ReadString(val, MapKeyPath(p, k), &s, err_)) return false;
    (*out)[k] = std::move(s);
  }
  return true;
}

bool ObjectReader::Finish() {
  if (!ok()) return false;
  for (const auto& [k, val] : v_.items()) {
    if (!known_.count(k)) extras_->unknown[k] = val;
  }
  return true;
}

}  // namespace litebox::oci::detail
