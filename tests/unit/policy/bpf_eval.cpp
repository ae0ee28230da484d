#include "tests/unit/policy/bpf_eval.hpp"

#include <cstddef>
#include <cstring>

namespace litebox::policy_test {

namespace {
bool CacheEmulatorUnderstands(const sock_filter& in) {
  switch (in.code) {
    case BPF_LD | BPF_W | BPF_ABS:
      return in.k == offsetof(seccomp_data, nr) || in.k == offsetof(seccomp_data, arch);
    case BPF_RET | BPF_K:
    case BPF_JMP | BPF_JA:
    case BPF_JMP | BPF_JEQ | BPF_K:
    case BPF_JMP | BPF_JGE | BPF_K:
    case BPF_JMP | BPF_JGT | BPF_K:
    case BPF_JMP | BPF_JSET | BPF_K:
    case BPF_ALU | BPF_AND | BPF_K:
      return true;
    default:
      return false;
  }
}
}  // namespace

BpfRun RunSeccompBpf(std::span<const sock_filter> prog, const seccomp_data& data) {
  BpfRun r;
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(&data);
  auto fail = [&](size_t pc, const std::string& why) {
    r.ok = false;
    r.error = "pc " + std::to_string(pc) + ": " + why;
    return r;
  };
  size_t pc = 0;
  while (true) {
    if (pc >= prog.size()) return fail(pc, "ran off the end of the program");
    if (++r.steps > prog.size()) return fail(pc, "loop (seccomp BPF only jumps forward)");
    const sock_filter& in = prog[pc];
    const uint16_t cls = BPF_CLASS(in.code);
    if (!CacheEmulatorUnderstands(in)) r.kernel_cacheable = false;
    size_t next = pc + 1;
    switch (cls) {
      case BPF_LD:
      case BPF_LDX: {
        uint32_t v = 0;
        switch (BPF_MODE(in.code)) {
          case BPF_ABS:
            if (cls != BPF_LD || BPF_SIZE(in.code) != BPF_W)
              return fail(pc, "only 32-bit absolute loads into A are valid in seccomp");
            if (in.k % 4 != 0 || in.k + 4 > sizeof(seccomp_data))
              return fail(pc, "load offset " + std::to_string(in.k) + " outside seccomp_data");
            std::memcpy(&v, bytes + in.k, 4);
            if (static_cast<int>(in.k) > r.max_load_offset) r.max_load_offset = in.k;
            if (in.k >= offsetof(seccomp_data, instruction_pointer) &&
                in.k < offsetof(seccomp_data, args))
              r.read_instruction_pointer = true;
            if (in.k >= offsetof(seccomp_data, args)) r.read_args = true;
            break;
          case BPF_IMM:
            v = in.k;
            break;
          case BPF_MEM:
            if (in.k >= BPF_MEMWORDS) return fail(pc, "scratch index out of range");
            v = mem[in.k];
            break;
          case BPF_LEN:
            v = sizeof(seccomp_data);
            break;
          default:
            return fail(pc, "unsupported load mode");
        }
        (cls == BPF_LD ? a : x) = v;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (in.k >= BPF_MEMWORDS) return fail(pc, "scratch index out of range");
        mem[in.k] = cls == BPF_ST ? a : x;
        break;
      case BPF_ALU: {
        const uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
        switch (BPF_OP(in.code)) {
          case BPF_ADD:
            a += src;
            break;
          case BPF_SUB:
            a -= src;
            break;
          case BPF_MUL:
            a *= src;
            break;
          case BPF_DIV:
            if (src == 0) return fail(pc, "division by zero");
            a /= src;
            break;
          case BPF_MOD:
            if (src == 0) return fail(pc, "modulo by zero");
            a %= src;
            break;
          case BPF_OR:
            a |= src;
            break;
          case BPF_AND:
            a &= src;
            break;
          case BPF_XOR:
            a ^= src;
            break;
          case BPF_LSH:
            a = src >= 32 ? 0 : a << src;
            break;
          case BPF_RSH:
            a = src >= 32 ? 0 : a >> src;
            break;
          case BPF_NEG:
            a = -a;
            break;
          default:
            return fail(pc, "unsupported ALU op");
        }
        break;
      }
      case BPF_JMP: {
        if (BPF_OP(in.code) == BPF_JA) {
          next = pc + 1 + in.k;
          break;
        }
        const uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
        bool taken;
        switch (BPF_OP(in.code)) {
          case BPF_JEQ:
            taken = a == src;
            break;
          case BPF_JGT:
            taken = a > src;
            break;
          case BPF_JGE:
            taken = a >= src;
            break;
          case BPF_JSET:
            taken = (a & src) != 0;
            break;
          default:
            return fail(pc, "unsupported jump op");
        }
        next = pc + 1 + (taken ? in.jt : in.jf);
        break;
      }
      case BPF_RET:
        r.ok = true;
        r.action = BPF_RVAL(in.code) == BPF_A ? a : in.k;
        return r;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
      default:
        return fail(pc, "unsupported instruction class");
    }
    pc = next;
  }
}

}  // namespace litebox::policy_test
