// The escape suite's attacks and the outcome each must have.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace escape {

// What a STEP line must say. `want` is one of:
//   an errno name ("EPERM")  the call failed with exactly that errno
//   "OK"                     the call succeeded (any value)
//   "=N"                     the call succeeded with value N
//   "ERR"                    the call failed (any errno)
//   "ANY"                    harmless either way: the host oracles decide
//   "MISSING"                the step may be absent (a branch not taken)
//   "ERR|=N"                 alternatives, separated by '|'
struct StepExpect {
  std::string label;
  std::string want;
};

enum class End {
  kDone,    // ran to the end (printed DONE, exit 0)
  kKilled,  // killed by `signal`
  kAny,     // may crash or end early: only the host oracles decide
};

struct Attack {
  std::string name;     // test name and binary in the attack dir
  std::string summary;  // one line: what it tries
  std::vector<StepExpect> steps;
  End end = End::kDone;
  int signal = 0;
  std::vector<std::string> args;
  std::string user;  // --user, empty = root inside
  bool pty = false;
  int timeout_s = 25;
  bool may_hang = false;  // the attack may wedge itself: a timeout is fine, leftovers are not
  std::string binary;     // attack binary when it differs from name
  std::string network;    // `litebox do --network`, empty = its default (none)
};

const std::vector<Attack>& AllAttacks();

// gtest prints parameters with this (the name, not the struct's bytes).
void PrintTo(const Attack& a, std::ostream* os);

// DENY rows of libos/syscall_table.def: number and errno name.
struct DenyRow {
  int nr;
  std::string name, errno_name;
};
std::vector<DenyRow> DenyRows(const std::string& table_path);

}  // namespace escape
