# A stand-in for the libOS gate: one `syscall` instruction whose following
# address (what seccomp reports as instruction_pointer) is exported so the
# test can build the partition filter around it.
#   long policy_test_gate_syscall(long nr, long a0, long a1, long a2, long a3)
# Returns the raw kernel result (-errno on failure).
        .text
        .globl  policy_test_gate_syscall
        .type   policy_test_gate_syscall, @function
policy_test_gate_syscall:
        mov     %rdi, %rax
        mov     %rsi, %rdi
        mov     %rdx, %rsi
        mov     %rcx, %rdx
        mov     %r8, %r10
        syscall
        .globl  policy_test_gate_ip
policy_test_gate_ip:
        ret
        .size   policy_test_gate_syscall, . - policy_test_gate_syscall
        .section .note.GNU-stack, "", @progbits
