# Trap-free syscall sites (libos/site_patch.cpp): a patched application
# site `mov $nr, %eax; syscall` jumps to a stub that reloads eax, steps over
# the red zone and calls lb_direct_entry here. Registers are as the kernel
# leaves them across a syscall: all preserved but rax (the result), rcx and
# r11 (clobbered by `syscall` too); flags preserved.
#
# Stack on entry: [rsp] = return address into the stub (stub + 16).
# The C side gets (nr, frame): frame points at the saved registers
# (struct DirectFrame in libos/dispatch.hpp, lowest address first). It
# blocks every signal and leaves the application's mask in frame->mask,
# and returns the result, or -4096 (before blocking anything) to take the
# ordinary trap instead. The mask goes back through the gate once we are
# on the application's stack again: a signal pending by then is delivered
# on that stack, as on return from a real syscall.
        .text
        .globl  lb_direct_entry
        .hidden lb_direct_entry
        .type   lb_direct_entry, @function
lb_direct_entry:
        pushfq
        push    %rdi
        push    %rsi
        push    %rdx
        push    %r10
        push    %r8
        push    %r9
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        sub     $8, %rsp                # frame->mask
        push    %rax                    # frame->nr (then the result)
        mov     %rsp, %rbx
        cld
        # The thread's libOS block sits at its GS base (set by the libOS
        # for every thread); not there: take the ordinary trap instead.
        rdgsbase %rcx
        test    %rcx, %rcx
        jz      2f
        movabs  $0x4c42544852454144, %rdx
        cmp     %rdx, (%rcx)
        jne     2f
        # Run on the thread's libOS stack unless already on it (an
        # application handler running there).
        mov     %rsp, %rdx
        sub     %rcx, %rdx
        cmp     $0x40000, %rdx
        jb      1f
        lea     0x40000(%rcx), %rsp
1:      and     $-16, %rsp
        mov     %rax, %rdi
        mov     %rbx, %rsi
        call    lb_direct_dispatch
        mov     %rbx, %rsp
        cmp     $-4096, %rax
        je      2f
        mov     %rax, (%rsp)
        # lb_syscall6(rt_sigprocmask, SIG_SETMASK, &frame->mask, 0, 8, 0, 0)
        mov     $14, %edi
        mov     $2, %esi
        lea     8(%rbx), %rdx
        xor     %ecx, %ecx
        mov     $8, %r8d
        xor     %r9d, %r9d
        push    $0                      # its seventh argument
        call    lb_syscall6
        mov     $1, %ecx                # answered: plain return below
        jmp     3f
2:      xor     %ecx, %ecx              # not answered: make the call itself
3:      mov     %rbx, %rsp              # (rcx, like r11, is the syscall's to clobber)
        pop     %rax                    # the result, or the number
        add     $8, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r9
        pop     %r8
        pop     %r10
        pop     %rdx
        pop     %rsi
        pop     %rdi
        popfq
        jrcxz   4f                      # leaves the flags alone
        ret
4:      syscall
        ret
        .size   lb_direct_entry, .-lb_direct_entry
        .section .note.GNU-stack,"",@progbits
