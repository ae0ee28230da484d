#include "oci/state.hpp"

#include "oci/json_reader.hpp"
#include "oci/json_writer.hpp"

namespace litebox::oci {

namespace {
constexpr const char* kStatusNames[] = {"creating", "created", "running", "stopped", "paused"};
}

const char* StatusName(Status s) {
  return kStatusNames[static_cast<int>(s)];
}

std::optional<Status> StatusFromName(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (name == kStatusNames[i]) return static_cast<Status>(i);
  }
  return std::nullopt;
}

Result<State> ParseState(const std::string& json_text) {
  using detail::Need;
  try {
    Json v;
    try {
      v = Json::parse(json_text);
    } catch (const Json::parse_error& e) {
      return Error{"state.json", std::string("not valid JSON: ") + e.what()};
    }
    if (!v.is_object()) return Error{"state.json", "must be a JSON object"};
    State st;
    detail::ErrorSlot err;
    detail::ObjectReader r(v, "", &st.extras, &err);
    std::string status, created;
    int64_t pid = 0;
    if (!r.String("ociVersion", &st.oci_version, Need::kRequired) ||
        !r.String("id", &st.id, Need::kRequired) || !r.I64("pid", &pid) ||
        !r.String("status", &status, Need::kRequired) ||
        !r.String("bundle", &st.bundle, Need::kRequired) || !r.String("rootfs", &st.rootfs) ||
        !r.String("created", &created) || !r.StringMap("annotations", &st.annotations) ||
        !r.String("owner", &st.owner) || !r.Finish()) {
      return *err;
    }
    if (pid < 0 || pid > 0x7fffffff) return Error{"pid", "must be a non-negative process id"};
    st.pid = static_cast<int>(pid);
    auto s = StatusFromName(status);
    if (!s) {
      return Error{"status", "unknown status \"" + status +
                                 "\" (expected creating, created, running, stopped or paused)"};
    }
    st.status = *s;
    if (!created.empty()) {
      auto t = ParseRfc3339(created, "created");
      if (!t) return t.error();
      st.created = *t;
    }
    return st;
  } catch (const std::exception& e) {
    return Error{"state.json", std::string("internal error: ") + e.what()};
  }
}

// Field order and presence as `runc state` prints them: owner is always
// there, annotations only when non-empty.
std::string SerializeState(const State& st) {
  detail::ObjectWriter w(st.extras);
  w.Always("ociVersion", st.oci_version);
  w.Always("id", st.id);
  w.Always("pid", st.pid);
  w.Always("status", StatusName(st.status));
  w.Always("bundle", st.bundle);
  w.Always("rootfs", st.rootfs);
  w.Always("created", FormatRfc3339Nano(st.created));
  w.Map("annotations", st.annotations);
  w.Always("owner", st.owner);
  return detail::DumpPretty(w.Done());
}

}  // namespace litebox::oci
