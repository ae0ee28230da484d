#include "runtime/cli/oci_flags.hpp"

namespace litebox::cli {

bool ParseBoolValue(const std::string& t, bool* out) {
  if (t == "1" || t == "t" || t == "T" || t == "true" || t == "TRUE" || t == "True") {
    *out = true;
    return true;
  }
  if (t == "0" || t == "f" || t == "F" || t == "false" || t == "FALSE" || t == "False") {
    *out = false;
    return true;
  }
  return false;
}

void FlagSet::Bool(std::initializer_list<const char*> names, bool* out) {
  Flag f{{names.begin(), names.end()}, false, nullptr};
  std::string first = *names.begin();
  f.set = [out, first](const std::string& v, bool has_value, std::string* err) {
    if (!has_value) return *out = true;
    if (ParseBoolValue(v, out)) return true;
    *err = "invalid boolean value \"" + v + "\" for -" + first;
    return false;
  };
  flags_.push_back(std::move(f));
}

void FlagSet::String(std::initializer_list<const char*> names, std::string* out) {
  flags_.push_back({{names.begin(), names.end()}, true, [out](const std::string& v, bool, auto*) {
                      *out = v;
                      return true;
                    }});
}

void FlagSet::Strings(std::initializer_list<const char*> names, std::vector<std::string>* out) {
  flags_.push_back({{names.begin(), names.end()}, true, [out](const std::string& v, bool, auto*) {
                      out->push_back(v);
                      return true;
                    }});
}

void FlagSet::IgnoredBool(std::initializer_list<const char*> names) {
  flags_.push_back({{names.begin(), names.end()}, false, [](auto&, bool, auto*) { return true; }});
}

void FlagSet::IgnoredString(std::initializer_list<const char*> names) {
  flags_.push_back({{names.begin(), names.end()}, true, [](auto&, bool, auto*) { return true; }});
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const auto& f : flags_)
    for (const auto& n : f.names)
      if (n == name) return &f;
  return nullptr;
}

bool FlagSet::Parse(Args& args, std::string* err) {
  while (!args.empty()) {
    const std::string& a = args.front();
    if (a == "--") {
      args.pop_front();
      return true;
    }
    if (a.size() < 2 || a[0] != '-') return true;  // first positional
    std::string body = a.substr(a[1] == '-' ? 2 : 1);
    std::string name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    const Flag* f = Find(name);
    if (!f) {
      *err = command_ + ": flag provided but not defined: -" + name;
      return false;
    }
    args.pop_front();
    if (f->takes_value && !has_value) {
      if (args.empty()) {
        *err = command_ + ": flag needs an argument: -" + name;
        return false;
      }
      value = args.front();
      args.pop_front();
      has_value = true;
    }
    if (!f->set(value, has_value, err)) {
      *err = command_ + ": " + *err;
      return false;
    }
  }
  return true;
}

}  // namespace litebox::cli
