#include "shim-v2/cli/flags.hpp"

#include <map>

namespace litebox::shim::cli {

std::optional<Flags> ParseFlags(const std::vector<std::string>& args, std::string* err) {
  Flags f;
  const std::map<std::string, std::string*> with_value = {
      {"namespace", &f.ns}, {"address", &f.address}, {"publish-binary", &f.publish_binary},
      {"id", &f.id},        {"bundle", &f.bundle},   {"socket", &f.socket},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      if (!f.action.empty()) {
        *err = "unexpected argument '" + a + "' after action '" + f.action + "'";
        return std::nullopt;
      }
      if (a != "start" && a != "delete") {
        *err = "unknown action '" + a + "' (expected start or delete)";
        return std::nullopt;
      }
      f.action = a;
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "debug" || name == "v" || name == "version") {
      bool on = !value || *value == "true" || *value == "1";
      if (value && !on && *value != "false" && *value != "0") {
        *err = "flag -" + name + " takes a boolean, got '" + *value + "'";
        return std::nullopt;
      }
      (name == "debug" ? f.debug : f.version) = on;
      continue;
    }
    auto it = with_value.find(name);
    if (it == with_value.end()) {
      *err = "unknown flag '" + a + "'";
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        *err = "flag -" + name + " needs a value";
        return std::nullopt;
      }
      value = args[++i];
    }
    *it->second = *value;
  }
  return f;
}

}  // namespace litebox::shim::cli
