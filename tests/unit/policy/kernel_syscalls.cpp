#include "tests/unit/policy/kernel_syscalls.hpp"

#include <fstream>
#include <regex>

namespace litebox::policy_test {

std::map<int, std::string> ReadUnistdNames(const std::string& path, std::string* err) {
  std::ifstream in(path);
  if (!in) {
    *err = "cannot open " + path;
    return {};
  }
  static const std::regex kDefine(R"(^#define\s+__NR_([A-Za-z0-9_]+)\s+(\d+)\s*$)");
  std::map<int, std::string> names;
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, kDefine)) names[std::stoi(m[2])] = m[1];
  if (names.empty()) *err = path + " has no __NR_ definitions";
  return names;
}

std::map<int, std::string> NewerSyscalls() {
  return {
      {335, "uretprobe"},         {336, "uprobe"},
      {451, "cachestat"},         {452, "fchmodat2"},
      {453, "map_shadow_stack"},  {454, "futex_wake"},
      {455, "futex_wait"},        {456, "futex_requeue"},
      {457, "statmount"},         {458, "listmount"},
      {459, "lsm_get_self_attr"}, {460, "lsm_set_self_attr"},
      {461, "lsm_list_modules"},  {462, "mseal"},
      {463, "setxattrat"},        {464, "getxattrat"},
      {465, "listxattrat"},       {466, "removexattrat"},
      {467, "open_tree_attr"},    {468, "file_getattr"},
      {469, "file_setattr"},      {470, "listns"},
  };
}

}  // namespace litebox::policy_test
