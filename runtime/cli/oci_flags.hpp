// Flag parsing the way runc's CLI library (urfave/cli on Go's flag package)
// does it, because engines rely on its spellings: `--name value`,
// `--name=value`, `-name value`, `-n value` (one or two dashes for every
// flag; go-runc passes `-no-subreaper`). Parsing stops at the first
// positional argument or after `--`, so `exec ID sh -c ...` keeps its
// arguments.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "runtime/cli/commands.hpp"

namespace litebox::cli {

class FlagSet {
 public:
  explicit FlagSet(std::string command) : command_(std::move(command)) {}

  // names without dashes, e.g. {"bundle", "b"}.
  void Bool(std::initializer_list<const char*> names, bool* out);
  void String(std::initializer_list<const char*> names, std::string* out);
  // Repeatable: every occurrence is appended (--env A=1 --env B=2).
  void Strings(std::initializer_list<const char*> names, std::vector<std::string>* out);
  // Accepted and ignored (runc flags with no meaning for LiteBox).
  void IgnoredBool(std::initializer_list<const char*> names);
  void IgnoredString(std::initializer_list<const char*> names);

  // Consumes the leading flags of args. Returns false with *err naming the
  // flag ("create: flag provided but not defined: -foo").
  bool Parse(Args& args, std::string* err);

 private:
  struct Flag {
    std::vector<std::string> names;
    bool takes_value = false;
    std::function<bool(const std::string& value, bool has_value, std::string* err)> set;
  };
  const Flag* Find(const std::string& name) const;
  std::string command_;
  std::vector<Flag> flags_;
};

// "true"/"false"/"1"/"0"/... as Go's strconv.ParseBool.
bool ParseBoolValue(const std::string& text, bool* out);

}  // namespace litebox::cli
