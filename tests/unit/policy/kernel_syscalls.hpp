// The reference list of x86-64 syscall numbers the table is checked
// against, read at test time from the kernel's UAPI header, plus the numbers
// newer than that header (from Linux 6.19's syscall_64.tbl, as the partition
// document lists them).
#pragma once

#include <map>
#include <string>

namespace litebox::policy_test {

inline constexpr const char* kUnistdHeader = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";

// nr -> kernel name; empty map and *err set when the header can't be read.
std::map<int, std::string> ReadUnistdNames(const std::string& path, std::string* err);

// Numbers the installed header (linux-libc-dev 6.1) predates.
std::map<int, std::string> NewerSyscalls();

}  // namespace litebox::policy_test
