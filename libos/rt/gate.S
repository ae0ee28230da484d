# The gate: the libOS's only syscall instruction (DESIGN §3).
# long lb_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
# A clone made here returns in the child at lb_gate_ip with the child's
# stack: the caller must have put a return address on top of that stack.
        .text
        .globl  lb_syscall6
        .hidden lb_syscall6
        .type   lb_syscall6, @function
lb_syscall6:
        mov     %rdi, %rax
        mov     %rsi, %rdi
        mov     %rdx, %rsi
        mov     %rcx, %rdx
        mov     %r8, %r10
        mov     %r9, %r8
        mov     8(%rsp), %r9
        syscall
        .globl  lb_gate_ip
        .hidden lb_gate_ip
lb_gate_ip:
        ret
        .size   lb_syscall6, .-lb_syscall6

# Signal return trampoline for the libOS's own handlers (SA_RESTORER).
        .globl  lb_sigreturn
        .hidden lb_sigreturn
        .type   lb_sigreturn, @function
lb_sigreturn:
        mov     $15, %eax
        syscall
        .globl  lb_sigreturn_ip
        .hidden lb_sigreturn_ip
lb_sigreturn_ip:
        hlt

# [[noreturn]] void lb_enter(void* entry, void* sp): first jump into an
# application image, with the register state the ELF ABI specifies.
        .globl  lb_enter
        .hidden lb_enter
        .type   lb_enter, @function
lb_enter:
        mov     %rsi, %rsp
        mov     %rdi, %r11
        xor     %eax, %eax
        xor     %ebx, %ebx
        xor     %ecx, %ecx
        xor     %edx, %edx
        xor     %esi, %esi
        xor     %edi, %edi
        xor     %ebp, %ebp
        xor     %r8d, %r8d
        xor     %r9d, %r9d
        xor     %r10d, %r10d
        xor     %r12d, %r12d
        xor     %r13d, %r13d
        xor     %r14d, %r14d
        xor     %r15d, %r15d
        jmp     *%r11

# [[noreturn]] void lb_resume(void* ucontext): load a whole register
# context (and signal mask and alternate stack) with rt_sigreturn. Used by
# new threads to start in the application as if returning from clone.
        .globl  lb_resume
        .hidden lb_resume
        .type   lb_resume, @function
lb_resume:
        mov     %rdi, %rsp
        mov     $15, %eax
        syscall
        .globl  lb_resume_ip
        .hidden lb_resume_ip
lb_resume_ip:
        hlt

# Process entry: the kernel's initial stack pointer goes to libos_main.
        .globl  _start
        .type   _start, @function
_start:
        xor     %ebp, %ebp
        mov     %rsp, %rdi
        and     $-16, %rsp
        call    libos_main
        hlt
        .section .note.GNU-stack,"",@progbits
