// Lexical helpers for virtual (sandbox-side) paths. These never touch the
// host file system: resolution with symlinks lives in rootfs.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace litebox::rootfs {

// Splits on '/', dropping empty components and ".". ".." is kept.
std::vector<std::string> SplitPath(std::string_view path);

// "/" + components joined with '/'; "/" for none.
std::string JoinPath(const std::vector<std::string>& components);

// Lexically cleaned absolute path: "//a/./b/../c/" -> "/a/c"; ".." at the
// root stays at the root. Used only for mount-table keys and for joining a
// base directory with a relative path; resolution itself walks components.
std::string CleanAbsolute(std::string_view path);

// True if `path` equals `prefix` or lies below it (component-wise:
// "/ab" is not under "/a"). Both must be clean absolute paths.
bool PathIsUnder(std::string_view path, std::string_view prefix);

// The part of `path` below `prefix` ("" if equal), assuming PathIsUnder.
std::string_view PathBelow(std::string_view path, std::string_view prefix);

}  // namespace litebox::rootfs
